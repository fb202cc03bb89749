package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.eval.CurveSection;
import dev.maestro.eval.JudgeGrader;
import dev.maestro.eval.ReportWriter;
import dev.maestro.expert.CallCounts;
import dev.maestro.expert.ExpertError;
import dev.maestro.expert.PairHealth;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Report sections are records now; report.json must read exactly as it did when they were maps built key by key. Each
 * case writes the record and the map the old code built, and compares the text.
 */
class SectionJsonTest {
    private static String json(Object o) throws Exception {
        return ReportWriter.JSON.writeValueAsString(o);
    }

    @Test
    void should_write_the_training_section_as_the_map_did() throws Exception {
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        curves.put("reward_mean", List.of(0.1, 0.2));
        List<GrpoTrainer.WeightPoint> weights = List.of(new GrpoTrainer.WeightPoint(0.5, 0.7, 0.001, 1.5, 2));
        TrainConfig cfg = TrainConfig.DEFAULT;
        Map<String, Object> old = new LinkedHashMap<>();
        old.put("x", "step");
        old.put("curves", curves);
        old.put("best_step", 3L);
        old.put("start", "prior");
        old.put("steps", 10L);
        old.put("episodes", 400L);
        old.put("episodes_per_s", 12L);
        old.put("config", cfg);
        old.put("trained_on_tasks", 40);
        old.put("cost_reference_usd", 0.0012);
        old.put("default_cost_weight", 0.5);
        old.put("validation_by_cost_weight", weights);

        SuiteSections.Training t = new SuiteSections.Training("step", curves, 3, "prior", 10, 400, 12, cfg, 40, 0.0012, 0.5, weights);

        assertThat(json(t)).isEqualTo(json(old));
        assertThat(t).isInstanceOf(CurveSection.class);
    }

    @Test
    void should_write_the_comparison_with_and_without_its_cost_ratios_as_the_map_did() throws Exception {
        Map<String, Double> share = new LinkedHashMap<>();
        share.put("a@@direct", 0.75);
        share.put("b@@direct", 0.25);
        Map<String, Object> old = new LinkedHashMap<>();
        old.put("difference_points", 1.25);
        old.put("ci95_points", List.of(-0.5, 3.0));
        old.put("best_single", "a@@direct");
        old.put("call_share_on_test", share);
        SuiteSections.VersusBestSingle none = new SuiteSections.VersusBestSingle(1.25, List.of(-0.5, 3.0), "a@@direct",
                share, Optional.empty(), Optional.empty());
        assertThat(json(none)).isEqualTo(json(old));

        old.put("cost_ratio_to_best_single", 0.5);
        old.put("cost_ratio_to_most_expensive_expert", 0.125);
        SuiteSections.VersusBestSingle both = new SuiteSections.VersusBestSingle(1.25, List.of(-0.5, 3.0), "a@@direct",
                share, Optional.of(0.5), Optional.of(0.125));
        assertThat(json(both)).isEqualTo(json(old));
    }

    @Test
    void should_write_split_curves_and_generalization_in_their_key_order() throws Exception {
        assertThat(json(new SuiteSections.SplitSizes(10, 2, 5, "rule")))
                .isEqualTo(json(ordered("train", 10, "validation", 2, "test", 5, "rule", "rule")));
        Map<String, List<Double>> curves = Map.of("a", List.of(1.0));
        assertThat(json(CurveSection.of("step", curves))).isEqualTo(json(ordered("x", "step", "curves", curves)));
        assertThat(json(new SuiteSections.GeneralizationSection("n", Optional.empty(), Optional.empty())))
                .isEqualTo(json(ordered("note", "n")));
    }

    @Test
    void should_write_a_pairs_health_line_as_the_map_did() throws Exception {
        CallCounts calls = new CallCounts(10, Map.of(ExpertError.Kind.TIMEOUT, 2L), Map.of(ExpertError.Kind.TIMEOUT, "slow"));
        PairHealth ok = PairHealth.assess("m@@s", calls, Optional.empty());
        Map<String, Object> old = ordered("calls", 10L, "errors", 2L, "error_rate", 0.2, "errors_by_kind",
                calls.errorsByKind(), "health", ok.verdict().name().toLowerCase(Locale.ROOT));
        ok.cause().ifPresent(c -> old.put("cause", c));
        assertThat(json(ok.line())).isEqualTo(json(old));

        PairHealth live = PairHealth.assess("m@@s", calls, Optional.of(new CallCounts(13, Map.of(ExpertError.Kind.TIMEOUT,
                3L), Map.of())));
        Map<String, Object> oldLive = ordered("calls", 10L, "errors", 2L, "error_rate", 0.2, "errors_by_kind",
                calls.errorsByKind(), "requests", 13L, "request_errors", 3L, "request_error_rate", 0.2308,
                "request_errors_by_kind", Map.of("timeout", 3L), "health", live.verdict().name().toLowerCase(Locale.ROOT));
        live.cause().ifPresent(c -> oldLive.put("cause", c));
        assertThat(json(live.line())).isEqualTo(json(oldLive));
    }

    @Test
    void should_write_the_calibration_section_as_the_map_did() throws Exception {
        Map<String, Double> acc = Map.of("new@@direct", 0.5);
        assertThat(json(new Calibration.Section(List.of("new"), 1, 20, 20L, 0.01, acc))).isEqualTo(json(ordered(
                "models", List.of("new"), "pairs", 1, "sample_questions", 20, "calls", 20L, "cost_usd", 0.01,
                "accuracy_on_sample", acc)));
    }

    @Test
    void should_write_the_judge_section_as_the_map_did() throws Exception {
        JudgeGrader.Agreement none = new JudgeGrader.Agreement(0, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), "off");
        JudgeGrader.Summary s = new JudgeGrader.Summary("judge", 4, 1, 0.25, "note", 2, 1, 1, List.of("why"), none);
        assertThat(json(s)).isEqualTo(json(ordered("model", "judge", "calls", 4L, "failed_calls", 1L, "cost_usd", 0.25,
                "cost_note", "note", "graded_correct", 2L, "graded_incorrect", 1L, "ungraded", 1L, "ungraded_reasons",
                List.of("why"), "agreement_with_gold", ordered("answers", 0L, "note", "off"))));

        JudgeGrader.Agreement some = new JudgeGrader.Agreement(4, Optional.of(0.75), Optional.of(List.of(0.3, 0.95)),
                Optional.of(2L), Optional.of(1L), Optional.of(0L), Optional.of(1L), "on");
        assertThat(json(some)).isEqualTo(json(ordered("answers", 4L, "agreement", 0.75, "agreement_ci95",
                List.of(0.3, 0.95), "judge_correct_gold_correct", 2L, "judge_correct_gold_wrong", 1L,
                "judge_wrong_gold_correct", 0L, "judge_wrong_gold_wrong", 1L, "note", "on")));
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
