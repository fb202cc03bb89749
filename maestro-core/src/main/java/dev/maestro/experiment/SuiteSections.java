package dev.maestro.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.maestro.eval.CurveSection;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.TrainConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sections {@link SuiteEvaluation} adds to a suite's report, as {@code report.json} writes them (components in
 * key order, snake_case names).
 */
public final class SuiteSections {
    private SuiteSections() {
    }

    /** {@code split}: how many tasks each part of the split holds, and the rule that assigned them. */
    public record SplitSizes(int train, int validation, int test, String rule) {
    }

    /**
     * {@code training}: the learned policy's training run, its curves per step and what was chosen on validation.
     *
     * @param trainedOnTasks   training tasks the run sampled from (at most the config's {@code max-train-tasks})
     * @param costReferenceUsd the cost the reward's cost term is measured against (the best training pair's mean cost)
     */
    public record Training(String x, Map<String, List<Double>> curves, @JsonProperty("best_step") long bestStep,
                           String start, long steps, long episodes, @JsonProperty("episodes_per_s") long episodesPerSecond,
                           TrainConfig config, @JsonProperty("trained_on_tasks") int trainedOnTasks,
                           @JsonProperty("cost_reference_usd") double costReferenceUsd,
                           @JsonProperty("default_cost_weight") double defaultCostWeight,
                           @JsonProperty("validation_by_cost_weight") List<GrpoTrainer.WeightPoint> validationByCostWeight)
            implements CurveSection {
    }

    /**
     * {@code maestro_vs_best_single}: the learned policy against the best single pair on the same test tasks, paired.
     * The cost ratios are there only when the compared system spent anything.
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record VersusBestSingle(@JsonProperty("difference_points") double differencePoints,
                                   @JsonProperty("ci95_points") List<Double> ci95Points,
                                   @JsonProperty("best_single") String bestSingle,
                                   @JsonProperty("call_share_on_test") Map<String, Double> callShareOnTest,
                                   @JsonProperty("cost_ratio_to_best_single") Optional<Double> costRatioToBestSingle,
                                   @JsonProperty("cost_ratio_to_most_expensive_expert")
                                   Optional<Double> costRatioToMostExpensiveExpert) {
    }

    /** {@code generalization}: the trained policy on models it never saw, each part there when the suite asks for it. */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record GeneralizationSection(String note,
                                        @JsonProperty("unseen_specialists") Optional<Generalization.Unseen> unseenSpecialists,
                                        @JsonProperty("leave_one_out") Optional<List<Generalization.LeaveOneOut>> leaveOneOut) {
    }
}
