package dev.maestro.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryCommandTest {

    record Run(int exit, String out) {
    }

    static Run run(String... args) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        int exit = new CommandLine(new RegistryCommand()).setOut(pw).setErr(pw).execute(args);
        pw.flush();
        return new Run(exit, sw.toString());
    }

    static Path registry(Path tmp, String backend) throws IOException {
        Path dir = tmp.resolve("suite/reg");
        Files.createDirectories(dir.resolve("skills/solve"));
        Files.writeString(dir.resolve("models.yaml"), """
                name: cli-test
                models:
                  - id: a
                    backend: %s
                    description: a model
                  - id: b
                    backend: simulated
                    description: another model
                """.formatted(backend));
        Files.writeString(dir.resolve("skills/solve/SKILL.md"), """
                ---
                name: solve
                level: 1
                description: solves
                ---
                {question}
                """);
        return dir;
    }

    @Test
    void should_print_a_summary_and_exit_0_for_a_valid_registry(@TempDir Path tmp) throws IOException {
        Path dir = registry(tmp, "simulated");

        Run r = run("check", dir.toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo(dir + ": registry cli-test: 2 models, 1 skills, 2 pairs");
    }

    @Test
    void should_print_each_problem_and_exit_1_on_errors(@TempDir Path tmp) throws IOException {
        Path dir = registry(tmp, "gpt");

        Run r = run("check", dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains(dir.resolve("models.yaml") + ":4: models[a].backend: unknown backend 'gpt'; "
                + "valid: openai, anthropic, gemini, azure-openai, ollama, replay, simulated, none");
        assertThat(r.out()).contains("1 error(s), 0 warning(s)");
    }

    @Test
    void should_exit_1_on_warnings_only_with_strict(@TempDir Path tmp) throws IOException {
        Path dir = registry(tmp, "simulated");
        Files.delete(dir.resolve("skills/solve/SKILL.md"));
        Files.delete(dir.resolve("skills/solve"));
        Files.delete(dir.resolve("skills"));

        Run lenient = run("check", dir.toString());
        Run strict = run("check", "--strict", dir.toString());

        assertThat(lenient.exit()).isZero();
        assertThat(lenient.out()).contains("warning: no skills folder").contains("0 pairs, 1 warning(s)");
        assertThat(strict.exit()).isEqualTo(1);
    }

    @Test
    void should_check_the_shipped_mathv_registry() {
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(repo.resolve("data/mathv/registry"))) {
            repo = repo.getParent();
        }

        Run r = run("check", repo.resolve("data/mathv/registry").toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("registry mathv-replay: 12 models, 2 skills, 15 pairs");
    }

    @Test
    void should_show_help() {
        Run top = run("--help");
        Run check = run("check", "--help");

        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("Usage: registry", "check");
        assertThat(check.exit()).isZero();
        assertThat(check.out()).contains("Usage: registry check", "DIR", "--strict", "Exit codes");
    }
}
