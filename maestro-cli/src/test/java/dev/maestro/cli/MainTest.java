package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class MainTest {
    @TempDir
    static Path dir;

    /** What {@link Main#run} printed on stderr and returned. */
    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void should_refuse_bad_input_in_one_line_without_a_stack_trace() {
        // when
        Run r = run("eval", "--suite", "no-such-suite", "--no-progress");
        // then
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err()).startsWith("maestro eval: no suite 'no-such-suite'").contains("mathv");
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("MaestroException");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of(new String[] {"eval", "--suite", "../data/mathv", "--policy", "fixed:foo", "--no-progress"},
                        "maestro eval: --policy fixed:foo: expected fixed:MODEL@@SKILL"),
                Arguments.of(new String[] {"eval", "--suite", "../data/mathv", "--policy", "fixed:@@direct", "--no-progress"},
                        "maestro eval: --policy fixed:@@direct: expected fixed:MODEL@@SKILL"),
                Arguments.of(new String[] {"eval", "--suite", "../data/mathv", "--policy", "fixed:nope@@direct", "--no-progress"},
                        "maestro eval: --policy fixed:nope@@direct: pair not in registry"),
                Arguments.of(new String[] {"eval", "--suite", "../data/mathv", "--split", "nope", "--no-progress"},
                        "maestro eval: unknown split 'nope'; valid: train, validation, test, all"),
                Arguments.of(new String[] {"collect", "--suite", "../data/mathv", "--pairs", "x@@", "--budget", "1", "--out",
                        dir.resolve("collect").toString(), "--no-progress"},
                        "maestro collect: --pairs: a pair needs a model and a skill, written MODEL@@SKILL; got 'x@@'"),
                Arguments.of(new String[] {"serve", "--registry", "../data/paper-sim/registry", "--policy", "fixed:@@cot"},
                        "maestro serve: --policy fixed:@@cot: expected fixed:MODEL@@SKILL"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void should_end_every_bad_input_with_one_line_and_exit_2(String[] args, String message) {
        // when
        Run r = run(args);
        // then
        assertThat(r.code()).as(r.err()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err()).startsWith(message).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }
    static Stream<String> commandPaths() {
        List<String> paths = new ArrayList<>();
        collect(new CommandLine(new Main()), "", paths);
        return paths.stream();
    }

    private static void collect(CommandLine cl, String prefix, List<String> into) {
        cl.getSubcommands().forEach((name, sub) -> {
            String path = (prefix + " " + name).strip();
            if (!into.contains(path) && sub.getCommandSpec().name().equals(name)) { // aliases list a command twice
                into.add(path);
                collect(sub, path, into);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("commandPaths")
    void should_print_every_commands_help_without_a_picocli_warning(String path) {
        // a description with an unescaped % makes picocli warn on stderr and print the raw string
        List<String> args = new ArrayList<>(List.of(path.split(" ")));
        args.add("--help");

        Run r = run(args.toArray(String[]::new));

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).as(path).doesNotContain("picocli WARN");
    }

    @ParameterizedTest
    @MethodSource("commandPaths")
    void should_give_every_option_one_paragraph_that_picocli_wraps(String path) {
        // each element of a description array is its own line: an option's sentence split over elements to keep the
        // source short rendered as alternating long and short lines in the narrow description column
        CommandLine cl = new CommandLine(new Main());
        for (String name : path.split(" ")) {
            cl = cl.getSubcommands().get(name);
        }

        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            assertThat(o.description()).as(path + " " + o.longestName()).hasSizeLessThanOrEqualTo(1);
        }
    }
}
