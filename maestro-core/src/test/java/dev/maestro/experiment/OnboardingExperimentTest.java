package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.maestro.Progress;
import dev.maestro.episode.Environment;
import dev.maestro.eval.PairMatrix;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.task.Task;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.ToyWorld;
import java.util.List;
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
}
