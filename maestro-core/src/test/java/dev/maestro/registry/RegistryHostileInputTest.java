package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoaderTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Findings A and B of the outside attack (hardening issue): a huge registry file is refused before it is parsed,
 * and ids a reader cannot tell apart (control and format characters, case twins, other Unicode forms) or a
 * models.yaml leading outside the folder are refused.
 */
class RegistryHostileInputTest {
    private static final String SKILL = """
            ---
            name: solve
            level: 1
            description: solves things
            ---
            Solve: {question}
            """;

    private static String model(String id) {
        return "  - id: " + id + "\n    backend: simulated\n    description: a simulated model\n";
    }

    private static Path registry(Path tmp, String... ids) throws IOException {
        StringBuilder models = new StringBuilder("name: t\nmodels:\n");
        for (String id : ids) {
            models.append(model(id));
        }
        return write(tmp.resolve("suite/reg"), Map.of("models.yaml", models.toString(), "skills/solve/SKILL.md", SKILL));
    }

    private static List<RegistryProblem> errors(Path folder) {
        return RegistryLoader.builder().env(Map.of()).build().check(folder).stream().filter(RegistryProblem::isError).toList();
    }

    @Test
    void should_refuse_a_10_MB_models_yaml_before_parsing_it(@TempDir Path tmp) throws IOException {
        Path folder = registry(tmp, "sim-a");
        Files.writeString(folder.resolve("models.yaml"), "name: t\nmodels:\n  - id: sim-a\n    backend: simulated\n"
                + "    description: " + "A".repeat(10_000_000) + "\n");

        long t0 = System.nanoTime();
        List<RegistryProblem> errors = errors(folder);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(errors).singleElement().satisfies(p -> assertThat(p.toString())
                .contains("models.yaml").contains("larger than the 1 MiB").contains("MAESTRO_MAX_CONFIG_BYTES"));
        assertThat(ms).as("check time (ms)").isLessThan(2_000);
        System.out.printf("registry: 10 MB models.yaml refused in %d ms%n", ms);
    }

    @Test
    void should_refuse_a_10_MB_skill_file_before_parsing_it(@TempDir Path tmp) throws IOException {
        Path folder = registry(tmp, "sim-a");
        Files.writeString(folder.resolve("skills/solve/SKILL.md"), SKILL + "B".repeat(10_000_000));

        long t0 = System.nanoTime();
        List<RegistryProblem> errors = errors(folder);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(errors).anySatisfy(p -> assertThat(p.toString())
                .contains("SKILL.md").contains("larger than the 1 MiB").contains("MAESTRO_MAX_CONFIG_BYTES"));
        assertThat(ms).as("check time (ms)").isLessThan(2_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"sim\\u202eb-mis\"", "\"sim\\u0000b\"", "\"sim\\u200bb\"", "\"sim\\u2066b\"", "\"sim\\ufeffb\"",
        "\"sim\\u0007b\""})
    void should_refuse_control_and_format_characters_in_a_model_id(String id, @TempDir Path tmp) throws IOException {
        List<RegistryProblem> errors = errors(registry(tmp, "sim-a", id));

        assertThat(errors).singleElement().satisfies(p -> assertThat(p.message())
                .contains("model id").contains("U+").contains("control or format character"));
    }

    @Test
    void should_refuse_control_and_format_characters_in_a_skill_name(@TempDir Path tmp) throws IOException {
        Path folder = registry(tmp, "sim-a");
        String name = "sol\u200Dve";
        write(folder, Map.of("skills/" + name + "/SKILL.md", SKILL.replace("name: solve", "name: " + name)));

        assertThat(errors(folder)).anySatisfy(p -> assertThat(p.message())
                .contains("skill name").contains("U+200D").contains("control or format character"));
    }

    @Test
    void should_refuse_model_ids_that_differ_only_by_case_naming_both(@TempDir Path tmp) throws IOException {
        List<RegistryProblem> errors = errors(registry(tmp, "Sim-A", "sim-b", "sim-a"));

        assertThat(errors).singleElement().satisfies(p -> assertThat(p.message())
                .contains("'sim-a'").contains("'Sim-A'").contains("case"));
    }

    @Test
    void should_refuse_skill_names_that_differ_only_by_case_naming_both(@TempDir Path tmp) throws IOException {
        Path folder = registry(tmp, "sim-a");
        write(folder, Map.of("skills/Solve/SKILL.md", SKILL.replace("name: solve", "name: Solve")));
        if (!Files.isRegularFile(folder.resolve("skills/solve/SKILL.md"))) {
            return; // a case-insensitive file system cannot hold the two folders
        }

        assertThat(errors(folder)).anySatisfy(p -> assertThat(p.message())
                .contains("'Solve'").contains("'solve'").contains("case"));
    }

    @Test
    void should_store_ids_in_nfc_so_two_spellings_of_one_name_are_one_id(@TempDir Path tmp) throws IOException {
        String nfd = Normalizer.normalize("caf\u00e9", Normalizer.Form.NFD);
        Path folder = registry(tmp, nfd);

        Registry r = RegistryLoader.builder().env(Map.of()).build().load(folder);

        assertThat(r.models()).singleElement().satisfies(m -> assertThat(m.id()).isEqualTo("caf\u00e9"));
        assertThat(errors(registry(tmp.resolve("twins"), nfd, "caf\u00e9"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("duplicate model id"));
    }

    @Test
    void should_check_max_response_bytes_when_the_registry_is_read(@TempDir Path tmp) throws IOException {
        Path folder = registry(tmp, "sim-a");
        String openai = "    backend: openai\n    description: an endpoint\n    base-url: http://127.0.0.1:9/v1\n"
                + "    model-name: m\n";
        Files.writeString(folder.resolve("models.yaml"), "name: t\nmodels:\n  - id: ep-a\n" + openai
                + "    max-response-bytes: lots\n  - id: ep-b\n" + openai + "    max-response-bytes: 64m\n");

        assertThat(errors(folder)).singleElement().satisfies(p -> assertThat(p.toString())
                .contains("models[ep-a].max-response-bytes").contains("positive number of bytes").contains("'lots'"));
        Files.writeString(folder.resolve("models.yaml"), "name: t\nmodels:\n  - id: ep-b\n" + openai
                + "    max-response-bytes: 64m\n");
        Registry r = RegistryLoader.builder().env(Map.of()).build().load(folder);
        assertThat(r.model("ep-b").orElseThrow().settings()).containsEntry("max-response-bytes", "64m");
    }

    @Test
    void should_refuse_a_models_yaml_that_is_a_symbolic_link_outside_the_folder(@TempDir Path tmp) throws IOException {
        Path folder = registry(tmp, "sim-a");
        Path outside = Files.writeString(tmp.resolve("elsewhere.yaml"), "name: t\nmodels:\n" + model("sim-a"));
        Files.delete(folder.resolve("models.yaml"));
        Files.createSymbolicLink(folder.resolve("models.yaml"), outside);

        assertThat(errors(folder)).singleElement().satisfies(p -> assertThat(p.toString())
                .contains("models.yaml").contains("symbolic link"));
    }

    @Test
    void should_accept_a_models_yaml_linked_within_the_suite_folder(@TempDir Path tmp) throws IOException {
        Path folder = registry(tmp, "sim-a");
        Path shared = Files.writeString(folder.getParent().resolve("shared-models.yaml"), "name: t\nmodels:\n" + model("sim-a"));
        Files.delete(folder.resolve("models.yaml"));
        Files.createSymbolicLink(folder.resolve("models.yaml"), shared);

        assertThat(errors(folder)).isEmpty();
    }
}
