package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code eval --cost-weight/--cost-sweep}: bad values and a missing checkpoint are one clear line, exit 2. */
class EvalCostWeightTest {
    private static String[] run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void should_refuse_a_cost_weight_without_a_learned_policy() {
        String[] r = run("eval", "--suite", "../data/blind/suite-tools.yaml", "--policy", "best-single", "--cost-weight", "0.1", "--no-progress");
        assertThat(Integer.parseInt(r[0])).isEqualTo(Main.BAD_INPUT);
        assertThat(r[1]).startsWith("maestro eval: --cost-weight and --cost-sweep apply to a learned policy");
        assertThat(r[1].strip().lines().count()).isEqualTo(1);
    }

    @Test
    void should_refuse_a_negative_cost_weight_and_a_bad_sweep() {
        String[] r = run("eval", "--suite", "../data/blind/suite-tools.yaml", "--policy", "best-single", "--cost-weight", "-1", "--no-progress");
        assertThat(Integer.parseInt(r[0])).isEqualTo(Main.BAD_INPUT);
        assertThat(r[1]).startsWith("maestro eval: --cost-weight must be a number >= 0, got -1.0");
        String[] s = run("eval", "--suite", "../data/blind/suite-tools.yaml", "--policy", "best-single", "--cost-sweep", "0.1,-2", "--no-progress");
        assertThat(Integer.parseInt(s[0])).isEqualTo(Main.BAD_INPUT);
        assertThat(s[1]).startsWith("maestro eval: --cost-sweep takes cost weights >= 0");
    }
}
