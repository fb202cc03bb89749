package dev.maestro.onboard;

import java.util.Arrays;
import java.util.BitSet;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Adaptive probing: the next probe is the question expected to shrink the uncertainty of the expert's per-group
 * accuracies the most, under the item-response model.
 *
 * <p>A probe on question i of group g carries Fisher information I_i = a_i² p(1 − p) about the group's ability
 * η_g at its current estimate — high where the known experts disagree (middling difficulty, high discrimination),
 * near zero where they are all right or all wrong. In the Gaussian posterior it lowers the variance of every
 * group's ability h by Cov(η_g, η_h)² I_i / (1 + I_i Var(η_g)) (groups share the overall ability θ, so a probe in
 * one group teaches a little about all). Each reduction is turned into accuracy units (the slope of the group's
 * accuracy curve across its current 95% interval, squared) and weighted by the square root of the group's share — between caring about the
 * overall number only (small groups never probed) and about every group equally — and the question with the
 * largest total is chosen, among the groups that have had no more probes than the least-probed one (so probes
 * spread over groups even when the model is sure about some: it can be wrong about a specialist's other groups,
 * and a model that is sure never learns otherwise). With question vectors, a question's information is discounted by up to half by its
 * cosine similarity to the closest question already probed, so probes also spread over the embedding space.
 */
public final class AdaptiveProbes implements ProbeSelector {
    /** How many of a group's most informative questions are checked for similarity to earlier probes. */
    static final int SHORTLIST = 12;
    /** How much similarity to an earlier probe can discount a question's information. */
    static final double SPREAD = 0.5;

    private final float[][] vectors;

    AdaptiveProbes(float[][] vectors) {
        this.vectors = vectors;
    }

    @Override
    public String name() {
        return "adaptive";
    }

    @Override
    public OptionalInt next(AbilityPosterior post, BitSet used, SplittableRandom rng) {
        ItemResponseModel m = post.model();
        int ng = m.groups().size();
        double[] w = m.groupWeights();
        double[] weight = new double[ng];
        double[] slope2 = new double[ng];
        for (int g = 0; g < ng; g++) {
            weight[g] = Math.sqrt(w[g]);
            // the slope over the group's 95% interval, not at its centre: near 0% or 100% the curve is flat at the
            // estimate while the interval may still span much of it, and a probe there is still worth making
            double sd = Math.sqrt(Math.max(1e-12, post.etaVar(g)));
            double e = post.eta(g);
            double s = (m.groupAccuracy(g, e + 1.96 * sd) - m.groupAccuracy(g, e - 1.96 * sd)) / (2 * 1.96 * sd);
            slope2[g] = s * s;
        }
        // per group, its most informative unused questions (a shortlist, best first)
        int[][] best = new int[ng][SHORTLIST];
        double[][] bestInfo = new double[ng][SHORTLIST];
        for (int g = 0; g < ng; g++) {
            Arrays.fill(best[g], -1);
            Arrays.fill(bestInfo[g], -1);
        }
        for (int i = used.nextClearBit(0); i < m.itemCount(); i = used.nextClearBit(i + 1)) {
            int g = m.groupOf(i);
            double info = m.information(i, post.eta(g));
            if (info > bestInfo[g][SHORTLIST - 1]) {
                int pos = SHORTLIST - 1;
                while (pos > 0 && bestInfo[g][pos - 1] < info) {
                    bestInfo[g][pos] = bestInfo[g][pos - 1];
                    best[g][pos] = best[g][pos - 1];
                    pos--;
                }
                bestInfo[g][pos] = info;
                best[g][pos] = i;
            }
        }
        // spread: a group may run at most one probe ahead of the least-probed group that still has questions
        int[] count = new int[ng];
        for (int j = used.nextSetBit(0); j >= 0; j = used.nextSetBit(j + 1)) {
            count[m.groupOf(j)]++;
        }
        int least = Integer.MAX_VALUE;
        for (int g = 0; g < ng; g++) {
            if (best[g][0] >= 0) {
                least = Math.min(least, count[g]);
            }
        }
        int choice = -1;
        double top = Double.NEGATIVE_INFINITY;
        for (int g = 0; g < ng; g++) {
            if (count[g] > least) {
                continue;
            }
            double vg = post.etaVar(g);
            for (int k = 0; k < SHORTLIST && best[g][k] >= 0; k++) {
                double info = bestInfo[g][k];
                if (vectors != null && !post.observations().isEmpty()) {
                    info *= 1 - SPREAD * Math.max(0, maxSimilarity(best[g][k], used));
                }
                double score = 0;
                for (int h = 0; h < ng; h++) {
                    double c = post.etaCov(g, h);
                    score += weight[h] * slope2[h] * c * c * info / (1 + info * vg);
                }
                if (score > top) {
                    top = score;
                    choice = best[g][k];
                }
                if (vectors == null) {
                    break; // without vectors the first of the shortlist is the best of its group
                }
            }
        }
        return choice < 0 ? OptionalInt.empty() : OptionalInt.of(choice);
    }

    private double maxSimilarity(int item, BitSet used) {
        float[] v = vectors[item];
        double best = -1;
        for (int j = used.nextSetBit(0); j >= 0; j = used.nextSetBit(j + 1)) {
            float[] u = vectors[j];
            double s = 0;
            for (int d = 0; d < v.length; d++) {
                s += v[d] * u[d];
            }
            best = Math.max(best, s);
        }
        return best;
    }
}
