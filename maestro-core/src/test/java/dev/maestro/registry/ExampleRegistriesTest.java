package dev.maestro.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.skill.tool.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The registries shipped in the repository load cleanly and say what their data says. */
class ExampleRegistriesTest {
    static final Path REPO = findRepo();

    static Path findRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("registries"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root (with registries/) not found above the working directory");
        }
        return p;
    }

    // An empty environment: the shipped files must work on a fresh machine with nothing set.
    static final RegistryLoader.Reader READER = RegistryLoader.builder().env(Map.of()).build();

    @ParameterizedTest
    @ValueSource(strings = {"registries/maestro-paper", "data/mathv/registry", "data/blind/registry",
            "data/blind/registry-tools"})
    void should_load_each_shipped_registry_without_errors(String folder) {
        List<RegistryProblem> problems = READER.check(REPO.resolve(folder));

        assertThat(problems).filteredOn(RegistryProblem::isError).isEmpty();
        assertThat(problems).as("warnings").isEmpty();
        assertThat(READER.load(REPO.resolve(folder)).pairs()).isNotEmpty();
    }

    @Test
    void should_declare_the_five_paper_experts_on_their_ports() {
        Registry r = READER.load(REPO.resolve("registries/maestro-paper"));

        assertThat(r.name()).isEqualTo("maestro-paper");
        assertThat(r.models()).extracting(m -> m.id() + " " + m.baseUrl().orElseThrow()).containsExactly(
                "Intern-S1-mini http://127.0.0.1:2368/v1",
                "GLM-4.6V-Flash http://127.0.0.1:2376/v1",
                "qwen3-vl-8b-instruct http://127.0.0.1:2362/v1",
                "Chart-R1 http://127.0.0.1:2364/v1",
                "medgemma-1.5-4b-it http://127.0.0.1:2369/v1");
        assertThat(r.models()).allSatisfy(m -> {
            assertThat(m.backend()).isEqualTo(Backend.OPENAI);
            assertThat(m.modelName()).contains(m.id());
            assertThat(m.modalities()).contains(Modality.IMAGE);
        });
        assertThat(r.skills().stream().filter(s -> s.level() == 1).map(SkillCard::name))
                .containsExactlyInAnyOrder("geometry-solver", "chart-solver", "science-solver", "counting-solver",
                        "perception-solver", "medical-solver", "ocr-router");
        assertThat(r.skill("ocr-router").orElseThrow().children()).containsExactlyInAnyOrder("text-recognition",
                "key-information-extraction", "scene-text", "document-chart-ocr", "formula-recognition");
        assertThat(r.pairs()).hasSize(5 * 7);
    }

    @Test
    void should_point_every_paper_model_at_one_gateway_when_the_base_url_variable_is_set() {
        Registry r = RegistryLoader.builder().env(Map.of("MAESTRO_PAPER_BASE_URL", "http://gpu-box:8000/v1")).build()
                .load(REPO.resolve("registries/maestro-paper"));

        assertThat(r.models()).allSatisfy(m -> assertThat(m.baseUrl()).contains("http://gpu-box:8000/v1"));
    }

    @Test
    void should_pair_mathv_models_with_exactly_the_recorded_prompt_variants() throws IOException {
        Path dir = REPO.resolve("data/mathv/registry");
        Registry r = READER.load(dir);

        Set<String> recorded = recordedPairs(REPO.resolve("data/mathv/recorded.jsonl.gz"));
        assertThat(r.name()).isEqualTo("mathv-replay");
        assertThat(r.models()).hasSize(12);
        Set<String> pairs = r.pairs().stream().map(Pair::id).collect(Collectors.toCollection(TreeSet::new));
        assertThat(pairs).isEqualTo(recorded).hasSize(15);
        assertThat(r.models()).allSatisfy(m -> assertThat(RegistryLoader.settingPath(m, "recorded"))
                .contains(REPO.resolve("data/mathv/recorded.jsonl.gz").toAbsolutePath().normalize()));
    }

    @Test
    void should_pair_the_four_blindtest_models_with_both_prompt_slots() {
        Registry r = READER.load(REPO.resolve("data/blind/registry"));

        assertThat(r.name()).isEqualTo("blind-replay");
        assertThat(r.modelIds()).containsExactly("GPT-4o", "Gemini-1.5-Pro", "Claude-3-Sonnet", "Claude-3.5-Sonnet");
        assertThat(r.pairs()).hasSize(8);
        assertThat(r.skills()).allSatisfy(s -> assertThat(s.template()).isEqualTo("{question}"));
        assertThat(r.model("GPT-4o").orElseThrow().price()).isEqualTo(new Price(5.0, 15.0));
    }

    @Test
    void should_extend_blind_replay_with_a_tool_only_model_in_the_blind_tools_registry() {
        Registry replay = READER.load(REPO.resolve("data/blind/registry"));
        Registry tools = READER.load(REPO.resolve("data/blind/registry-tools"));

        // the recorded models are the same cards (id, description, price, modalities, recorded file)
        for (ModelCard m : replay.models()) {
            ModelCard t = tools.model(m.id()).orElseThrow();
            assertThat(List.of(t.backend(), t.description(), t.price(), t.modalities(), t.skills(), t.settings()))
                    .as(m.id()).isEqualTo(List.of(m.backend(), m.description(), m.price(), m.modalities(),
                            List.of("prompt-1", "prompt-2"), m.settings()));
        }
        assertThat(tools.skill("prompt-1").orElseThrow().template()).isEqualTo(replay.skill("prompt-1").orElseThrow().template());
        ModelCard program = tools.model("image-tools").orElseThrow();
        assertThat(program.backend()).isEqualTo(Backend.NONE);
        assertThat(program.description()).startsWith("deterministic image-analysis program, no model");
        assertThat(tools.pairs()).hasSize(8 + 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"registries/maestro-paper", "data/paper-sim/registry", "data/blind/registry-tools"})
    void should_use_only_tools_the_runtime_provides(String folder) {
        RegistryLoader.Reader strict = RegistryLoader.builder().env(Map.of())
                .knownTools(Set.copyOf(Tools.defaults().names())).build();

        assertThat(strict.check(REPO.resolve(folder))).filteredOn(RegistryProblem::isError).isEmpty();
    }

    @Test
    void should_ship_the_paper_skills_unchanged_in_the_paper_sim_registry(@TempDir Path tmp) throws IOException {
        Path paper = REPO.resolve("registries/maestro-paper/skills");
        Path sim = REPO.resolve("data/paper-sim/registry/skills");

        assertThat(relativeFiles(sim)).isEqualTo(relativeFiles(paper));
        for (String f : relativeFiles(paper)) {
            assertThat(Files.readString(sim.resolve(f))).as(f).isEqualTo(Files.readString(paper.resolve(f)));
        }
        // and they validate on their own, with any models.yaml
        Path copy = tmp.resolve("suite/reg");
        for (String f : relativeFiles(sim)) {
            Path target = copy.resolve("skills").resolve(f);
            Files.createDirectories(target.getParent());
            Files.copy(sim.resolve(f), target);
        }
        Files.writeString(copy.resolve("models.yaml"), "models: [{id: s, backend: simulated, description: x, "
                + "modalities: [text, image]}]\n");
        assertThat(READER.check(copy)).isEmpty();
    }

    static Set<String> relativeFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    static Set<String> recordedPairs(Path gz) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Set<String> out = new TreeSet<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode row = json.readTree(line);
                out.add(row.get("model").asText() + "@@" + row.get("skill").asText());
            }
        }
        return out;
    }
}
