package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.Progress;
import dev.maestro.episode.Environment;
import dev.maestro.eval.PairMatrix;
import dev.maestro.eval.ReportWriter;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.task.Task;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.ToyWorld;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnboardingExperimentTest {
    @Test
    void should_score_a_policy_at_the_reference_policys_price_of_accuracy_in_dollars() {
        // given a trained policy, seen once with a cost reference of $0.002 per task at W = 0.01, once with $0.0005
        Environment env = ToyWorld.env();
        List<Task> train = ToyWorld.tasks(32);
        PairMatrix m = PairMatrix.compute(env, train, 7, 1, Progress.NONE);
        LearnedPolicy p = GrpoTrainer.builder(env, train, ToyWorld.CFG, new ToyWorld.BagOfWords(), "bow-32")
                .priors(m.accuracies()).build().run().policy();
        LearnedPolicy reference = p.costs(p.costs(), 0.002).withCostWeight(0.01);
        LearnedPolicy cheaperReference = p.costs(p.costs(), 0.0005).withCostWeight(0.2);

        // when it is given the reference's price
        LearnedPolicy same = OnboardingExperiment.samePrice(cheaperReference, reference);

        // then one dollar weighs the same for both: W / reference is equal
        assertThat(same.costWeight() / same.costReference())
                .isCloseTo(reference.costWeight() / reference.costReference(), within(1e-9));
        assertThat(same.costWeight()).isCloseTo(0.0025, within(1e-12));
    }

    @Test
    void should_pool_the_recovery_over_sets_so_a_set_with_a_gain_within_noise_does_not_decide_it() {
        // set A: retraining gains 0.08, onboarding recovers 0.04 of it; set B: retraining gains 0.001, onboarding 0.003
        List<OnboardingExperiment.Row> rows = List.of(
                row("A", "without", 0, "-", 0.60, Double.NaN), row("A", "retrained", 0, "-", 0.68, 1),
                row("A", "onboarded", 30, "adaptive", 0.64, 0.5),
                row("B", "without", 0, "-", 0.690, Double.NaN), row("B", "retrained", 0, "-", 0.691, 1),
                row("B", "onboarded", 30, "adaptive", 0.693, 3.0));

        assertThat(OnboardingExperiment.pooledRecovery(rows, 30, "adaptive")).isCloseTo(0.043 / 0.081, within(1e-9));
        assertThat(OnboardingExperiment.meanRecovery(rows, 30, "adaptive")).isCloseTo(1.75, within(1e-9));
        assertThat(OnboardingExperiment.pooledRecovery(rows, 10, "adaptive")).isNaN();
    }

    @Test
    void should_pool_each_probe_draw_over_the_sets_with_that_draws_rewards() {
        // set A gains 0.08 by retraining, set B 0.02; draw 0 recovers 0.04 + 0.00, draw 1 0.08 + 0.02
        List<OnboardingExperiment.Row> rows = List.of(
                row("A", "without", 0, "-", 0.60, Double.NaN), row("A", "retrained", 0, "-", 0.68, 1),
                row("B", "without", 0, "-", 0.50, Double.NaN), row("B", "retrained", 0, "-", 0.52, 1));
        Map<String, double[]> rewards = new LinkedHashMap<>();
        rewards.put("A", new double[] {0.64, 0.68});
        rewards.put("B", new double[] {0.50, 0.52});

        double[] pooled = OnboardingExperiment.pooledByDraw(rows, rewards);

        assertThat(pooled).containsExactly(new double[] {0.4, 1.0}, within(1e-9));
    }

    private static OnboardingExperiment.Row row(String set, String system, int n, String sel, double reward, double recovery) {
        return new OnboardingExperiment.Row(set, system, n, sel, reward, 0, reward, 0, recovery, 0, 0);
    }

    @Test
    void should_draw_the_recovery_at_the_probe_counts_and_keep_them_out_of_the_sections_json() throws Exception {
        List<OnboardingExperiment.Row> rows = List.of(
                row("A", "without", 0, "-", 0.60, Double.NaN), row("A", "retrained", 0, "-", 0.68, 1),
                row("A", "onboarded", 0, "card", 0.61, 0.125), row("A", "onboarded", 30, "adaptive", 0.64, 0.5),
                row("A", "onboarded", 30, "random", 0.62, 0.25));
        OnboardingExperiment.Section s = OnboardingExperiment.section(
                new OnboardingExperiment.Result(rows, List.of(), List.of()), List.of(0, 30));

        assertThat(s.xValues()).containsExactly(0.0, 30.0);
        assertThat(s.curves().get("recovered share of the retraining gain (pooled over the sets), adaptive"))
                .containsExactly(0.125, 0.5);
        JsonNode json = ReportWriter.JSON.readTree(ReportWriter.JSON.writeValueAsString(s));
        assertThat(json.get("x").asText()).isEqualTo("probes per new pair: [0, 30]");
        assertThat(json.has("probes")).isFalse();
    }
}
