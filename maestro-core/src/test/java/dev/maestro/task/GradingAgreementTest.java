package dev.maestro.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradingAgreementTest {

    @TempDir
    Path dir;

    @Test
    void should_agree_with_mathv_recorded_flags_except_documented_grader_differences() {
        // when
        GradingAgreement.Report r = GradingAgreement.check(Data.mathv("tasks.jsonl"), Data.mathv("recorded.jsonl.gz"),
                Data.mathv("grading_flags.jsonl"));

        // then: the figures written in docs/grading.md
        assertThat(r.rows()).isEqualTo(45_600);
        assertThat(r.flagRows()).isEqualTo(251);
        assertThat(r.agreed()).isEqualTo(45_308);
        assertThat(r.oursTrueRecordedFalse()).isEqualTo(269);
        assertThat(r.oursFalseRecordedTrue()).isEqualTo(23);
        assertThat(r.disagreementsFlagged()).isEqualTo(220);
        assertThat(r.flaggedByReason()).containsEntry("recorded_false_but_matches_gold_after_normalisation", 202)
                .containsEntry("credited_by_2dp_rounding_only", 18);
        assertThat(r.disagreements()).hasSize(r.disagreementCount());
        assertThat(r.summary()).contains("99.36%");
    }

    @Test
    void should_count_both_kinds_of_disagreement_and_flag_coincidences() throws IOException {
        // given
        Path tasks = write("tasks.jsonl",
                "{\"id\":\"1\",\"source\":\"math-v\",\"subject\":\"s\",\"level\":1,\"question\":\"q\",\"options\":[\"$8 \\\\mathrm{~kg}$\",\"9\"],\"answer\":\"A\",\"image\":null,\"split\":\"test\"}\n"
                        + "{\"id\":\"2\",\"source\":\"math-v\",\"subject\":\"s\",\"level\":1,\"question\":\"q\",\"options\":[],\"answer\":\"\\\\frac{1}{900}\",\"image\":null,\"split\":\"test\"}");
        Path recorded = dir.resolve("rec.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(recorded))) {
            out.write(("{\"task_id\":\"1\",\"model\":\"M\",\"skill\":\"cot\",\"answer\":\"8kg\",\"correct\":false}\n"
                    + "{\"task_id\":\"1\",\"model\":\"N\",\"skill\":\"cot\",\"answer\":\"a\",\"correct\":true}\n"
                    + "{\"task_id\":\"2\",\"model\":\"M\",\"skill\":\"cot\",\"answer\":\"\\\\frac{1}{1024}\",\"correct\":true}\n"
                    + "{\"task_id\":\"2\",\"model\":\"N\",\"skill\":\"cot\",\"answer\":\"7\",\"correct\":false}\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        Path flags = write("flags.jsonl", "{\"task_id\":\"1\",\"model\":\"M\",\"skill\":\"cot\",\"reason\":\"r1\"}");

        // when
        GradingAgreement.Report r = GradingAgreement.check(tasks, recorded, flags);

        // then
        assertThat(r.rows()).isEqualTo(4);
        assertThat(r.agreed()).isEqualTo(2);
        assertThat(r.agreementRate()).isEqualTo(0.5);
        assertThat(r.oursTrueRecordedFalse()).isEqualTo(1);
        assertThat(r.oursFalseRecordedTrue()).isEqualTo(1);
        assertThat(r.disagreementsFlagged()).isEqualTo(1);
        assertThat(r.flaggedByReason()).isEqualTo(Map.of("r1", 1));
        assertThat(r.reasons()).containsOnlyKeys("option text instead of its letter", "equal only after upstream 2-d.p. rounding");
        assertThat(r.disagreements()).extracting(GradingAgreement.Disagreement::taskId).containsExactly("1", "2");
    }

    @Test
    void should_reject_recorded_rows_for_unknown_tasks() throws IOException {
        Path tasks = write("t.jsonl", "{\"id\":\"1\",\"source\":\"ours\",\"question\":\"q\",\"answer\":\"1\"}");
        Path recorded = write("r.jsonl", "{\"task_id\":\"9\",\"model\":\"M\",\"skill\":\"s\",\"answer\":\"1\",\"correct\":true}");
        Path flags = write("f.jsonl", "");
        assertThatThrownBy(() -> GradingAgreement.check(TaskReader.read(tasks), recorded, flags, AnswerGrader.create()))
                .isInstanceOf(MaestroException.class).hasMessageContaining("task '9' that is not in the tasks file");
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

}
