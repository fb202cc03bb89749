package dev.maestro.expert;

import static dev.maestro.expert.Fixtures.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.registry.ModelCard;
import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiExpertTest {
    private FakeOpenAiServer server;
    private ModelCard model;

    @BeforeEach
    void start() throws IOException {
        server = FakeOpenAiServer.start();
        model = Fixtures.openAiModel(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void should_return_text_usage_and_cost_and_send_images_as_data_urls(@TempDir Path dir) throws Exception {
        // given
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3, 4};
        byte[] jpg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 9, 8, 7};
        Path a = Files.write(dir.resolve("a.png"), png);
        Path b = Files.write(dir.resolve("b.JPG"), jpg);
        server.then(Reply.ok("The answer is 4.", 1200, 30));
        OpenAiExpert expert = OpenAiExpert.create(model, Fixtures.env());
        ExpertRequest req = new ExpertRequest(Fixtures.request(model, "Solve: 2+2").task(), model,
                Fixtures.request(model, "x").skill(), "Solve: 2+2", List.of(a, b),
                new ExpertRequest.Sampling(0.0, 256, Optional.of(42L)));

        // when
        ExpertReply reply = expert.call(req);

        // then
        assertThat(reply.ok()).as(reply.error().map(Object::toString).orElse("")).isTrue();
        assertThat(reply.text()).contains("The answer is 4.");
        assertThat(reply.usage()).isEqualTo(new Usage(1200, 30));
        assertThat(reply.costUsd()).isCloseTo((1200 * 2.0 + 30 * 8.0) / 1e6, Offset.offset(1e-12));
        assertThat(reply.latencyMs()).isPositive();
        assertThat(reply.simulated()).isFalse();

        assertThat(server.requests()).isEqualTo(1);
        FakeOpenAiServer.Request got = server.received().get(0);
        assertThat(got.path()).isEqualTo("/v1/chat/completions");
        assertThat(got.authorization()).isEqualTo("Bearer " + SECRET);
        JsonNode body = new ObjectMapper().readTree(got.body());
        assertThat(body.path("model").asText()).isEqualTo("fake-vl-7b");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.0);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("seed").asInt()).isEqualTo(42);
        List<String> urls = new ArrayList<>();
        body.path("messages").get(0).path("content").forEach(part -> {
            if (part.path("type").asText().equals("image_url")) {
                urls.add(part.path("image_url").path("url").asText());
            }
        });
        assertThat(urls).containsExactly(
                "data:image/png;base64," + Base64.getEncoder().encodeToString(png),
                "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpg));
        assertThat(got.body()).contains("Solve: 2+2");
    }

    @Test
    void should_send_a_dummy_key_when_no_key_variable_is_named() {
        // given
        ModelCard local = model.newBuilder().build();
        ModelCard noKey = ModelCard.builder(local.id(), local.backend()).baseUrl(server.baseUrl()).build();

        // when
        ExpertReply reply = OpenAiExpert.create(noKey, EnvLookup.of(Map.of())).call(Fixtures.request(noKey, "hi"));

        // then
        assertThat(reply.ok()).isTrue();
        assertThat(server.received().get(0).authorization()).isEqualTo("Bearer " + OpenAiExpert.DUMMY_KEY);
    }

    @Test
    void should_fail_fast_naming_the_variable_when_the_key_is_not_set() {
        assertThatThrownBy(() -> OpenAiExpert.create(model, EnvLookup.of(Map.of())))
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("FAKE_API_KEY")
                .hasMessageContaining("Fake-VL");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "400, HTTP_STATUS",
            "401, HTTP_STATUS",
            "403, HTTP_STATUS",
            "404, HTTP_STATUS",
            "408, TIMEOUT",
            "422, HTTP_STATUS",
            "429, RATE_LIMITED",
            "500, HTTP_STATUS",
            "502, HTTP_STATUS",
            "503, HTTP_STATUS",
            "504, HTTP_STATUS"})
    void should_map_http_status_to_error_kind(int status, ExpertError.Kind kind) {
        // given
        server.then(Reply.status(status));

        // when
        ExpertReply reply = OpenAiExpert.create(model, Fixtures.env()).call(Fixtures.request(model, "q"));

        // then
        assertThat(reply.ok()).isFalse();
        ExpertError e = reply.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.message()).startsWith(Integer.toString(status)).contains("scripted " + status);
        assertThat(e.retryable()).isEqualTo(status >= 500 || status == 429 || status == 408);
    }

    @Test
    void should_report_bad_json_in_a_2xx_as_bad_response() {
        server.then(Reply.of(200, "{\"choices\": [ this is not json"));

        ExpertReply reply = OpenAiExpert.create(model, Fixtures.env()).call(Fixtures.request(model, "q"));

        assertThat(reply.error()).map(ExpertError::kind).contains(ExpertError.Kind.BAD_RESPONSE);
    }

    @Test
    void should_report_a_slow_server_as_timeout() {
        server.then(Reply.ok("late", 1, 1).delayed(3000));

        ExpertReply reply = OpenAiExpert.create(model, Fixtures.env()).call(Fixtures.request(model, "q"));

        assertThat(reply.error()).map(ExpertError::kind).contains(ExpertError.Kind.TIMEOUT);
        assertThat(reply.latencyMs()).isBetween(1000.0, 2900.0);
    }

    @Test
    void should_report_a_refused_connection_as_io() throws IOException {
        // given a port nobody listens on
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ModelCard dead = model.newBuilder().baseUrl("http://127.0.0.1:" + port + "/v1").build();

        // when
        ExpertReply reply = OpenAiExpert.create(dead, Fixtures.env()).call(Fixtures.request(dead, "q"));

        // then
        assertThat(reply.error()).map(ExpertError::kind).contains(ExpertError.Kind.IO);
        assertThat(reply.error().get().retryable()).isTrue();
    }

    @Test
    void should_carry_retry_after_of_a_429_in_the_message() {
        server.then(Reply.status(429).withHeader("Retry-After", "7"));

        ExpertReply reply = OpenAiExpert.create(model, Fixtures.env()).call(Fixtures.request(model, "q"));

        ExpertError e = reply.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(ExpertError.Kind.RATE_LIMITED);
        assertThat(RetryingExpert.retryAfter(e)).contains(Duration.ofSeconds(7));
    }

    @Test
    void should_prefer_retry_after_ms_over_retry_after() {
        server.then(Reply.status(503).withHeader("Retry-After", "7").withHeader("retry-after-ms", "250"));

        ExpertReply reply = OpenAiExpert.create(model, Fixtures.env()).call(Fixtures.request(model, "q"));

        assertThat(RetryingExpert.retryAfter(reply.error().orElseThrow())).contains(Duration.ofMillis(250));
    }

    @Test
    void should_reject_unknown_image_types_and_missing_images_without_calling_the_server(@TempDir Path dir)
            throws IOException {
        Path tiff = Files.write(dir.resolve("x.tiff"), new byte[] {1});
        OpenAiExpert expert = OpenAiExpert.create(model, Fixtures.env());

        ExpertReply unknown = expert.call(Fixtures.request(model, "q", List.of(tiff)));
        ExpertReply missing = expert.call(Fixtures.request(model, "q", List.of(dir.resolve("gone.png"))));

        assertThat(unknown.error()).map(ExpertError::kind).contains(ExpertError.Kind.INVALID_REQUEST);
        assertThat(unknown.error().get().message()).contains("x.tiff").contains("png");
        assertThat(missing.error()).map(ExpertError::kind).contains(ExpertError.Kind.INVALID_REQUEST);
        assertThat(server.requests()).isZero();
    }

    @Test
    void should_never_put_the_api_key_in_any_error_message() throws IOException {
        // given a server that echoes the Authorization header back in every error body
        List<String> messages = new ArrayList<>();
        for (int status : new int[] {400, 401, 403, 404, 408, 429, 500, 503}) {
            server.then(Reply.of(status, "{\"error\":{\"message\":\"bad key: {AUTH}\"}}"));
        }
        server.then(Reply.of(200, "not json {AUTH}"));
        OpenAiExpert expert = OpenAiExpert.create(model, Fixtures.env());

        // when
        for (int i = 0; i < 9; i++) {
            ExpertReply r = expert.call(Fixtures.request(model, "q"));
            r.error().ifPresent(e -> messages.add(e.toString()));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ModelCard dead = model.newBuilder().baseUrl("http://127.0.0.1:" + port + "/v1").build();
        OpenAiExpert.create(dead, Fixtures.env()).call(Fixtures.request(dead, "q")).error()
                .ifPresent(e -> messages.add(e.toString()));

        // then: the echo reached us (so the test can fail), but the key did not
        assertThat(server.received()).allSatisfy(r -> assertThat(r.authorization()).contains(SECRET));
        assertThat(messages).hasSize(10);
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("bad key: Bearer ***"));
        assertThat(messages).allSatisfy(m -> assertThat(m).doesNotContain(SECRET).doesNotContain("do-not-leak"));
        assertThat(expert.toString()).doesNotContain(SECRET);
    }
}
