package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code judge:} in suite.yaml. */
class SuiteJudgeTest {
    @TempDir
    Path dir;

    private Suite load(String judge) throws IOException {
        Files.writeString(dir.resolve("suite.yaml"), "name: s\ntasks: tasks.jsonl\nregistry: registry\n" + judge);
        return Suite.load(dir);
    }

    @Test
    void should_read_the_judge_model_and_rubric() throws IOException {
        Suite s = load("judge:\n  model: grader-m\n  rubric: \"Correct when it names a prime.\"\n");

        assertThat(s.judge()).contains(new Suite.Judge("grader-m", "Correct when it names a prime.", true));
        assertThat(load("judge: {model: g, rubric: r, agreement: false}\n").judge().orElseThrow().agreement()).isFalse();
        assertThat(load("").judge()).isEmpty();
    }

    @Test
    void should_refuse_a_judge_without_model_or_rubric_or_with_unknown_keys() {
        assertThatThrownBy(() -> load("judge: {rubric: r}\n")).isInstanceOf(MaestroException.class)
                .hasMessageContaining("judge.model is required");
        assertThatThrownBy(() -> load("judge: {model: m}\n")).isInstanceOf(MaestroException.class)
                .hasMessageContaining("judge.rubric is required");
        assertThatThrownBy(() -> load("judge: {model: m, rubric: r, temprature: 0}\n")).isInstanceOf(MaestroException.class)
                .hasMessageContaining("judge.temprature: unknown key; valid: model, rubric, agreement");
        assertThatThrownBy(() -> load("judge: gpt-4o\n")).isInstanceOf(MaestroException.class)
                .hasMessageContaining("judge: must be a mapping");
    }
}
