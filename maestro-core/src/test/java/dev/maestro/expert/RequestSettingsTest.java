package dev.maestro.expert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.RequestSettings;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model card's request settings (models.yaml: temperature ... extra-body) reach the endpoint and the cache key. */
class RequestSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tok-GATEWAY-secret-91d2";

    private static RequestSettings settings() {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("repetition_penalty", 1.1);
        extra.put("chat_template_kwargs", Map.of("enable_thinking", false));
        return RequestSettings.builder().temperature(0.0).topP(0.9).maxTokens(64).seed(1234).stop(List.of("</answer>"))
                .systemPrompt("You are terse.")
                .headers(Map.of("X-Gateway-Token", "Bearer ${GATEWAY_TOKEN}", "X-Route", "fast"))
                .extraBody(extra).build();
    }

    private static ModelCard card(String baseUrl, RequestSettings s) {
        return Fixtures.openAiModel(baseUrl).newBuilder().request(s).build();
    }

    private static EnvLookup env() {
        return EnvLookup.of(Map.of("FAKE_API_KEY", Fixtures.SECRET, "GATEWAY_TOKEN", TOKEN));
    }

    @Test
    void should_send_every_setting_of_the_model_card() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            // given
            ModelCard model = card(server.baseUrl(), settings());

            // when
            ExpertReply reply = OpenAiExpert.create(model, env()).call(Fixtures.request(model, "What is 2+2?"));

            // then
            assertThat(reply.ok()).as("%s", reply.error()).isTrue();
            FakeOpenAiServer.Request r = server.received().get(0);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("temperature").asDouble()).isEqualTo(0.0);
            assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
            assertThat(body.path("max_tokens").asInt(body.path("max_completion_tokens").asInt())).isEqualTo(64);
            assertThat(body.get("seed").asInt()).isEqualTo(1234);
            assertThat(body.get("stop").get(0).asText()).isEqualTo("</answer>");
            assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
            assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo("You are terse.");
            assertThat(body.get("messages").get(1).get("role").asText()).isEqualTo("user");
            assertThat(body.get("repetition_penalty").asDouble()).isEqualTo(1.1);
            assertThat(body.get("chat_template_kwargs").get("enable_thinking").asBoolean()).isFalse();
            assertThat(r.header("X-Gateway-Token")).contains("Bearer " + TOKEN);
            assertThat(r.header("X-Route")).contains("fast");
            assertThat(r.authorization()).isEqualTo("Bearer " + Fixtures.SECRET);
        }
    }

    @Test
    void should_let_the_card_override_the_requested_sampling_and_keep_the_rest() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            ModelCard model = card(server.baseUrl(), RequestSettings.builder().temperature(0.7).build());

            OpenAiExpert.create(model, env()).call(Fixtures.request(model, "q"));

            JsonNode body = JSON.readTree(server.received().get(0).body());
            assertThat(body.get("temperature").asDouble()).isEqualTo(0.7);
            assertThat(body.path("max_tokens").asInt(body.path("max_completion_tokens").asInt()))
                    .isEqualTo(ExpertRequest.Sampling.DEFAULT.maxTokens());
            assertThat(body.has("top_p")).isFalse();
            assertThat(body.get("messages")).hasSize(1);
        }
    }

    @Test
    void should_redact_a_header_value_read_from_the_environment_like_the_key() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            // given a gateway that echoes the header token in its error
            server.always(Reply.of(403, "{\"error\":{\"message\":\"token " + TOKEN + " is not allowed here\"}}"));
            ModelCard model = card(server.baseUrl(), settings());

            // when
            ExpertReply reply = OpenAiExpert.create(model, env()).call(Fixtures.request(model, "q"));

            // then
            ExpertError e = reply.error().orElseThrow();
            assertThat(e.message()).startsWith("403").contains("token *** is not allowed").doesNotContain(TOKEN);
            assertThat(model.toString()).doesNotContain(TOKEN);
        }
    }

    @Test
    void should_refuse_to_wire_a_header_whose_variable_is_not_set() {
        ModelCard model = card("http://127.0.0.1:9/v1", settings());

        assertThatThrownBy(() -> OpenAiExpert.create(model, Fixtures.env()))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("model 'Fake-VL'").hasMessageContaining("header 'X-Gateway-Token'")
                .hasMessageContaining("GATEWAY_TOKEN");
    }

    @Test
    void should_make_request_settings_part_of_the_cache_key(@TempDir Path dir) throws Exception {
        // given: the same prompt to cards that differ only in one setting, or only in a header's secret value
        ModelCard plain = card("http://127.0.0.1:9/v1", RequestSettings.NONE);
        ModelCard set = card("http://127.0.0.1:9/v1", settings());
        ModelCard otherTemperature = card("http://127.0.0.1:9/v1", settings().newBuilder().temperature(0.3).build());
        ModelCard otherBody = card("http://127.0.0.1:9/v1", settings().newBuilder()
                .extraBody(Map.of("chat_template_kwargs", Map.of("enable_thinking", true), "repetition_penalty", 1.1))
                .build());

        String k = CachingExpert.key(Fixtures.request(set, "q")).orElseThrow();

        // then every setting changes the key; a reordered but equal extra body does not
        assertThat(CachingExpert.key(Fixtures.request(plain, "q"))).isNotEqualTo(Optional.of(k));
        assertThat(CachingExpert.key(Fixtures.request(otherTemperature, "q"))).isNotEqualTo(Optional.of(k));
        assertThat(CachingExpert.key(Fixtures.request(otherBody, "q"))).isNotEqualTo(Optional.of(k));
        ModelCard reordered = card("http://127.0.0.1:9/v1", settings().newBuilder()
                .extraBody(Map.of("chat_template_kwargs", Map.of("enable_thinking", false), "repetition_penalty", 1.1))
                .build());
        assertThat(CachingExpert.key(Fixtures.request(reordered, "q"))).contains(k);
        // the key holds the header template, never the token read from the environment
        assertThat(CachingExpert.canonical(settings())).contains("${GATEWAY_TOKEN}").doesNotContain(TOKEN);

        // and a recorded reply is replayed only for the same settings
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            ModelCard a = card(server.baseUrl(), settings());
            ModelCard b = card(server.baseUrl(), settings().newBuilder().temperature(0.3).build());
            Path file = dir.resolve("cache.sqlite");
            try (CachingExpert ca = CachingExpert.open(OpenAiExpert.create(a, env()), file);
                 CachingExpert cb = CachingExpert.open(OpenAiExpert.create(b, env()), file)) {
                ca.call(Fixtures.request(a, "q"));
                ca.call(Fixtures.request(a, "q"));
                cb.call(Fixtures.request(b, "q"));
            }
            assertThat(server.requests()).isEqualTo(2);
        }
    }
}
