package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoaderTest.ENV;
import static dev.maestro.registry.RegistryLoaderTest.SOLVE;
import static dev.maestro.registry.RegistryLoaderTest.reader;
import static dev.maestro.registry.RegistryLoaderTest.validRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile registry folders: {@code recorded:} paths and SKILL.md files must stay inside the registry's parent
 * (suite) folder, whether they try {@code ../}, an absolute path, or a symbolic link that leads outside.
 */
class RegistryPathEscapeTest {

    private static String replay(String recorded) {
        return "models:\n  - {id: r, backend: replay, description: replayed, recorded: '" + recorded + "'}\n";
    }

    private static List<RegistryProblem> errors(Path dir) {
        return reader(ENV).check(dir).stream().filter(RegistryProblem::isError).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../outside.jsonl", "../../../../../../etc/passwd", "/etc/passwd"})
    void should_refuse_a_recorded_path_that_leaves_the_suite_folder(String recorded, @TempDir Path tmp) throws IOException {
        // given: the target exists, so only the escape can be the problem
        Path dir = validRegistry(tmp);
        Files.writeString(tmp.resolve("outside.jsonl"), "{}\n");
        Files.writeString(dir.resolve("models.yaml"), replay(recorded));

        // when
        List<RegistryProblem> errors = errors(dir);

        // then
        assertThat(errors).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("models[r].recorded");
            assertThat(p.message()).contains("escapes the registry's parent folder 'suite'");
        });
    }

    @Test
    void should_refuse_a_recorded_symlink_that_leads_outside(@TempDir Path tmp) throws IOException {
        // given: suite/recorded.jsonl -> ../secret.jsonl
        Path dir = validRegistry(tmp);
        Files.writeString(tmp.resolve("secret.jsonl"), "{}\n");
        Files.createSymbolicLink(tmp.resolve("suite/recorded.jsonl"), tmp.resolve("secret.jsonl"));
        Files.writeString(dir.resolve("models.yaml"), replay("../recorded.jsonl"));

        // when
        List<RegistryProblem> errors = errors(dir);

        // then
        assertThat(errors).singleElement().satisfies(p -> assertThat(p.message()).contains("escapes"));
    }

    @Test
    void should_accept_a_recorded_symlink_that_stays_inside(@TempDir Path tmp) throws IOException {
        // given: suite/recorded.jsonl -> suite/data/real.jsonl
        Path dir = validRegistry(tmp);
        Files.createDirectories(tmp.resolve("suite/data"));
        Files.writeString(tmp.resolve("suite/data/real.jsonl"), "{}\n");
        Files.createSymbolicLink(tmp.resolve("suite/recorded.jsonl"), tmp.resolve("suite/data/real.jsonl"));
        Files.writeString(dir.resolve("models.yaml"), replay("../recorded.jsonl"));

        // then
        assertThat(errors(dir)).isEmpty();
    }

    @Test
    void should_refuse_a_skill_file_that_is_a_symlink_outside(@TempDir Path tmp) throws IOException {
        // given: skills/evil/SKILL.md -> a file outside the suite folder that happens to be a valid skill
        Path dir = validRegistry(tmp);
        Files.writeString(tmp.resolve("stolen.md"), SOLVE.replace("name: solve", "name: evil"));
        Files.createDirectories(dir.resolve("skills/evil"));
        Files.createSymbolicLink(dir.resolve("skills/evil/SKILL.md"), tmp.resolve("stolen.md"));

        // when
        List<RegistryProblem> errors = errors(dir);

        // then: refused with the file named, and the outside text is never read into a skill
        assertThat(errors).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("skills/evil/SKILL.md");
            assertThat(p.message()).contains("escapes the registry's parent folder 'suite'");
        });
    }

    @Test
    void should_refuse_a_skill_folder_that_is_a_symlink_outside(@TempDir Path tmp) throws IOException {
        // given: skills/evil -> a folder outside the suite folder
        Path dir = validRegistry(tmp);
        Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(tmp.resolve("elsewhere/SKILL.md"), SOLVE.replace("name: solve", "name: evil"));
        Files.createSymbolicLink(dir.resolve("skills/evil"), tmp.resolve("elsewhere"));

        // when
        List<RegistryProblem> errors = errors(dir);

        // then
        assertThat(errors).singleElement().satisfies(p -> assertThat(p.message()).contains("escapes"));
    }
}
