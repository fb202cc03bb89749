package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.policy.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maestro onboard} end to end on the simulated paper suite plus its two unseen specialists. */
class OnboardCommandTest {
    static final Path SUITE = Path.of("..", "data", "paper-sim");
    static final Path PLUS = SUITE.resolve("registry-plus");

    @TempDir
    static Path dir;
    static Path ckpt;

    @BeforeAll
    static void train() {
        int code = Main.run("train", "--suite", SUITE.toString(), "--out", dir.resolve("train").toString(), "--embedder",
                "hashing-384", "--min-steps", "10", "--epochs", "1", "--group-size", "2", "--threads", "2", "--no-progress");
        assertThat(code).isZero();
        ckpt = dir.resolve("train/policy.ckpt");
    }

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void should_probe_only_the_new_pairs_within_the_limit_and_write_a_policy_eval_loads() throws Exception {
        Path file = dir.resolve("onboarded/policy.ckpt");
        Run r = run("onboard", "--suite", SUITE.toString(), "--registry", PLUS.toString(), "--policy", ckpt.toString(),
                "--probes", "4", "--out", file.toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("med-specialist-sim@@medical-solver: 4 probes").contains("total: 56 probes")
                .contains("expected cost per call: $").contains("(the mean of its 4 probes)");
        JsonNode report = new ObjectMapper().readTree(Files.readString(Path.of(file + ".json")));
        assertThat(report.path("pairs")).hasSize(14); // 2 new models x 7 level-1 skills
        // placed per clusters of the questions by default, reported per the suite's own groups
        assertThat(report.path("groups").asText()).isEqualTo("clusters");
        assertThat(report.path("fitted_clusters").asBoolean()).isTrue();
        assertThat(report.path("fitted_groups").size()).isBetween(2, 8);
        assertThat(r.out()).contains("abilities placed per " + report.path("fitted_groups").size() + " clusters");
        for (JsonNode p : report.path("pairs")) {
            assertThat(p.path("pair").asText()).matches("(med|ocr)-specialist-sim@@.*");
            assertThat(p.path("probes").size()).isEqualTo(4);
            double probeMean = 0;
            for (JsonNode x : p.path("probes")) {
                probeMean += x.path("cost_usd").asDouble() / 4;
            }
            assertThat(p.path("expected_cost_per_call_usd").asDouble()).isCloseTo(probeMean, within(1e-9));
            assertThat(p.path("by_group").path("medical").path("low").asDouble())
                    .isLessThanOrEqualTo(p.path("by_group").path("medical").path("high").asDouble());
        }
        Checkpoint.Contents c = Checkpoint.read(file);
        assertThat(c.header().priors()).containsKey("med-specialist-sim@@medical-solver")
                .containsKey("Intern-S1-mini@@science-solver");
        assertThat(c.header().notes()).containsKey("onboarding");
        Run eval = run("eval", "--suite", SUITE.toString(), "--registry", PLUS.toString(), "--policy", file.toString(),
                "--out", dir.resolve("eval").toString(), "--no-progress");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("maestro");
    }

    @Test
    void should_stop_at_the_budget() throws Exception {
        Path file = dir.resolve("budget/policy.ckpt");
        Run r = run("onboard", "--suite", SUITE.toString(), "--registry", PLUS.toString(), "--policy", ckpt.toString(),
                "--probes", "30", "--budget", "0.0005", "--out", file.toString(), "--no-progress");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(Files.readString(Path.of(file + ".json")));
        assertThat(report.path("cost_usd").asDouble()).isLessThanOrEqualTo(0.0005).isGreaterThan(0);
        assertThat(r.out()).contains("budget reached");
    }

    @Test
    void should_refuse_bad_input_in_one_line() {
        Run neg = run("onboard", "--suite", SUITE.toString(), "--registry", PLUS.toString(), "--policy", ckpt.toString(),
                "--probes", "-1", "--out", dir.resolve("x").toString(), "--no-progress");
        assertThat(neg.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(neg.err().strip()).startsWith("maestro onboard: --probes must be 0").doesNotContain("\tat ");
        assertThat(neg.err().strip().lines().count()).isEqualTo(1);

        Run none = run("onboard", "--suite", SUITE.toString(), "--policy", ckpt.toString(), "--probes", "3", "--out",
                dir.resolve("y").toString(), "--no-progress");
        assertThat(none.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(none.err()).contains("nothing to onboard");

        Run sel = run("onboard", "--suite", SUITE.toString(), "--registry", PLUS.toString(), "--policy", ckpt.toString(),
                "--probes", "3", "--selector", "clever", "--out", dir.resolve("z").toString(), "--no-progress");
        assertThat(sel.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(sel.err()).contains("unknown probe selector 'clever'; valid: adaptive, informative, random");
    }
}
