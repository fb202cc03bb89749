package dev.maestro.train;

import dev.maestro.episode.EpisodeResult;

/**
 * GRPO's group-normalised advantages, A = (R − mean) / (std + ε) within each task's group of G episodes, with the
 * episodes that carry no information about the policy's choice left out of the group:
 * <ul>
 *   <li>an <b>ungraded</b> episode (nothing could tell right from wrong) never counts;</li>
 *   <li>with {@link FailedEpisodes#MASK} (the default), an episode in which some expert call failed (timeout,
 *       HTTP error, open circuit...: {@link EpisodeResult#expertFailures()}) does not count either. A failed call
 *       says nothing about whether the model would have been right; grading it as wrong would teach the policy to
 *       avoid a pair that is accurate whenever it answers, only because its endpoint is flaky.</li>
 * </ul>
 * A masked episode gets advantage 0 and is left out of its group's mean and std, and the trainer skips its
 * decisions in the loss. A group with fewer than two counted episodes has no contrast: all its advantages are 0.
 * With nothing masked this is exactly the plain GRPO computation.
 */
public final class GroupAdvantages {
    /** How an episode with a failed expert call enters training. */
    public enum FailedEpisodes {
        /** Left out of the loss and of its group's statistics (default). */
        MASK,
        /** Rewarded as graded, like any other episode (usually as a wrong answer): the behaviour before masking. */
        AS_GRADED
    }

    /**
     * @param advantages one per episode, 0 for masked ones
     * @param masked     which episodes were left out
     * @param spreadSum  the sum over groups of the reward std of their counted episodes
     * @param maskedCount how many were left out
     */
    public record Result(double[] advantages, boolean[] masked, double spreadSum, int maskedCount) {
    }

    private GroupAdvantages() {
    }

    /** Whether an episode is left out of training. */
    public static boolean masked(EpisodeResult r, FailedEpisodes failed) {
        return !r.graded() || (failed == FailedEpisodes.MASK && r.expertFailures() > 0);
    }

    /** {@code results} holds consecutive groups of {@code groupSize} episodes of one task each. */
    public static Result compute(EpisodeResult[] results, int groupSize, double epsilon, FailedEpisodes failed) {
        int n = results.length / groupSize;
        double[] adv = new double[results.length];
        boolean[] masked = new boolean[results.length];
        int maskedCount = 0;
        for (int i = 0; i < results.length; i++) {
            masked[i] = masked(results[i], failed);
            maskedCount += masked[i] ? 1 : 0;
        }
        double spread = 0;
        for (int i = 0; i < n; i++) {
            int m = 0;
            double mean = 0;
            for (int j = 0; j < groupSize; j++) {
                if (!masked[i * groupSize + j]) {
                    mean += results[i * groupSize + j].reward();
                    m++;
                }
            }
            if (m < 2) {
                continue;
            }
            mean /= m;
            double var = 0;
            for (int j = 0; j < groupSize; j++) {
                if (!masked[i * groupSize + j]) {
                    double d = results[i * groupSize + j].reward() - mean;
                    var += d * d;
                }
            }
            double std = Math.sqrt(var / m);
            spread += std;
            for (int j = 0; j < groupSize; j++) {
                int e = i * groupSize + j;
                adv[e] = masked[e] || std < 1e-12 ? 0 : (results[e].reward() - mean) / (std + epsilon);
            }
        }
        return new Result(adv, masked, spread, maskedCount);
    }
}
