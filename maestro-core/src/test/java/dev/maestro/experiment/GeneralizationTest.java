package dev.maestro.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.Progress;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.episode.Environment;
import dev.maestro.eval.Evaluator;
import dev.maestro.policy.LearnedPolicy;
import dev.maestro.train.GrpoTrainer;
import dev.maestro.train.ToyWorld;
import org.junit.jupiter.api.Test;

class GeneralizationTest {
    @Test
    void should_score_a_trained_policy_under_the_limits_it_was_trained_with_not_the_environments() {
        // given a policy trained with at most one call in two turns, in an environment allowing 8 calls in 4 turns
        Environment env = ToyWorld.env().withConfig(ToyWorld.env().config().withMaxTurns(4).withMaxCalls(8));
        LearnedPolicy p = GrpoTrainer.builder(env, ToyWorld.tasks(32), ToyWorld.CFG.toBuilder().maxTurns(2).maxCalls(1)
                .epochs(1).build(), new ToyWorld.BagOfWords(), "bow-32").build().run().policy();

        // when the experiments (leave-one-out, unseen experts, onboarding) choose its environment, also for the copies
        // calibration and onboarding make of it
        EpisodeConfig c = Generalization.asTrained(env, p.priors(p.priors())).config();

        // then it runs under its own limits, and the rest of the environment's config stays
        assertThat(c.maxTurns()).isEqualTo(2);
        assertThat(c.maxCalls()).isEqualTo(1);
        assertThat(c.maxCostUsd()).isEqualTo(env.config().maxCostUsd());
        assertThat(Evaluator.run(Generalization.asTrained(env, p), p, ToyWorld.tasks(16), 7, 1, Progress.NONE))
                .allSatisfy(r -> assertThat(r.calls()).isLessThanOrEqualTo(1));
    }
}
