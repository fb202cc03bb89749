package dev.maestro.serve;

import static dev.maestro.serve.ChatApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitsTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String BODY = "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";

    static HttpRequest chat(MaestroServer s, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + MaestroServer.CHAT)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b.build();
    }

    @Test
    void should_answer_429_at_once_when_every_slot_is_busy() throws Exception {
        TestRig rig = TestRig.slow(1500);
        try (MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).maxConcurrent(2).build().start()) {
            CompletableFuture<HttpResponse<String>> a = HTTP.sendAsync(chat(s, null), HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> b = HTTP.sendAsync(chat(s, null), HttpResponse.BodyHandlers.ofString());
            long deadline = System.currentTimeMillis() + 5000;
            while (s.metrics().inFlight().get() < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertThat(s.metrics().inFlight().get()).isEqualTo(2);

            long t0 = System.nanoTime();
            HttpResponse<String> third = HTTP.send(chat(s, null), HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - t0) / 1_000_000;

            assertError(third, 429, "rate_limit_error", "overloaded");
            assertThat(third.headers().firstValue("retry-after")).contains("1");
            assertThat(ms).as("backpressure must not queue behind the slow requests").isLessThan(1000);
            assertThat(a.get().statusCode()).isEqualTo(200);
            assertThat(b.get().statusCode()).isEqualTo(200);
            assertThat(rig.calls.get()).isEqualTo(2);
            assertThat(s.metrics().requestCount(MaestroServer.CHAT, 429)).isEqualTo(1);
        }
    }

    @Test
    void should_rate_limit_per_key() throws Exception {
        TestRig rig = TestRig.fast();
        try (MaestroServer s = MaestroServer.builder(rig.orchestrator).port(0).keys(ApiKeys.of(List.of("k-one", "k-two")))
                .requireAuth(true).rateLimit(60, 2).build().start()) {
            assertThat(HTTP.send(chat(s, "k-one"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(HTTP.send(chat(s, "k-one"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            HttpResponse<String> third = HTTP.send(chat(s, "k-one"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> otherKey = HTTP.send(chat(s, "k-two"), HttpResponse.BodyHandlers.ofString());

            assertError(third, 429, "rate_limit_error", "rate_limit_exceeded");
            assertThat(otherKey.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void should_require_keys_when_bound_beyond_loopback() {
        TestRig rig = TestRig.fast();

        assertThatThrownBy(() -> MaestroServer.builder(rig.orchestrator).host("0.0.0.0").port(0).build())
                .isInstanceOf(MaestroException.class).hasMessageContaining("no API keys");
        assertThat(MaestroServer.builder(rig.orchestrator).host("0.0.0.0").keys(ApiKeys.of(List.of("k"))).build().authRequired()).isTrue();
        assertThat(MaestroServer.builder(rig.orchestrator).host("127.0.0.1").build().authRequired()).isFalse();
    }

    @Test
    void should_read_keys_from_a_file_and_an_env_value_and_never_print_them(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("keys.txt");
        Files.writeString(f, "# operators\nsk-file-1\n\n  sk-file-2  \n");

        ApiKeys fromFile = ApiKeys.fromFile(f);
        ApiKeys fromEnv = ApiKeys.fromEnvValue("sk-env-1, sk-env-2\nsk-env-3");

        assertThat(fromFile.size()).isEqualTo(2);
        assertThat(fromFile.check("sk-file-2")).isPresent();
        assertThat(fromFile.check("# operators")).isEmpty();
        assertThat(fromEnv.size()).isEqualTo(3);
        assertThat(fromEnv.check("sk-env-3")).isPresent();
        assertThat(fromEnv.check("sk-env")).isEmpty();
        assertThat(fromFile.plus(fromEnv).toString()).isEqualTo("ApiKeys[5 keys]").doesNotContain("sk-");
    }
}
