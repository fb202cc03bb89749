package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoaderTest.ENV;
import static dev.maestro.registry.RegistryLoaderTest.reader;
import static dev.maestro.registry.RegistryLoaderTest.validRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request, retry and breaker keys of an openai model in models.yaml, with defaults and secrets. */
class ModelSettingsTest {
    private static final String MODELS = """
            name: live
            defaults:
              backend: openai
              base-url: http://127.0.0.1:9/v1
              modalities: [text]
              temperature: 0
              breaker-failures: 20
              recorded: ../recorded.jsonl
            models:
              - id: tuned
                model-name: qwen
                description: a tuned endpoint
                top-p: 0.9
                max-tokens: 256
                seed: 7
                stop: "</answer>"
                system-prompt: You answer with a number only.
                headers:
                  X-Gateway-Token: "Bearer ${GATEWAY_TOKEN}"
                  X-Route: fast
                extra-body:
                  repetition_penalty: 1.1
                  chat_template_kwargs: {enable_thinking: false}
                  guided_choice: null
                retry-attempts: 2
                retry-backoff-cap: 5s
                breaker-cool-down: 1m
              - id: plain
                model-name: plain
                description: defaults only
              - id: tools
                backend: none
                description: tool-only model; the openai keys of the defaults do not apply to it
            """;

    private Path registry(Path tmp) throws IOException {
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), MODELS);
        return dir;
    }

    @Test
    void should_read_request_retry_and_breaker_settings_with_defaults() throws IOException {
        // given
        Path dir = registry(Files.createTempDirectory("settings"));
        Map<String, String> env = new HashMap<>(ENV);
        env.put("GATEWAY_TOKEN", "tok-secret-42");

        // when
        Registry r = reader(env).load(dir);

        // then
        ModelCard tuned = r.model("tuned").orElseThrow();
        RequestSettings s = tuned.request();
        assertThat(s.temperature()).contains(0.0);
        assertThat(s.topP()).contains(0.9);
        assertThat(s.maxTokens()).contains(256);
        assertThat(s.seed()).contains(7L);
        assertThat(s.stop()).containsExactly("</answer>");
        assertThat(s.systemPrompt()).contains("You answer with a number only.");
        // the header keeps its template: the token is read when the expert is wired, never stored in the card
        assertThat(s.headers()).containsEntry("X-Gateway-Token", "Bearer ${GATEWAY_TOKEN}").containsEntry("X-Route", "fast");
        assertThat(tuned.toString()).doesNotContain("tok-secret-42");
        assertThat(s.extraBody()).containsEntry("repetition_penalty", 1.1).containsEntry("guided_choice", null);
        assertThat(s.extraBody().get("chat_template_kwargs")).isEqualTo(Map.of("enable_thinking", false));
        assertThat(tuned.resilience()).isEqualTo(new Resilience(Optional.of(2), Optional.of(Duration.ofSeconds(5)),
                Optional.of(20), Optional.of(Duration.ofMinutes(1))));
        assertThat(tuned.settings()).isEmpty();
        // the defaults reach every openai model
        ModelCard plain = r.model("plain").orElseThrow();
        assertThat(plain.request()).isEqualTo(RequestSettings.builder().temperature(0).build());
        assertThat(plain.resilience().breakerFailures()).contains(20);
        // and skip a model of another backend (a mixed registry's defaults)
        assertThat(r.model("tools").orElseThrow().request()).isEqualTo(RequestSettings.NONE);
    }

    @Test
    void should_warn_about_an_unset_header_variable_without_showing_the_value(@TempDir Path tmp) throws IOException {
        Path dir = registry(tmp);

        List<RegistryProblem> problems = reader(ENV).check(dir);

        assertThat(problems).noneMatch(RegistryProblem::isError);
        assertThat(problems).filteredOn(p -> p.field().contains("headers")).singleElement().satisfies(p -> {
            assertThat(p.severity()).isEqualTo(RegistryProblem.Severity.WARNING);
            assertThat(p.field()).isEqualTo("models[tuned].headers.X-Gateway-Token");
            assertThat(p.message()).contains("environment variable GATEWAY_TOKEN is not set").doesNotContain("Bearer");
        });
    }

    @Test
    void should_refuse_a_key_of_another_backend_in_a_model_entry(@TempDir Path tmp) throws IOException {
        Path dir = registry(tmp);
        Files.writeString(dir.resolve("models.yaml"), MODELS.replace("    description: defaults only",
                "    description: defaults only\n    profile: {skill: 0.5}"));

        List<RegistryProblem> problems = reader(ENV).check(dir);

        assertThat(problems).anySatisfy(p -> {
            assertThat(p.severity()).isEqualTo(RegistryProblem.Severity.ERROR);
            assertThat(p.field()).isEqualTo("models[plain].profile");
            assertThat(p.message()).startsWith("unknown key for the openai backend").contains("temperature, top-p");
        });
    }
}
