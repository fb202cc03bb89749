package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.registry.Backend;
import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Price;
import dev.maestro.registry.RequestSettings;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each native backend against a fake server on 127.0.0.1 speaking that provider's wire format: the request carries
 * the prompt, the image in the provider's shape, the model and the key where the provider expects them; usage
 * becomes cost from the card's price; every error kind maps as it does for {@code openai}; and the wired expert
 * (retries, breaker, request counting) retries a 5xx.
 */
class NativeBackendsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-native-TEST-4b1d9e";
    private static final Price PRICE = new Price(3.0, 15.0);
    /** A 1x1 PNG. */
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    @TempDir
    Path dir;

    /** How one provider speaks. */
    record Wire(Backend backend, String modelName, Map<String, Object> settings,
                Function<String, String> path, // model name → expected path (with query)
                String keyHeader, String keyPrefix,
                String okBody, // text "Paris", 100 in, 20 out
                Function<String, String> errorBody, // message → body
                Function<JsonNode, String> prompt, Function<JsonNode, String> imageBase64) {
        @Override
        public String toString() {
            return backend.id();
        }
    }

    static Stream<Arguments> wires() {
        Wire anthropic = new Wire(Backend.ANTHROPIC, "claude-test", Map.of(), m -> "/v1/messages",
                "x-api-key", "",
                "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-test\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Paris\"}],\"stop_reason\":\"end_turn\","
                        + "\"usage\":{\"input_tokens\":100,\"output_tokens\":20}}",
                msg -> "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"" + msg + "\"}}",
                b -> b.at("/messages/0/content/0/text").asText(),
                b -> b.at("/messages/0/content/1/source/data").asText());
        Wire gemini = new Wire(Backend.GEMINI, "gemini-test", Map.of(), m -> "/v1beta/models/" + m + ":generateContent",
                "x-goog-api-key", "",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Paris\"}],\"role\":\"model\"},"
                        + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":100,"
                        + "\"candidatesTokenCount\":20,\"totalTokenCount\":120}}",
                msg -> "{\"error\":{\"code\":500,\"message\":\"" + msg + "\",\"status\":\"INTERNAL\"}}",
                b -> b.at("/contents/0/parts/0/text").asText(),
                b -> b.at("/contents/0/parts/1/inlineData/data").asText());
        Wire ollama = new Wire(Backend.OLLAMA, "llava-test", Map.of(), m -> "/api/chat",
                "Authorization", "Bearer ",
                "{\"model\":\"llava-test\",\"created_at\":\"2026-12-05T00:00:00Z\",\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"Paris\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":100,"
                        + "\"eval_count\":20}",
                msg -> "{\"error\":\"" + msg + "\"}",
                b -> b.at("/messages/0/content").asText(),
                b -> b.at("/messages/0/images/0").asText());
        Wire azure = new Wire(Backend.AZURE_OPENAI, "gpt-4o-test", Map.of("deployment", "my-deploy",
                "api-version", "2024-06-01"),
                m -> "/openai/deployments/my-deploy/chat/completions?api-version=2024-06-01",
                "api-key", "",
                "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"Paris\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20,\"total_tokens\":120}}",
                msg -> "{\"error\":{\"code\":\"500\",\"message\":\"" + msg + "\"}}",
                b -> b.at("/messages/0/content/0/text").asText(),
                b -> b.at("/messages/0/content/1/image_url/url").asText().replaceFirst("^data:image/png;base64,", ""));
        return Stream.of(anthropic, gemini, ollama, azure).map(Arguments::of);
    }

    private ModelCard card(Wire w, String baseUrl, Duration timeout) {
        String base = switch (w.backend()) {
            case ANTHROPIC -> baseUrl + "/v1";
            case GEMINI -> baseUrl + "/v1beta";
            default -> baseUrl;
        };
        return ModelCard.builder("m-" + w.backend().id(), w.backend()).baseUrl(base).modelName(w.modelName())
                .apiKeyEnv("PROVIDER_KEY").price(PRICE).timeout(timeout).modalities(Set.of(Modality.TEXT,
                        Modality.IMAGE)).settings(w.settings()).build();
    }

    private static EnvLookup env() {
        return EnvLookup.of(Map.of("PROVIDER_KEY", KEY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wires")
    void should_send_prompt_image_model_and_key_in_the_providers_shape_and_price_the_usage(Wire w) throws Exception {
        Path image = Files.write(dir.resolve("dot.png"), PNG);
        try (FakeOpenAiServer server = FakeOpenAiServer.start(request -> Reply.of(200, w.okBody()))) {
            ModelCard m = card(w, server.origin(), Duration.ofSeconds(5));
            ExpertReply reply = Experts.live(m, env()).call(Fixtures.request(m, "What is the capital of France?",
                    List.of(image)));

            assertThat(reply.ok()).as(reply.toString()).isTrue();
            assertThat(reply.text()).contains("Paris");
            assertThat(reply.usage()).isEqualTo(new Usage(100, 20));
            assertThat(reply.costUsd()).isCloseTo(100 * 3.0 / 1e6 + 20 * 15.0 / 1e6, Offset.offset(1e-12));
            FakeOpenAiServer.Request req = server.received().get(0);
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.pathAndQuery()).isEqualTo(w.path().apply(w.modelName()));
            assertThat(req.header(w.keyHeader())).contains(w.keyPrefix() + KEY);
            JsonNode body = JSON.readTree(req.body());
            assertThat(w.prompt().apply(body)).isEqualTo("What is the capital of France?");
            assertThat(w.imageBase64().apply(body)).isEqualTo(Base64.getEncoder().encodeToString(PNG));
            if (w.backend() != Backend.AZURE_OPENAI && w.backend() != Backend.GEMINI) {
                assertThat(req.body()).contains(w.modelName()); // Azure and Gemini name it in the path
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wires")
    void should_map_each_error_to_the_same_kind_as_openai_and_never_echo_the_key(Wire w) throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(request -> Reply.of(200, w.okBody()))) {
            server.then(
                    Reply.of(429, w.errorBody().apply("slow down")).withHeader("Retry-After", "2"),
                    Reply.of(401, w.errorBody().apply("bad key " + KEY)),
                    Reply.of(503, w.errorBody().apply("overloaded")),
                    Reply.of(408, w.errorBody().apply("took too long")),
                    Reply.of(200, "this is not json"),
                    Reply.of(200, w.okBody()).delayed(1500));
            ModelCard m = card(w, server.origin(), Duration.ofMillis(700));
            Expert e = Experts.live(m, env());

            ExpertError rate = e.call(Fixtures.request(m, "q")).error().orElseThrow();
            assertThat(rate.kind()).isEqualTo(ExpertError.Kind.RATE_LIMITED);
            assertThat(RetryingExpert.retryAfter(rate)).contains(Duration.ofSeconds(2));
            ExpertError auth = e.call(Fixtures.request(m, "q")).error().orElseThrow();
            assertThat(auth.kind()).isEqualTo(ExpertError.Kind.HTTP_STATUS);
            assertThat(auth.message()).startsWith("401").doesNotContain(KEY).contains("***");
            assertThat(auth.retryable()).isFalse();
            ExpertError down = e.call(Fixtures.request(m, "q")).error().orElseThrow();
            assertThat(down.kind()).isEqualTo(ExpertError.Kind.HTTP_STATUS);
            assertThat(down.retryable()).isTrue();
            assertThat(e.call(Fixtures.request(m, "q")).error().orElseThrow().kind()).isEqualTo(ExpertError.Kind.TIMEOUT);
            ExpertError unreadable = e.call(Fixtures.request(m, "q")).error().orElseThrow();
            assertThat(unreadable.kind()).as(unreadable.message()).isEqualTo(ExpertError.Kind.BAD_RESPONSE);
            assertThat(e.call(Fixtures.request(m, "q")).error().orElseThrow().kind()).isEqualTo(ExpertError.Kind.TIMEOUT);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        ModelCard dead = card(w, "http://127.0.0.1:" + closed, Duration.ofSeconds(2));
        ExpertError io = Experts.live(dead, env()).call(Fixtures.request(dead, "q")).error().orElseThrow();
        assertThat(io.kind()).isEqualTo(ExpertError.Kind.IO);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wires")
    void should_retry_a_5xx_through_the_wired_decorators_and_count_both_requests(Wire w) throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(request -> Reply.of(200, w.okBody()))) {
            server.then(Reply.of(503, w.errorBody().apply("try again")));
            ModelCard m = card(w, server.origin(), Duration.ofSeconds(5));
            CallLog requests = CallLog.create();
            Expert wired = Experts.forModel(m, Experts.Options.builder().env(env()).requests(requests)
                    .retryBaseDelay(Duration.ofMillis(1)).sleeper(ms -> { }).build());

            ExpertReply reply = wired.call(Fixtures.request(m, "q"));

            assertThat(reply.ok()).as(reply.toString()).isTrue();
            assertThat(server.received()).hasSize(2);
            assertThat(requests.counts().values().stream().mapToLong(CallCounts::calls).sum()).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wires")
    void should_cap_the_response_body_and_redact_an_echoed_key_from_the_completion(Wire w) throws Exception {
        String big = w.okBody().replace("Paris", "x".repeat(4000));
        String echo = w.okBody().replace("Paris", "your key is " + KEY);
        try (FakeOpenAiServer server = FakeOpenAiServer.start(request -> Reply.of(200, echo))) {
            server.then(Reply.of(200, big));
            Map<String, Object> settings = new HashMap<>(w.settings());
            settings.put("max-response-bytes", "2k");
            ModelCard m = card(w, server.origin(), Duration.ofSeconds(5)).newBuilder().settings(settings).build();
            Expert e = Experts.live(m, env());

            ExpertError tooBig = e.call(Fixtures.request(m, "q")).error().orElseThrow();
            assertThat(tooBig.kind()).isEqualTo(ExpertError.Kind.BAD_RESPONSE);
            assertThat(tooBig.message()).contains("max-response-bytes").contains(m.id());
            ExpertReply echoed = e.call(Fixtures.request(m, "q"));
            assertThat(echoed.text().orElseThrow()).contains("your key is ***").doesNotContain(KEY);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wires")
    void should_send_the_cards_request_settings(Wire w) throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(request -> Reply.of(200, w.okBody()))) {
            ModelCard m = card(w, server.origin(), Duration.ofSeconds(5)).newBuilder().request(RequestSettings.builder()
                    .temperature(0.25).maxTokens(77).stop(List.of("STOP-HERE")).systemPrompt("Be terse.")
                    .headers(Map.of("X-Team", "maestro")).build()).build();
            assertThat(Experts.live(m, env()).call(Fixtures.request(m, "q")).ok()).isTrue();
            FakeOpenAiServer.Request req = server.received().get(0);
            assertThat(req.header("X-Team")).contains("maestro");
            assertThat(req.body()).contains("0.25").contains("77").contains("STOP-HERE").contains("Be terse.");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wires")
    void should_refuse_an_image_type_the_provider_does_not_take_without_calling_it(Wire w) throws Exception {
        Path tiff = Files.write(dir.resolve("scan.tiff"), new byte[] {1, 2, 3});
        try (FakeOpenAiServer server = FakeOpenAiServer.start(request -> Reply.of(200, w.okBody()))) {
            ModelCard m = card(w, server.origin(), Duration.ofSeconds(5));
            ExpertError e = Experts.live(m, env()).call(Fixtures.request(m, "q", List.of(tiff))).error().orElseThrow();
            assertThat(e.kind()).isEqualTo(ExpertError.Kind.INVALID_REQUEST);
            assertThat(e.message()).contains("scan.tiff").contains("png");
            assertThat(server.received()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wires")
    void should_fail_fast_naming_the_variable_when_the_key_is_not_set(Wire w) throws IOException {
        ModelCard m = card(w, "http://127.0.0.1:9", Duration.ofSeconds(1));
        if (w.backend() == Backend.OLLAMA) {
            assertThatThrownBy(() -> Experts.live(m, EnvLookup.of(Map.of()))).isInstanceOf(MaestroException.class)
                    .hasMessageContaining("PROVIDER_KEY");
            return;
        }
        assertThatThrownBy(() -> Experts.live(m, EnvLookup.of(Map.of()))).isInstanceOf(MaestroException.class)
                .hasMessageContaining("PROVIDER_KEY").hasMessageContaining(m.id());
        ModelCard noKey = ModelCard.builder(m.id(), m.backend()).baseUrl("http://127.0.0.1:9").modelName("x")
                .settings(w.settings()).build();
        assertThatThrownBy(() -> Experts.live(noKey, env())).isInstanceOf(MaestroException.class)
                .hasMessageContaining("api-key-env");
    }
}
