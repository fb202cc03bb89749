package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.episode.EpisodeView;
import dev.maestro.episode.Policy;
import dev.maestro.protocol.Action;
import dev.maestro.protocol.Call;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StreamingTest {
    static final ObjectMapper M = new ObjectMapper();

    /** Two sequential calls, then adopts the second answer. */
    static final Policy TWO_STEPS = new Policy() {
        @Override public String name() { return "two-steps"; }

        @Override
        public Action decide(EpisodeView view, RandomGenerator rng) {
            return switch (view.turn()) {
                case 0 -> Action.Search.of(new Call("Chart-R1", "cot", "first look"));
                case 1 -> Action.Search.of(new Call("Chart-R1", "Chart_Problem_Solver", "second look"));
                default -> Action.Answer.from(1, "");
            };
        }
    };

    @Test
    void should_send_each_step_as_soon_as_it_finishes() throws Exception {
        TestRig rig = TestRig.slow(400);
        Orchestrator o = new Orchestrator("maestro", rig.environment, TWO_STEPS);
        try (MaestroServer s = MaestroServer.builder(o).port(0).build().start()) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(s.url() + MaestroServer.CHAT)).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"maestro\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}")).build();
            List<long[]> arrivals = new ArrayList<>(); // {kind, millis}: 1 = step, 2 = done
            List<JsonNode> steps = new ArrayList<>();
            long t0 = System.nanoTime();

            HttpResponse<Stream<String>> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofLines());
            r.body().filter(l -> l.startsWith("data: ")).forEach(l -> {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (l.equals("data: [DONE]")) {
                    arrivals.add(new long[] {2, ms});
                    return;
                }
                try {
                    JsonNode n = M.readTree(l.substring(6));
                    if (n.at("/maestro/step").isObject()) {
                        steps.add(n.at("/maestro/step"));
                        arrivals.add(new long[] {1, ms});
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            assertThat(steps).hasSize(2);
            assertThat(steps.get(0).path("action").asText()).contains("Chart-R1@@cot: first look");
            assertThat(steps.get(1).path("action").asText()).contains("Chart-R1@@Chart_Problem_Solver: second look");
            long firstStep = arrivals.get(0)[1];
            long done = arrivals.get(arrivals.size() - 1)[1];
            assertThat(arrivals.get(arrivals.size() - 1)[0]).isEqualTo(2);
            assertThat(done - firstStep).as("the first step arrives while the second 400 ms call is still running").isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void should_answer_413_for_a_chunked_body_over_the_limit() throws Exception {
        TestRig rig = TestRig.fast();
        try (MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).maxBodyBytes(10_000).build().start()) {
            byte[] big = ("{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "y".repeat(50_000) + "\"}]}").getBytes();
            HttpRequest req = HttpRequest.newBuilder(URI.create(s.url() + MaestroServer.CHAT))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(big))).build();

            HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());

            ChatApiTest.assertError(r, 413, "invalid_request_error", "request_too_large");
            assertThat(rig.calls.get()).isZero();
        }
    }
}
