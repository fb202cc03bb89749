package dev.maestro.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.Resilience;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Test fixture: one OpenAI-compatible endpoint (JDK HttpServer on 127.0.0.1) serving several fake models by name.
 * Each model sleeps its delay, then answers {@code The answer is 4.} or fails with its status; every request is
 * logged with its model, parsed body and start/end times, so tests check what reached the experts and when.
 */
final class FakeExperts implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One logged request. */
    record Logged(String model, JsonNode body, long startNanos, long endNanos) {
    }

    private final HttpServer server;
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final List<Logged> log = new CopyOnWriteArrayList<>();

    FakeExperts() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-experts");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
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

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            long start = System.nanoTime();
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            String model = body.path("model").asText();
            long delay = delays.getOrDefault(model, 0L);
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = statuses.getOrDefault(model, 200);
            String reply = status == 200
                    ? "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model + "\",\"choices\":[{\"index\":0,"
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"The answer is 4.\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,\"total_tokens\":25}}"
                    : "{\"error\":{\"message\":\"scripted " + status + " from " + model + "\"}}";
            log.add(new Logged(model, body, start, System.nanoTime()));
            byte[] b = reply.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
