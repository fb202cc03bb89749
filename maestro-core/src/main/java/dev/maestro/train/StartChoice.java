package dev.maestro.train;

import dev.maestro.policy.LearnedPolicies;
import dev.maestro.policy.LearnedPolicy;

/**
 * Which starting policy training begins from, chosen on validation by the same paired rule that later keeps or
 * rejects a checkpoint ({@link Validation.Score#beatsClearly}): a start must beat the simpler one before it by more
 * than the paired standard error to replace it.
 */
final class StartChoice {
    /**
     * The start the policy's parameters were left at, and its validation score.
     *
     * @param name {@code "prior"}, {@code "prior+history"} or {@code "look-ahead"} (see {@link GrpoTrainer.Result})
     */
    record Chosen(Validation.Score score, String name) {
    }

    private StartChoice() {
    }

    /** Leans {@code policy} (fresh, as {@link LearnedPolicies#create} made it) on the chosen start and says which. */
    static Chosen choose(LearnedPolicy policy, TrainConfig cfg, Validation validation) {
        Validation.Score startScore = validation.score(policy);
        String startName = "prior+history";
        double startWeight = cfg.priorWeight() + cfg.historyWeight() + cfg.wideWeight();
        if (cfg.historyWeight() + cfg.wideWeight() > 0) {
            // The neighbourhood estimates are noisy where the pairs differ little (MATH-V: ~17% accuracy, 24
            // neighbours); a start that routes by them must earn it on validation against one leaning on the
            // training prior alone (the best single pair), like any later checkpoint.
            LearnedPolicies.lean(policy, startWeight, 0, 0);
            Validation.Score priorOnly = validation.score(policy);
            if (startScore.beatsClearly(priorOnly)) {
                LearnedPolicies.lean(policy, cfg.priorWeight(), cfg.historyWeight(), cfg.wideWeight());
            } else {
                startScore = priorOnly;
                startName = "prior";
            }
        }
        // A start that values a call one answer ahead (what the lead's posterior would become) rather than at its
        // pair's accuracy: it too must beat the start chosen so far on validation by the paired rule.
        LearnedPolicies.leanAhead(policy, startWeight);
        Validation.Score ahead = validation.score(policy);
        if (ahead.beatsClearly(startScore)) {
            return new Chosen(ahead, "look-ahead");
        }
        if (startName.equals("prior")) {
            LearnedPolicies.lean(policy, startWeight, 0, 0);
        } else {
            LearnedPolicies.lean(policy, cfg.priorWeight(), cfg.historyWeight(), cfg.wideWeight());
        }
        return new Chosen(startScore, startName);
    }
}
