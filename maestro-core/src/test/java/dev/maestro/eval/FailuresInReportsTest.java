package dev.maestro.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.episode.Environment;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.Expert;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.ExpertReply;
import dev.maestro.expert.RecordedOutputs;
import dev.maestro.expert.ReplayExpert;
import dev.maestro.expert.Usage;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.AnswerGrader;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Failed calls and tasks without gold in a system's report line: counted, named, never averaged in as wrong. */
class FailuresInReportsTest {
    private static final Registry REG = Registry.of("r", List.of(ModelCard.builder("m", Backend.SIMULATED).build()),
            List.of(SkillCard.simple("direct", "answer", "{question}")));

    /** Tasks t0..t9 have gold "4"; u0..u3 have none. The expert fails on t0, t1 (503) and t2 (timeout), else answers 4. */
    private static List<Task> tasks() {
        List<Task> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(Task.text("t" + i, "What is 2+2? (" + i + ")", "4", "arith"));
        }
        for (int i = 0; i < 4; i++) {
            out.add(new Task("u" + i, "own", "Name a prime (" + i + ")", List.of(), List.of(), AnswerType.UNKNOWN, "open",
                    List.of(), Map.of(), Map.of(), Map.of()));
        }
        return out;
    }

    private static Expert expert() {
        return req -> switch (req.task().id()) {
            case "t0", "t1" -> ExpertReply.failure(ExpertError.of(ExpertError.Kind.HTTP_STATUS, "503 Service Unavailable: x"), 5);
            case "t2" -> ExpertReply.failure(ExpertError.of(ExpertError.Kind.TIMEOUT, "no response within 10 ms"), 10);
            case "t3" -> new ExpertReply(Optional.of("5"), Optional.of("5"), Optional.empty(), Usage.NONE, 0, 1, Optional.empty(), false);
            default -> new ExpertReply(Optional.of("4"), Optional.of("4"), Optional.empty(), Usage.NONE, 0, 1, Optional.empty(), false);
        };
    }

    @Test
    void should_report_failed_calls_and_ungraded_tasks_apart_from_accuracy() {
        // given
        Environment env = Environment.builder(REG, Map.of("m", expert()), AnswerGrader.create()).build();

        // when
        List<EpisodeResult> rs = Evaluator.run(env, new FixedPairPolicy(new Pair("m", "direct")), tasks(), 1, 1, Progress.NONE);
        SystemResult s = SystemResult.of("fixed", "baseline", "m@@direct", rs, "");

        // then: the answers to tasks without gold are ungraded, not wrong
        assertThat(rs.stream().filter(r -> r.taskId().startsWith("u"))).allSatisfy(r -> {
            assertThat(r.gradedBy()).isEqualTo(EpisodeResult.UNGRADED);
            assertThat(r.graded()).isFalse();
        });
        assertThat(s.tasks()).isEqualTo(14);
        assertThat(s.ungraded()).isEqualTo(4);
        // accuracy over the 10 graded tasks: 6 right (t4..t9), the 3 failed calls counted wrong
        assertThat(s.accuracy()).isEqualTo(0.6);
        // and over the 7 graded tasks whose calls succeeded: 6 of 7
        assertThat(s.tasks_calls_succeeded()).isEqualTo(7);
        assertThat(s.accuracy_calls_succeeded()).isEqualTo(0.8571);
        assertThat(s.calls()).isEqualTo(14);
        assertThat(s.errors()).isEqualTo(3);
        assertThat(s.error_rate()).isEqualTo(0.2143);
        assertThat(s.errors_by_kind()).containsExactly(Map.entry("timeout", 1L), Map.entry("http_status", 2L));
        // the console table says so in words
        Report r = new Report("s", "test", 14, 1, false, Report.GRADING, List.of(s), Map.of());
        assertThat(ReportWriter.table(r)).contains("fixed: 3 of 14 calls failed (21.4%, {timeout=1, http_status=2}); "
                + "accuracy over the 7 tasks whose calls all succeeded 85.71%; 4 of 14 tasks ungraded");
    }

    @Test
    void should_count_an_unverifiable_answer_as_wrong_on_a_task_graded_by_recorded_flags() {
        // given a task without gold whose recorded outputs carry correctness flags (BlindTest), and a tool-like expert
        // whose answer is no recorded output
        Registry reg = Registry.of("r", List.of(
                        ModelCard.builder("rec", Backend.REPLAY).build(), ModelCard.builder("tool", Backend.SIMULATED).build()),
                List.of(SkillCard.simple("direct", "answer", "{question}")));
        RecordedOutputs rows = RecordedOutputs.read(new StringReader(
                "{\"task_id\": \"u0\", \"model\": \"rec\", \"skill\": \"direct\", \"correct\": true}\n"), "rows",
                RecordedOutputs.Mode.STRICT);
        Expert tool = req -> new ExpertReply(Optional.of("3"), Optional.of("3"), Optional.empty(), Usage.NONE, 0, 1,
                Optional.empty(), false);
        Environment env = Environment.builder(reg, Map.of("rec", ReplayExpert.create(
                reg.model("rec").orElseThrow(), rows), "tool", tool), AnswerGrader.create()).build();
        Task flagged = tasks().get(10);
        Task unflagged = tasks().get(11);

        // when
        EpisodeResult byRecord = env.run(flagged, new FixedPairPolicy(new Pair("rec", "direct")), 1);
        EpisodeResult byTool = env.run(flagged, new FixedPairPolicy(new Pair("tool", "direct")), 1);
        EpisodeResult nothing = env.run(unflagged, new FixedPairPolicy(new Pair("tool", "direct")), 1);

        // then: the flag grades the recorded answer; the tool's answer cannot be verified there and counts as wrong,
        // so answering some other way never drops a task out of a system's accuracy; a task nothing grades is ungraded
        assertThat(byRecord.gradedBy()).isEqualTo("recorded-flag");
        assertThat(byTool.gradedBy()).isEqualTo("none");
        assertThat(byTool.graded()).isTrue();
        assertThat(nothing.gradedBy()).isEqualTo(EpisodeResult.UNGRADED);
        assertThat(env.canGrade(flagged)).isTrue();
        assertThat(env.canGrade(unflagged)).isFalse();
    }

    @Test
    void should_keep_a_report_without_failures_as_it_was() {
        // given an expert that always answers
        Environment env = Environment.builder(REG, Map.of("m", req -> new ExpertReply(Optional.of("4"), Optional.of("4"),
                Optional.empty(), Usage.NONE, 0, 1, Optional.empty(), false)), AnswerGrader.create()).build();
        List<Task> graded = tasks().subList(0, 10);

        // when
        SystemResult s = SystemResult.of("fixed", "baseline", null,
                Evaluator.run(env, new FixedPairPolicy(new Pair("m", "direct")), graded, 1, 1, Progress.NONE), "");

        // then
        assertThat(s.accuracy()).isEqualTo(1.0).isEqualTo(s.accuracy_calls_succeeded());
        assertThat(s.errors()).isZero();
        assertThat(s.ungraded()).isZero();
        assertThat(ReportWriter.failureLine(s)).isEmpty();
    }

    @Test
    void should_rank_pairs_by_accuracy_over_answered_calls() {
        // given a pair that fails on 3 of 10 tasks and is right on the 7 others, and one always answering, 8 of 10 right
        Registry reg = Registry.of("r2", List.of(ModelCard.builder("flaky", Backend.SIMULATED).build(),
                ModelCard.builder("steady", Backend.SIMULATED).build()), List.of(SkillCard.simple("direct", "answer", "{question}")));
        Expert flaky = req -> List.of("t0", "t1", "t2").contains(req.task().id())
                ? ExpertReply.failure(ExpertError.of(ExpertError.Kind.IO, "ConnectException: refused"), 1)
                : new ExpertReply(Optional.of("4"), Optional.of("4"), Optional.empty(), Usage.NONE, 0, 1, Optional.empty(), false);
        Expert steady = req -> {
            String a = List.of("t8", "t9").contains(req.task().id()) ? "5" : "4";
            return new ExpertReply(Optional.of(a), Optional.of(a), Optional.empty(), Usage.NONE, 0, 1, Optional.empty(), false);
        };
        Environment env = Environment.builder(reg, Map.of("flaky", flaky, "steady", steady), AnswerGrader.create()).build();

        // when
        PairMatrix m = PairMatrix.compute(env, tasks().subList(0, 10), 1, 1, Progress.NONE);

        // then: flaky is right on all 7 it answered; steady on 8 of 10
        assertThat(m.accuracies()).containsEntry(new Pair("flaky", "direct"), 1.0).containsEntry(new Pair("steady", "direct"), 0.8);
    }
}
