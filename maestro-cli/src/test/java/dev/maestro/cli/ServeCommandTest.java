package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.runtime.MaestroRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
    static final Path PAPER_SIM = Path.of("..", "data", "paper-sim", "registry");

    static ServeCommand parse(ServeCommand c, String... args) {
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void should_serve_a_simulated_registry_with_keys_from_a_file_and_traces(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "sk-serve-test\n");
        ServeCommand c = parse(new ServeCommand(), "--registry", PAPER_SIM.toString(), "--port", "0", "--keys-file", keys.toString(),
                "--traces", dir.resolve("t.db").toString(), "--host", "127.0.0.1");
        try (ServeCommand.Started s = c.start()) {
            HttpClient http = HttpClient.newHttpClient();
            String body = "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}";
            HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(URI.create(s.server().url() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(s.server().url() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer sk-serve-test").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(s.server().authRequired()).as("keys given: required even on loopback").isTrue();
            assertThat(noKey.statusCode()).isEqualTo(401);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            JsonNode n = new ObjectMapper().readTree(ok.body());
            String first = s.registry().pairs().get(0).id();
            assertThat(n.at("/maestro/policy").asText()).isEqualTo("fixed:" + first);
            assertThat(n.at("/maestro/calls/0/model").asText() + "@@" + n.at("/maestro/calls/0/skill").asText()).isEqualTo(first);
            s.traces().orElseThrow().flush();
            assertThat(s.traces().orElseThrow().recent(5)).hasSize(1);
        }
    }

    @Test
    void should_resolve_a_registry_by_name_and_a_fixed_policy() {
        ServeCommand c = parse(new ServeCommand(), "--registry", PAPER_SIM.toString(), "--policy", "fixed:nope@@cot");
        try (MaestroRuntime rt = MaestroRuntime.builder().registry(PAPER_SIM).build()) {
            Pair p = rt.registry().pairs().get(1);

            assertThatThrownBy(() -> c.resolvePolicy(rt)).isInstanceOf(MaestroException.class).hasMessageContaining("pair not in registry");
            assertThat(parse(new ServeCommand(), "--registry", "x", "--policy", "fixed:" + p.id()).resolvePolicy(rt))
                    .isInstanceOfSatisfying(FixedPairPolicy.class, f -> assertThat(f.pair()).isEqualTo(p));
        }
        assertThatThrownBy(() -> parse(new ServeCommand(), "--registry", "no-such-registry").start())
                .isInstanceOf(MaestroException.class).hasMessageContaining("no-such-registry");
    }

    @Test
    void should_resolve_checkpoints_llm_policies_and_fitted_baselines_with_the_runtime() {
        try (MaestroRuntime rt = MaestroRuntime.builder().registry(PAPER_SIM).build()) {
            ServeCommand missing = parse(new ServeCommand(), "--registry", "x", "--policy", "runs/ckpt.bin");
            ServeCommand llm = parse(new ServeCommand(), "--registry", "x", "--policy", "llm:Maestro-4B@http://127.0.0.1:9/v1");
            ServeCommand unfitted = parse(new ServeCommand(), "--registry", "x", "--policy", "best-single");
            ServeCommand fitted = parse(new ServeCommand(), "--registry", "x", "--policy", "best-single",
                    "--suite", Path.of("..", "data", "paper-sim").toString());

            assertThatThrownBy(() -> missing.resolvePolicy(rt)).isInstanceOf(MaestroException.class)
                    .hasMessageContaining("fixed:MODEL@@SKILL").hasMessageContaining("checkpoint");
            assertThat(llm.resolvePolicy(rt).name()).contains("Maestro-4B");
            assertThatThrownBy(() -> unfitted.resolvePolicy(rt)).isInstanceOf(MaestroException.class).hasMessageContaining("--suite");
            assertThat(fitted.resolvePolicy(rt)).isInstanceOfSatisfying(FixedPairPolicy.class,
                    f -> assertThat(rt.registry().hasPair(f.pair())).isTrue());
        }
    }

    @Test
    void should_refuse_to_bind_beyond_loopback_without_keys() {
        ServeCommand c = parse(new ServeCommand(), "--registry", PAPER_SIM.toString(), "--host", "0.0.0.0", "--port", "0",
                "--keys-env", "MAESTRO_TEST_UNSET_VAR_42");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(c);
        cl.setErr(new PrintWriter(err));

        int exit = cl.execute("--registry", PAPER_SIM.toString(), "--host", "0.0.0.0", "--port", "0", "--keys-env", "MAESTRO_TEST_UNSET_VAR_42");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("no API keys");
    }

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static HttpResponse<String> ask(String url, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void should_never_answer_a_new_question_on_the_simulated_registry_with_an_empty_string() throws Exception {
        ServeCommand c = parse(new ServeCommand(), "--registry", PAPER_SIM.toString(), "--port", "0", "--no-cache");
        try (ServeCommand.Started s = c.start()) {
            HttpResponse<String> r = ask(s.server().url(),
                    "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 17 * 3?\"}]}");

            // the simulated backend simulates correctness against a gold answer; a new question has none
            JsonNode n = new ObjectMapper().readTree(r.body());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(n.at("/choices/0/message/content").asText()).startsWith("No answer: ").contains("no gold answer");
            assertThat(n.at("/maestro/totals/answered").asBoolean()).isFalse();
            assertThat(s.runtime().cache()).isEmpty();
        }
    }

    @Test
    void should_refuse_contradicting_cache_options_and_put_the_default_cache_under_the_home() {
        assertThatThrownBy(() -> parse(new ServeCommand(), "--registry", PAPER_SIM.toString(), "--no-cache", "--cache", "x.sqlite").start())
                .isInstanceOf(MaestroException.class).hasMessageContaining("--cache and --no-cache");
        ServeCommand c = parse(new ServeCommand(), "--registry", PAPER_SIM.toString(), "--port", "0");
        try (ServeCommand.Started s = CliEnv.with(Map.of("MAESTRO_HOME", ROOT.toString()), c::start)) {
            assertThat(s.runtime().cache()).contains(ROOT.resolve(".cache/serve/expert-cache.sqlite"));
        }
    }

    @Test
    void should_serve_the_demo_policy_on_blind_tools_without_flags_and_answer_an_image_question() throws Exception {
        // no --registry, no --policy: the learned policy on blind-tools (trained on the first start, then cached)
        ServeCommand c = parse(new ServeCommand(), "--port", "0");
        try (ServeCommand.Started s = CliEnv.with(Map.of("MAESTRO_HOME", ROOT.toString()), c::start)) {
            String banner = c.banner(s);
            String png = Base64.getEncoder().encodeToString(
                    Files.readAllBytes(ROOT.resolve("data/blind/images/CountingCircles-fe3da701d430.png")));
            HttpResponse<String> r = ask(s.server().url(), "{\"model\":\"maestro\",\"messages\":[{\"role\":\"user\",\"content\":["
                    + "{\"type\":\"text\",\"text\":\"How many circles are in the image?\"},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + png + "\"}}]}]}");

            assertThat(s.registry().name()).isEqualTo("blind-tools");
            assertThat(s.policy().kind()).isEqualTo("learned");
            assertThat(banner).contains(s.server().url()).contains("blind-tools").contains("curl -s " + s.server().url()
                    + "/v1/chat/completions");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode n = new ObjectMapper().readTree(r.body());
            assertThat(n.at("/choices/0/message/content").asText()).as(r.body()).isEqualTo("5");
            assertThat(n.at("/maestro/calls/0/model").asText()).isEqualTo("image-tools");
        }
    }
}
