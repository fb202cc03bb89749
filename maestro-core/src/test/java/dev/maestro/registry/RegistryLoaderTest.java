package dev.maestro.registry;

import dev.maestro.MaestroException;
import dev.maestro.registry.RegistryProblem.Severity;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryLoaderTest {

    static final String MODELS = """
            name: unit
            description: a test registry
            defaults:
              modalities: [text, image]
              timeout: 30s
            models:
              - id: sim-a
                backend: simulated
                description: first simulated model
                price: {input-per-1m: 1.5, output-per-1m: 2}
                max-concurrency: 2
                profile: {skill: 0.5}
              - id: local
                backend: openai
                description: a local vLLM
                base-url: ${UNIT_URL:-http://127.0.0.1:9/v1}
                model-name: ${UNIT_MODEL}
                api-key-env: UNIT_KEY
                skills: [solve]
                modalities: [text]
                timeout: 500ms
            """;

    static final String SOLVE = """
            ---
            name: solve
            level: 1
            description: solves things
            ---
            Solve: {question}
            Options: {options}
            Answer in curly brackets, e.g. {3}, or as JSON {"a": 1}.
            """;

    static final String ROUTER = """
            ---
            name: router
            level: 1
            description: routes to leaves
            children: [leaf]
            modalities: [image]
            ---
            Pick a leaf for {input}.
            """;

    static final String LEAF = """
            ---
            name: leaf
            level: 2
            parent: router
            description: a leaf with a tool
            tools: [zoom]
            ---
            Look at {tool:zoom} and answer {question}.
            """;

    static final Map<String, String> ENV = Map.of("UNIT_MODEL", "qwen", "UNIT_KEY", "k");

    static Path write(Path dir, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
        }
        return dir;
    }

    static Path validRegistry(Path tmp) throws IOException {
        return write(tmp.resolve("suite/reg"), Map.of("models.yaml", MODELS, "skills/solve/SKILL.md", SOLVE,
                "skills/router/SKILL.md", ROUTER, "skills/leaf/SKILL.md", LEAF));
    }

    static RegistryLoader.Reader reader(Map<String, String> env) {
        return RegistryLoader.builder().env(env).build();
    }

    @Test
    void should_load_models_skills_and_pairs_from_a_valid_folder(@TempDir Path tmp) throws IOException {
        // given
        Path dir = validRegistry(tmp);

        // when
        Registry r = reader(ENV).load(dir);

        // then
        assertThat(r.name()).isEqualTo("unit");
        assertThat(r.folder()).contains(dir.toAbsolutePath().normalize());
        assertThat(r.modelIds()).containsExactly("sim-a", "local");
        ModelCard sim = r.model("sim-a").orElseThrow();
        assertThat(sim.backend()).isEqualTo(Backend.SIMULATED);
        assertThat(sim.price()).isEqualTo(new Price(1.5, 2));
        assertThat(sim.maxConcurrency()).isEqualTo(2);
        assertThat(sim.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(sim.modalities()).containsExactlyInAnyOrder(Modality.TEXT, Modality.IMAGE);
        assertThat(sim.settings()).containsEntry("profile", Map.of("skill", 0.5));
        ModelCard local = r.model("local").orElseThrow();
        assertThat(local.baseUrl()).contains("http://127.0.0.1:9/v1");
        assertThat(local.modelName()).contains("qwen");
        assertThat(local.apiKeyEnv()).contains("UNIT_KEY");
        assertThat(local.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(local.modalities()).containsExactly(Modality.TEXT);
        SkillCard leaf = r.skill("leaf").orElseThrow();
        assertThat(leaf.level()).isEqualTo(2);
        assertThat(leaf.parent()).contains("router");
        assertThat(leaf.tools()).containsExactly("zoom");
        assertThat(leaf.template()).isEqualTo("Look at {tool:zoom} and answer {question}.");
        assertThat(r.skill("router").orElseThrow().isRouter()).isTrue();
        // level-2 skills are never pairs; 'local' is text-only and limited to 'solve'
        assertThat(r.pairs()).extracting(Pair::id)
                .containsExactlyInAnyOrder("sim-a@@solve", "sim-a@@router", "local@@solve");
    }

    @Test
    void should_read_model_card_facts_and_leave_unknown_ones_empty(@TempDir Path tmp) throws IOException {
        // given: facts on one model (family from defaults), none on the other
        Path dir = write(tmp.resolve("suite/reg"), Map.of("models.yaml", MODELS
                        .replace("  timeout: 30s\n", "  timeout: 30s\n  family: simulated\n")
                        .replace("    max-concurrency: 2\n", "    max-concurrency: 2\n    size-b: 8.5\n    released: 2024-07\n"
                                + "    tuning: Instruct\n    open-weights: true\n"),
                "skills/solve/SKILL.md", SOLVE, "skills/router/SKILL.md", ROUTER, "skills/leaf/SKILL.md", LEAF));

        // when
        Registry r = reader(ENV).load(dir);

        // then
        ModelFacts f = r.model("sim-a").orElseThrow().facts();
        assertThat(f.sizeB()).contains(8.5);
        assertThat(f.released()).contains(java.time.YearMonth.of(2024, 7));
        assertThat(f.tuning()).contains(ModelFacts.Tuning.INSTRUCT);
        assertThat(f.openWeights()).contains(true);
        assertThat(f.family()).contains("simulated");
        assertThat(f.summary()).isEqualTo("size-b 8.5, released 2024-07, family simulated, tuning instruct, open-weights true");
        ModelFacts local = r.model("local").orElseThrow().facts();
        assertThat(local.family()).contains("simulated");
        assertThat(local.sizeB()).isEmpty();
        assertThat(local.tuning()).isEmpty();
    }

    @Test
    void should_use_env_value_over_default_and_folder_name_when_name_is_absent(@TempDir Path tmp) throws IOException {
        // given
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), MODELS.replace("name: unit\n", ""));

        // when
        Registry r = reader(Map.of("UNIT_MODEL", "m", "UNIT_KEY", "k", "UNIT_URL", "https://example.org/v1")).load(dir);

        // then
        assertThat(r.name()).isEqualTo("reg");
        assertThat(r.model("local").orElseThrow().baseUrl()).contains("https://example.org/v1");
    }

    @Test
    void should_resolve_path_settings_against_the_registry_folder(@TempDir Path tmp) throws IOException {
        // given
        Path dir = validRegistry(tmp);
        write(tmp.resolve("suite"), Map.of("recorded.jsonl", "{}\n"));
        Files.writeString(dir.resolve("models.yaml"), """
                models:
                  - {id: r, backend: replay, description: replayed, recorded: ../recorded.jsonl}
                """);

        // when
        Registry r = reader(ENV).load(dir);

        // then
        ModelCard m = r.model("r").orElseThrow();
        assertThat(RegistryLoader.settingPath(m, "recorded"))
                .contains(tmp.resolve("suite/recorded.jsonl").toAbsolutePath().normalize());
    }

    @Test
    void should_collect_every_problem_before_failing(@TempDir Path tmp) throws IOException {
        // given three independent mistakes in two files
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), MODELS.replace("backend: simulated", "backend: gpt")
                .replace("max-concurrency: 2", "max-concurrency: 0"));
        Files.writeString(dir.resolve("skills/leaf/SKILL.md"), LEAF.replace("level: 2", "level: 3"));

        // when
        Throwable thrown = Assertions.catchThrowable(() -> reader(ENV).load(dir));

        // then
        assertThat(thrown).isInstanceOf(RegistryException.class).isInstanceOf(MaestroException.class);
        List<RegistryProblem> problems = ((RegistryException) thrown).problems();
        assertThat(problems).filteredOn(RegistryProblem::isError).extracting(RegistryProblem::field)
                .contains("models[sim-a].backend", "models[sim-a].max-concurrency", "level");
        assertThat(thrown.getMessage()).contains("unknown backend 'gpt'; valid: openai, anthropic, gemini, azure-openai, ollama, replay, simulated, none");
    }

    @Test
    void should_return_problems_from_check_without_throwing(@TempDir Path tmp) throws IOException {
        // given
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), MODELS.replace("backend: simulated", "backend: gpt"));

        // when
        List<RegistryProblem> problems = reader(ENV).check(dir);

        // then
        assertThat(problems).hasSize(1);
        RegistryProblem p = problems.get(0);
        assertThat(p.file()).isEqualTo("models.yaml");
        assertThat(p.line()).isEqualTo(8);
        assertThat(p.severity()).isEqualTo(Severity.ERROR);
        assertThat(p.toString()).isEqualTo("models.yaml:8: models[sim-a].backend: unknown backend 'gpt'; valid: "
                + "openai, anthropic, gemini, azure-openai, ollama, replay, simulated, none");
    }

    @Test
    void should_report_an_unset_api_key_variable_as_a_warning_and_still_load(@TempDir Path tmp) throws IOException {
        // given UNIT_KEY is not in the environment
        Path dir = validRegistry(tmp);

        // when
        List<RegistryProblem> problems = reader(Map.of("UNIT_MODEL", "m")).check(dir);
        Registry r = reader(Map.of("UNIT_MODEL", "m")).load(dir);

        // then
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.severity()).isEqualTo(Severity.WARNING);
            assertThat(p.field()).isEqualTo("models[local].api-key-env");
            assertThat(p.message()).contains("UNIT_KEY is not set");
            assertThat(p.toString()).contains(": warning: ");
        });
        assertThat(r.models()).hasSize(2);
    }

    @Test
    void should_refuse_warnings_in_strict_mode(@TempDir Path tmp) throws IOException {
        Path dir = validRegistry(tmp);
        RegistryLoader.Reader strict = RegistryLoader.builder().env(Map.of("UNIT_MODEL", "m")).strict(true).build();

        assertThatThrownBy(() -> strict.load(dir)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("UNIT_KEY is not set");
    }

    @Test
    void should_never_echo_values_that_came_from_the_environment(@TempDir Path tmp) throws IOException {
        // given a secret that ends up in fields that fail validation
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), MODELS.replace("timeout: 500ms", "timeout: ${SECRET}")
                .replace("backend: simulated", "backend: ${SECRET}"));
        String secret = "sk-live-0123456789abcdef";

        // when
        List<RegistryProblem> problems = reader(Map.of("UNIT_MODEL", "m", "UNIT_KEY", "k", "SECRET", secret)).check(dir);

        // then
        assertThat(problems).extracting(RegistryProblem::field)
                .contains("models[local].timeout", "models[sim-a].backend");
        assertThat(problems).allSatisfy(p -> assertThat(p.toString()).doesNotContain(secret));
        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("from the environment, not shown"));
    }

    @Test
    void should_suggest_the_intended_key_for_a_typo(@TempDir Path tmp) throws IOException {
        Path dir = validRegistry(tmp);
        Files.writeString(dir.resolve("models.yaml"), MODELS.replace("profile: {skill: 0.5}", "modalites: [text]"));

        List<RegistryProblem> problems = reader(ENV).check(dir);

        // an unknown key is an error (it used to be kept as a backend setting, and ignored), with the suggestion
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.severity()).isEqualTo(Severity.ERROR);
            assertThat(p.message()).contains("did you mean 'modalities'?").contains("valid: id, backend");
        });
    }

    @Test
    void should_check_tool_names_when_the_runtime_declares_its_tools(@TempDir Path tmp) throws IOException {
        Path dir = validRegistry(tmp);

        List<RegistryProblem> problems = RegistryLoader.builder().env(ENV).knownTools(Set.of("ocr", "crop")).build()
                .check(dir);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("skills/leaf/SKILL.md");
            assertThat(p.message()).isEqualTo("unknown tool 'zoom'; valid: crop, ocr");
        });
    }

    @Test
    void should_report_a_missing_folder(@TempDir Path tmp) {
        assertThat(RegistryLoader.check(tmp.resolve("nope"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("does not exist"));
    }

    @Test
    void should_parse_durations_in_the_documented_forms() {
        assertThat(RegistryLoader.parseDuration("90")).contains(Duration.ofSeconds(90));
        assertThat(RegistryLoader.parseDuration("1.5s")).contains(Duration.ofMillis(1500));
        assertThat(RegistryLoader.parseDuration("2m")).contains(Duration.ofMinutes(2));
        assertThat(RegistryLoader.parseDuration("1h")).contains(Duration.ofHours(1));
        assertThat(RegistryLoader.parseDuration("PT3M")).contains(Duration.ofMinutes(3));
        assertThat(RegistryLoader.parseDuration("fast")).isEmpty();
        assertThat(RegistryLoader.parseDuration("-5s")).isEmpty();
    }
}
