package dev.maestro.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.Resilience;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import dev.maestro.testkit.FakeOpenAiServer.Request;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test fixture: several fake models by name behind one {@link FakeOpenAiServer}. Each model sleeps its delay, then
 * answers {@code The answer is 4.} or fails with its status; every request is logged with its model, parsed body and
 * start/end times, so tests check what reached the experts and when.
 */
final class FakeExperts implements FakeOpenAiServer.Responder, AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One logged request. */
    record Logged(String model, JsonNode body, long startNanos, long endNanos) {
    }

    private final FakeOpenAiServer server;
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final List<Logged> log = new CopyOnWriteArrayList<>();

    FakeExperts() throws IOException {
        server = FakeOpenAiServer.start(this);
    }

    String baseUrl() {
        return server.baseUrl();
    }

    FakeExperts delay(String model, long ms) {
        delays.put(model, ms);
        return this;
    }

    /** The model answers every request with this HTTP status (e.g. 500). */
    FakeExperts failing(String model, int status) {
        statuses.put(model, status);
        return this;
    }

    List<Logged> log() {
        return log;
    }

    List<Logged> requestsTo(String model) {
        return log.stream().filter(l -> l.model().equals(model)).toList();
    }

    /** A card for {@code model} served here (text only, $1/$2 per 1M, no retries, 2 s timeout). */
    ModelCard card(String model, List<String> fallbacks) {
        return ModelCard.builder(model, Backend.OPENAI).baseUrl(baseUrl()).modelName(model)
                .description("fake expert " + model).modalities(Set.of(Modality.TEXT)).price(new Price(1, 2))
                .timeout(Duration.ofSeconds(2)).maxConcurrency(8)
                .resilience(Resilience.DEFAULTS.withRetryAttempts(1).withFallbacks(fallbacks)).build();
    }

    @Override
    public Reply reply(Request request) throws InterruptedException {
        long start = System.nanoTime();
        JsonNode body = request.json();
        String model = body.path("model").asText();
        long delay = delays.getOrDefault(model, 0L);
        if (delay > 0) {
            // slept here rather than with Reply.delayed, so the logged end time includes it
            Thread.sleep(delay);
        }
        int status = statuses.getOrDefault(model, 200);
        log.add(new Logged(model, body, start, System.nanoTime()));
        return status == 200 ? Reply.ok("The answer is 4.", 20, 5)
                : Reply.of(status, "{\"error\":{\"message\":\"scripted " + status + " from " + model + "\"}}");
    }

    @Override
    public void close() {
        server.close();
    }
}
