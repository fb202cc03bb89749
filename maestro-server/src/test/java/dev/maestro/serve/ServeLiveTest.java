package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.policy.MajorityVotePolicy;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.runtime.MaestroRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served request path against live (OpenAI-compatible) experts on a fake endpoint: one turn's calls in parallel
 * with the ledger's latency the wall time, the record/replay cache and its per-request switch, the conversation and
 * sampling reaching the experts, unsupported parameters, the prompt cap, per-request knobs, the cost precheck, and
 * fallbacks with their health. The runtime is wired as {@code maestro serve} wires it.
 */
class ServeLiveTest {
    static final ObjectMapper M = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static FakeExperts fake;
    static MaestroRuntime rt;
    static MaestroServer vote;
    static MaestroServer fallback;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("serve-live");
        fake = new FakeExperts().delay("a", 300).delay("b", 300).delay("c", 300).failing("down", 500);
        Registry reg = Registry.of("live", List.of(fake.card("a", List.of()), fake.card("b", List.of()), fake.card("c", List.of()),
                fake.card("down", List.of("a"))), List.of(SkillCard.simple("direct", "answer directly", "{input}")));
        rt = MaestroRuntime.builder().registry(reg).env(Map.of()).cache(dir.resolve("cache.sqlite")).grader((t, a) -> 0)
                .costPrecheck(true).callThreads(16).build();
        MajorityVotePolicy three = new MajorityVotePolicy(List.of(new Pair("a", "direct"), new Pair("b", "direct"), new Pair("c", "direct")));
        vote = server(new Orchestrator("maestro", rt.environment(), three));
        fallback = server(new Orchestrator("maestro", rt.environment(), new FixedPairPolicy(new Pair("down", "direct"))));
    }

    static MaestroServer server(Orchestrator o) {
        return MaestroServer.builder(o).port(0).uncachedEnvironment(rt.uncached()).deployments(rt.deployments()).build().start();
    }

    @AfterAll
    static void stop() {
        vote.close();
        fallback.close();
        rt.close();
        fake.close();
    }

    static HttpResponse<String> post(MaestroServer s, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String ask(String question) {
        return "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":" + M.valueToTree(question) + "}]}";
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return M.readTree(r.body());
    }

    @Test
    void should_run_three_300ms_calls_of_one_turn_in_parallel_and_report_the_wall_time() throws Exception {
        post(vote, ask("warm-up: what is 1+1?"), "X-Maestro-Cache", "off"); // JIT and connections, not measured

        long t0 = System.nanoTime();
        HttpResponse<String> r = post(vote, ask("What is 2+2? (parallel)"), "X-Maestro-Cache", "off");
        double wallMs = (System.nanoTime() - t0) / 1e6;

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode n = json(r);
        assertThat(n.at("/choices/0/message/content").asText()).isEqualTo("4");
        assertThat(n.at("/maestro/calls")).hasSize(3);
        double ledgerMs = n.at("/maestro/totals/latency_ms").asDouble();
        assertThat(wallMs).as("3 x 300 ms in one turn").isLessThanOrEqualTo(450);
        assertThat(ledgerMs).as("ledger latency vs wall time %.0f ms", wallMs).isBetween(wallMs - 50, wallMs + 50);
        assertThat(n.at("/maestro/wall_ms").asDouble()).as("the episode's wall time in the server").isBetween(ledgerMs - 50, wallMs);
        List<FakeExperts.Logged> turn = fake.log().stream().filter(l -> l.body().toString().contains("(parallel)")).toList();
        assertThat(turn).hasSize(3);
        long spread = turn.stream().mapToLong(FakeExperts.Logged::startNanos).max().orElseThrow()
                - turn.stream().mapToLong(FakeExperts.Logged::startNanos).min().orElseThrow();
        assertThat(spread / 1e6).as("the three requests started together").isLessThan(100);
    }

    @Test
    void should_answer_an_identical_request_from_the_cache_unless_the_request_turns_it_off() throws Exception {
        String body = ask("What is 2+2? (cache)");
        assertThat(post(vote, body).statusCode()).isEqualTo(200);
        int after = fake.log().size();

        HttpResponse<String> again = post(vote, body);
        int afterAgain = fake.log().size();
        HttpResponse<String> off = post(vote, body, "X-Maestro-Cache", "off");

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(afterAgain).as("0 expert requests for the identical request").isEqualTo(after);
        assertThat(json(again).at("/maestro/settings/cache").asText()).isEqualTo("on");
        assertThat(fake.log().size()).as("cache off: every call made").isEqualTo(afterAgain + 3);
        assertThat(json(off).at("/maestro/settings/cache").asText()).isEqualTo("off");
    }

    @Test
    void should_send_the_system_prompt_earlier_turns_and_sampling_to_the_experts() throws Exception {
        String body = """
                {"model":"maestro","temperature":0.1,"max_tokens":50,"top_p":0.9,"stop":["END"],"seed":11,
                 "messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"My number is 17."},
                             {"role":"assistant","content":"Noted."},{"role":"user","content":"What is 2+2? (history)"}]}""";

        HttpResponse<String> r = post(vote, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<FakeExperts.Logged> sent = fake.log().stream().filter(l -> l.body().toString().contains("(history)")).toList();
        assertThat(sent).hasSize(3).allSatisfy(l -> {
            JsonNode msgs = l.body().get("messages");
            assertThat(msgs).hasSize(4);
            assertThat(msgs.get(0).get("role").asText()).isEqualTo("system");
            assertThat(msgs.get(0).get("content").asText()).isEqualTo("You are terse.");
            assertThat(msgs.get(1).toString()).contains("My number is 17.");
            assertThat(msgs.get(2).get("content").asText()).isEqualTo("Noted.");
            assertThat(l.body().get("temperature").asDouble()).isEqualTo(0.1);
            assertThat(l.body().path("max_tokens").asInt(l.body().path("max_completion_tokens").asInt())).isEqualTo(50);
            assertThat(l.body().get("top_p").asDouble()).isEqualTo(0.9);
            assertThat(l.body().get("stop").get(0).asText()).isEqualTo("END");
            assertThat(l.body().get("seed").asInt()).isEqualTo(11);
        });
        assertThat(json(r).at("/maestro/settings/history_messages").asInt()).isEqualTo(3);
    }

    @Test
    void should_refuse_unsupported_parameters_naming_them() throws Exception {
        Map<String, String> bodies = Map.of(
                "tools", "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"add\"}}]",
                "n", "\"n\":2",
                "response_format", "\"response_format\":{\"type\":\"json_object\"}",
                "logprobs", "\"logprobs\":true",
                "tool_choice", "\"tool_choice\":\"auto\"",
                "functions", "\"functions\":[]",
                "frequency_penalty", "\"frequency_penalty\":0.5");
        int before = fake.log().size();
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            HttpResponse<String> r = post(vote, "{\"model\":\"maestro\"," + e.getValue()
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}");

            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
            JsonNode err = json(r).get("error");
            assertThat(err.get("code").asText()).as(e.getKey()).isEqualTo("unsupported_parameter");
            assertThat(err.get("param").asText()).isEqualTo(e.getKey());
            assertThat(err.get("message").asText()).contains("'" + e.getKey() + "'");
        }
        assertThat(fake.log().size()).isEqualTo(before);
    }

    @Test
    void should_refuse_a_prompt_over_the_token_cap_before_calling_anything() throws Exception {
        int before = fake.log().size();
        String big = "Filler sentence for the prompt cap. ".repeat(30_000) + "What is 2+2?";

        HttpResponse<String> r = post(vote, ask(big));

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode err = json(r).get("error");
        assertThat(err.get("code").asText()).isEqualTo("prompt_too_long");
        assertThat(err.get("message").asText()).contains("estimated at 270,0").contains("cap of 32,768");
        assertThat(fake.log().size()).isEqualTo(before);
    }

    @Test
    void should_take_budget_knobs_from_headers_and_the_maestro_object_and_refuse_bad_ones() throws Exception {
        HttpResponse<String> oneCall = post(vote, ask("What is 2+2? (knobs)"), "X-Maestro-Max-Calls", "1");
        HttpResponse<String> bodyWins = post(vote, "{\"model\":\"maestro\",\"maestro\":{\"max_calls\":2,\"cost_weight\":0.5},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2? (knobs)\"}]}", "X-Maestro-Max-Calls", "1");
        HttpResponse<String> badHeader = post(vote, ask("What is 2+2?"), "X-Maestro-Max-Cost", "lots");
        HttpResponse<String> badField = post(vote, "{\"model\":\"maestro\",\"maestro\":{\"max_calls\":-1},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}");
        HttpResponse<String> unknown = post(vote, "{\"model\":\"maestro\",\"maestro\":{\"budget\":1},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}");

        assertThat(json(oneCall).at("/maestro/calls")).hasSize(1);
        assertThat(json(oneCall).at("/maestro/settings/max_calls").asInt()).isEqualTo(1);
        assertThat(json(bodyWins).at("/maestro/calls")).hasSize(2);
        assertThat(json(bodyWins).at("/maestro/settings/cost_weight/requested").asDouble()).isEqualTo(0.5);
        assertThat(json(bodyWins).at("/maestro/settings/cost_weight/applied").asBoolean())
                .as("majority-vote reads no cost weight").isFalse();
        assertThat(badHeader.statusCode()).isEqualTo(400);
        assertThat(json(badHeader).at("/error/param").asText()).isEqualTo("X-Maestro-Max-Cost");
        assertThat(badField.statusCode()).isEqualTo(400);
        assertThat(json(badField).at("/error/param").asText()).isEqualTo("maestro.max_calls");
        assertThat(json(badField).at("/error/message").asText()).contains("maestro.max_calls must be an integer in [0, 64]");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).at("/error/param").asText()).isEqualTo("maestro.budget");
    }

    @Test
    void should_refuse_a_call_whose_estimated_cost_exceeds_max_cost_before_making_it() throws Exception {
        int before = fake.log().size();

        HttpResponse<String> r = post(vote, "{\"model\":\"maestro\",\"maestro\":{\"max_cost\":0.0001},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2? (precheck)\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = json(r);
        assertThat(fake.log().size()).as("no expert request").isEqualTo(before);
        assertThat(n.at("/maestro/calls/0/error/message").asText()).contains("budget: the call is estimated at $0.002");
        assertThat(n.at("/choices/0/message/content").asText()).startsWith("No answer: every expert call failed")
                .contains("budget");
        assertThat(n.at("/maestro/no_answer").asText()).isNotBlank();
    }

    @Test
    void should_fall_back_when_the_primary_returns_500s_and_name_it_in_deep_health_and_metrics() throws Exception {
        HttpResponse<String> r = post(fallback, ask("What is 2+2? (fallback)"), "X-Maestro-Cache", "off");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode call = json(r).at("/maestro/calls/0");
        assertThat(json(r).at("/choices/0/message/content").asText()).isEqualTo("4");
        assertThat(call.get("model").asText()).isEqualTo("down");
        assertThat(call.at("/fallback/answered_by").asText()).isEqualTo("a");
        assertThat(call.at("/fallback/failed/0/model").asText()).isEqualTo("down");
        assertThat(call.at("/fallback/failed/0/kind").asText()).isEqualTo("http_status");
        assertThat(call.at("/fallback/failed/0/message").asText()).startsWith("500");

        JsonNode health = M.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(fallback.url() + "/health?deep=1")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(health.get("status").asText()).isEqualTo("degraded");
        assertThat(health.get("failing").toString()).contains("\"down\"");
        JsonNode down = null;
        for (JsonNode d : health.get("deployments")) {
            if (d.get("model").asText().equals("down")) {
                down = d;
            }
        }
        assertThat(down).isNotNull();
        assertThat(down.get("recent_error_rate").asDouble()).isEqualTo(1.0);
        assertThat(down.get("last_error").asText()).contains("500");
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(fallback.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("maestro_deployment_recent_error_rate{model=\"down\"} 1")
                .contains("maestro_deployment_breaker_open{model=\"down\"}")
                .contains("maestro_expert_fallbacks_total{model=\"down\",answered_by=\"a\"} 1");
    }
}
