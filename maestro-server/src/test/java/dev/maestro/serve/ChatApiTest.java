package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.maestro.skill.tool.ImageBombs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChatApiTest {
    static final String KEY = "sk-test-key-123";
    static final ObjectMapper M = new ObjectMapper();
    static TestRig rig;
    static MaestroServer server;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        rig = TestRig.fast();
        server = MaestroServer.builder(rig.orchestrator).port(0).keys(ApiKeys.of(List.of(KEY))).requireAuth(true)
                .maxBodyBytes(64 * 1024).build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(20)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String chatBody(String question) {
        return "{\"model\":\"maestro\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":"
                + M.valueToTree(question) + "}]}";
    }

    @Test
    void should_answer_through_langchain4j_chat_model() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.url() + "/v1").apiKey(KEY).modelName("maestro")
                .timeout(Duration.ofSeconds(20)).maxRetries(0).build();

        ChatResponse r = model.chat(ChatRequest.builder().messages(UserMessage.from("What ride-hailing start-up had 88 percent growth?")).build());

        assertThat(r.aiMessage().text()).isEqualTo("Go-Jek");
        assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(120);
        assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(30);
        assertThat(r.tokenUsage().totalTokenCount()).isEqualTo(150);
    }

    @Test
    void should_stream_through_langchain4j_streaming_model() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.url() + "/v1").apiKey(KEY)
                .modelName("maestro").timeout(Duration.ofSeconds(20)).build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        model.chat("What ride-hailing start-up had 88 percent growth?", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) { partials.add(partial); }
            @Override public void onCompleteResponse(ChatResponse response) { done.complete(response); }
            @Override public void onError(Throwable error) { done.completeExceptionally(error); }
        });
        ChatResponse r = done.get(20, TimeUnit.SECONDS);

        assertThat(String.join("", partials)).isEqualTo("Go-Jek");
        assertThat(r.aiMessage().text()).isEqualTo("Go-Jek");
        assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(120);
    }

    @Test
    void should_stream_one_step_chunk_before_the_answer_then_done() throws Exception {
        String body = "{\"model\":\"maestro\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"growth?\"}]}";

        HttpResponse<String> r = post(MaestroServer.CHAT, body, KEY);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        String[] frames = r.body().split("\n\n");
        assertThat(frames).allMatch(f -> f.startsWith("data: "));
        assertThat(frames[frames.length - 1]).isEqualTo("data: [DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (int i = 0; i < frames.length - 1; i++) {
            chunks.add(M.readTree(frames[i].substring(6)));
        }
        assertThat(chunks).hasSize(4);
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        JsonNode step = chunks.get(1).at("/maestro/step");
        assertThat(step.path("turn").asInt()).isEqualTo(0);
        assertThat(step.path("action").asText()).startsWith("<search> Chart-R1@@Chart_Problem_Solver: growth?");
        assertThat(step.at("/observations/0/answer").asText()).isEqualTo("Go-Jek");
        assertThat(chunks.get(1).at("/choices/0/delta/content").isMissingNode()).isTrue();
        assertThat(chunks.get(2).at("/choices/0/delta/content").asText()).isEqualTo("Go-Jek");
        assertThat(chunks.get(3).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(chunks.get(3).at("/usage/total_tokens").asInt()).isEqualTo(150);
        assertThat(chunks.get(3).at("/maestro/totals/calls").asInt()).isEqualTo(1);
        assertThat(chunks).allMatch(c -> c.path("object").asText().equals("chat.completion.chunk"));
    }

    @Test
    void should_return_answer_calls_and_totals_in_the_maestro_object() throws Exception {
        HttpResponse<String> r = post(MaestroServer.CHAT, chatBody("What grew 88%?"), KEY);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = M.readTree(r.body());
        assertThat(n.path("object").asText()).isEqualTo("chat.completion");
        assertThat(n.path("model").asText()).isEqualTo("maestro");
        assertThat(n.at("/choices/0/message/content").asText()).isEqualTo("Go-Jek");
        assertThat(n.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode call = n.at("/maestro/calls/0");
        assertThat(call.path("model").asText()).isEqualTo("Chart-R1");
        assertThat(call.path("skill").asText()).isEqualTo("Chart_Problem_Solver");
        assertThat(call.at("/tokens/input").asInt()).isEqualTo(120);
        assertThat(call.path("cost_usd").asDouble()).isEqualTo(0.0042);
        assertThat(call.path("latency_ms").asDouble()).isEqualTo(12.5);
        assertThat(call.path("error").isNull()).isTrue();
        assertThat(n.at("/maestro/totals/calls").asInt()).isEqualTo(1);
        assertThat(n.at("/maestro/totals/cost_usd").asDouble()).isEqualTo(0.0042);
        assertThat(n.at("/usage/prompt_tokens").asInt()).isEqualTo(120);
        assertThat(n.at("/usage/completion_tokens").asInt()).isEqualTo(30);
        assertThat(n.at("/maestro/episode_id").asText()).isEqualTo(n.path("id").asText()).startsWith("chatcmpl-");
    }

    @Test
    void should_apply_the_per_request_budget() throws Exception {
        String body = "{\"model\":\"maestro\",\"maestro\":{\"max_calls\":0},\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";

        JsonNode n = M.readTree(post(MaestroServer.CHAT, body, KEY).body());

        assertThat(n.at("/maestro/totals/calls").asInt()).isZero();
        assertThat(n.at("/maestro/totals/answered").asBoolean()).isFalse();
        // never an empty string: the content says there is no answer and why
        assertThat(n.at("/choices/0/message/content").asText()).startsWith("No answer: ").contains("called no expert");
        assertThat(n.at("/maestro/no_answer").asText()).contains("called no expert");
    }

    @Test
    void should_refuse_a_bad_budget_with_400() throws Exception {
        String body = "{\"model\":\"maestro\",\"maestro\":{\"max_calls\":-1},\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";

        HttpResponse<String> r = post(MaestroServer.CHAT, body, KEY);

        assertError(r, 400, "invalid_request_error", "invalid_budget");
        assertThat(M.readTree(r.body()).at("/error/message").asText()).contains("max_calls");
    }

    @Test
    void should_accept_a_data_url_image_part() throws Exception {
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(ImageBombs.png(4, 3));
        String body = "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"read it\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + png + "\"}}]}]}";

        HttpResponse<String> r = post(MaestroServer.CHAT, body, KEY);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(M.readTree(r.body()).at("/choices/0/message/content").asText()).isEqualTo("Go-Jek");
    }

    @Test
    void should_refuse_a_decompression_bomb_at_the_door_with_400_naming_the_limit() throws Exception {
        // given: a valid 8000x6000 PNG of zero rows, tens of kilobytes, far under the 20 MB body limit
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(ImageBombs.pngZeroRows(8_000, 6_000));
        String body = "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"read it\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + png + "\"}}]}]}";
        int before = rig.calls.get();

        // when
        HttpResponse<String> r = post(MaestroServer.CHAT, body, KEY);

        // then: refused before any expert saw it
        assertError(r, 400, "invalid_request_error", "image_too_large");
        assertThat(M.readTree(r.body()).at("/error/message").asText()).contains("8000x6000").contains("the limit is 40 MP");
        assertThat(rig.calls.get()).isEqualTo(before);
    }

    @Test
    void should_answer_400_not_500_for_json_nested_beyond_the_parser_limit() throws Exception {
        String body = "{\"model\":\"maestro\",\"messages\":" + "[".repeat(3000) + "]".repeat(3000) + "}";

        HttpResponse<String> r = post(MaestroServer.CHAT, body, KEY);

        assertError(r, 400, "invalid_request_error", "invalid_json");
        assertThat(r.body()).doesNotContain("Exception");
    }

    @Test
    void should_refuse_a_remote_image_url_with_400() throws Exception {
        String body = "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"read it\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://169.254.169.254/latest/meta-data\"}}]}]}";

        HttpResponse<String> r = post(MaestroServer.CHAT, body, KEY);

        assertError(r, 400, "invalid_request_error", "remote_image_not_allowed");
        assertThat(M.readTree(r.body()).at("/error/message").asText()).contains("messages[0].content[1]").contains("allowlist");
    }

    @Test
    void should_answer_401_without_or_with_a_wrong_key() throws Exception {
        assertError(post(MaestroServer.CHAT, chatBody("q"), null), 401, "authentication_error", "invalid_api_key");
        HttpResponse<String> wrong = post(MaestroServer.CHAT, chatBody("q"), "sk-wrong");
        assertError(wrong, 401, "authentication_error", "invalid_api_key");
        assertThat(wrong.body()).doesNotContain("sk-wrong");
        assertError(get("/v1/models", null), 401, "authentication_error", "invalid_api_key");
    }

    @Test
    void should_answer_404_model_not_found_for_another_model() throws Exception {
        HttpResponse<String> r = post(MaestroServer.CHAT, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}", KEY);

        assertError(r, 404, "invalid_request_error", "model_not_found");
        assertThat(M.readTree(r.body()).at("/error/message").asText()).contains("gpt-4o").contains("maestro");
    }

    @Test
    void should_answer_404_in_openai_shape_for_an_unknown_path() throws Exception {
        HttpResponse<String> r = get("/v1/nope", KEY);

        assertError(r, 404, "invalid_request_error", "not_found");
        assertThat(M.readTree(r.body()).at("/error/message").asText()).contains("/v1/nope");
    }

    @Test
    void should_answer_413_for_a_body_over_the_limit() throws Exception {
        String big = chatBody("x".repeat(100 * 1024));

        HttpResponse<String> r = post(MaestroServer.CHAT, big, KEY);

        assertError(r, 413, "invalid_request_error", "request_too_large");
    }

    @Test
    void should_answer_400_for_invalid_json_without_a_stack_trace() throws Exception {
        HttpResponse<String> r = post(MaestroServer.CHAT, "{\"model\": \"maestro\", \"messages\": [", KEY);

        assertError(r, 400, "invalid_request_error", "invalid_json");
        assertThat(r.body()).doesNotContain("at com.").doesNotContain("Exception");
    }

    @Test
    void should_list_the_orchestrator_as_a_model_and_report_health() throws Exception {
        JsonNode models = M.readTree(get("/v1/models", KEY).body());
        assertThat(models.at("/data/0/id").asText()).isEqualTo("maestro");
        assertThat(models.at("/data/0/object").asText()).isEqualTo("model");

        HttpResponse<String> health = get("/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(M.readTree(health.body()).path("status").asText()).isEqualTo("ok");
    }

    @Test
    void should_expose_prometheus_metrics_after_a_call() throws Exception {
        post(MaestroServer.CHAT, chatBody("metrics?"), KEY);

        String text = get("/metrics", KEY).body();

        assertThat(text).contains("# TYPE maestro_expert_calls_total counter");
        assertThat(text).containsPattern("maestro_expert_calls_total\\{model=\"Chart-R1\",skill=\"Chart_Problem_Solver\"} [1-9]");
        assertThat(text).contains("maestro_expert_latency_seconds_bucket{model=\"Chart-R1\",le=\"0.025\"}");
        assertThat(text).contains("maestro_expert_latency_seconds_bucket{model=\"Chart-R1\",le=\"+Inf\"}");
        assertThat(text).containsPattern("maestro_requests_total\\{endpoint=\"/v1/chat/completions\",status=\"200\"} [1-9]");
        assertThat(text).containsPattern("maestro_expert_cost_usd_total\\{model=\"Chart-R1\"} 0\\.0\\d+");
        assertThat(text).doesNotContain(KEY);
    }

    static void assertError(HttpResponse<String> r, int status, String type, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode e = M.readTree(r.body()).path("error");
        assertThat(e.path("type").asText()).isEqualTo(type);
        assertThat(e.path("code").asText()).isEqualTo(code);
        assertThat(e.path("message").asText()).isNotBlank();
    }
}
