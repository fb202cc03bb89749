package dev.maestro.onboard;

import java.util.Arrays;
import java.util.BitSet;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Adaptive probing for the routing decision: the next probe is the question expected to shrink the uncertainty of
 * the expert's per-group accuracies the most, under the item-response model, where that uncertainty can change
 * which expert a router should call first.
 *
 * <p>A probe on question i of group g carries Fisher information I_i = a_i² p(1 − p) about the group's ability
 * η_g at its current estimate — high where the known experts disagree (middling difficulty, high discrimination),
 * near zero where they are all right or all wrong. In the Gaussian posterior it lowers the variance of every
 * group's ability h by Cov(η_g, η_h)² I_i / (1 + I_i Var(η_g)) (groups share the overall ability θ, so a probe in
 * one group teaches a little about all). Each reduction is turned into accuracy units (the slope of the group's
 * accuracy curve across its current 95% interval, squared) and weighted by the square root of the group's share
 * — between caring about the overall number only (small groups never probed) and about every group equally.
 *
 * <p>A group is <em>contested</em> while the upper end of a 95% interval for the expert there — from the group's own
 * probes under a wide prior ({@link #localUpper}) — is above the best known expert's accuracy there: only then
 * could the new expert be the one to call first, so only then does a tighter estimate change a routing decision.
 * Contested groups get full weight and {@link #PACE} times the probes of the others: a group may be chosen only
 * when its probe count (times {@code PACE} if it is not contested) is the least among the groups with questions
 * left. So a specialist's strong group gets most probes and a tight
 * estimate, while its other groups are still looked at now and then (the model can be wrong about them, and a
 * model that is sure never learns otherwise). When every group is contested (a new best expert) or none is (a weak
 * one) probes spread evenly over the groups. With question vectors, a question's information is discounted by up
 * to half by its cosine similarity to the closest question already probed, so probes also spread over the
 * embedding space.
 *
 * <p>Which questions are informative is judged by difficulty alone: every question of a group is credited with the
 * group's mean discrimination (geometric), so probes go to questions of middling difficulty at the current estimate,
 * not to those whose fitted discrimination is highest. That fitted value comes from the known experts, in-sample; for
 * a model left out of the fit, predictions on high-discrimination questions are the least reliable (on MMLU-Pro,
 * where the curve said p ≥ 0.98 such a model was right 95.5% of the time; docs/onboarding.md, "Bias per left-out
 * model"), and a slip there moves the estimate most: choosing them placed the paper-sim medical specialist at 75%
 * on medical after 14 of 17 right (truth 94%) and made estimate errors at N = 30–100 larger and intervals too
 * narrow. The posterior still uses each question's own discrimination. Selector {@code informative} keeps the
 * earlier choice (a question's own discrimination counted) for comparison.
 */
public final class AdaptiveProbes implements ProbeSelector {
    /** How many of a group's most informative questions are checked for similarity to earlier probes. */
    static final int SHORTLIST = 12;
    /** How much similarity to an earlier probe can discount a question's information. */
    static final double SPREAD = 0.5;
    /**
     * How many probes a contested group gets for each probe of a group that is not. 12: with 30 probes over 7
     * groups and one contested, over half go to the contested group and the others still get two each; 6 gave the
     * paper-sim medical specialist 13 medical probes and 52% of first calls on medical questions, 12 gave it 17 and
     * 59% (same seed, one run each; the MMLU-Pro estimate table moved by at most 0.3 points).
     */
    static final int PACE = 12;
    /**
     * Prior SD (logits) of a group's ability around the current estimate when asking whether the expert could beat
     * the best known one there: room for a specialist's strong group (the paper-sim medical specialist sits about 3
     * logits above its other groups).
     */
    static final double SPECIALIST_SD = 2.0;
    /**
     * A question's information is multiplied by a seeded draw from [1, 1 + TIE) before the best is taken. Many
     * questions are nearly as informative as the best (every question of middling difficulty at the estimate); without
     * the draw the selector took the same 30 of them whatever the seed, so one onboarding was one draw of the probe
     * noise, repeated, and a mean over seeds did not average over it (on MMLU-Pro gemini-1.5-pro-002 answered 22 of
     * one sequence of 30 and 12 of another, and the policy's use of it turned on that; docs/policy.md). With the draw
     * a seed picks among the questions within 5% of the best, so seeds sample the noise and each probe still carries
     * at least 95% of the most information available.
     */
    static final double TIE = 0.05;

    private final float[][] vectors;
    /** Whether questions are chosen by difficulty alone (each at its group's discrimination): the default. */
    private final boolean byDifficulty;

    AdaptiveProbes(float[][] vectors, boolean byDifficulty) {
        this.vectors = vectors;
        this.byDifficulty = byDifficulty;
    }

    @Override
    public String name() {
        return byDifficulty ? "adaptive" : "informative";
    }

    @Override
    public OptionalInt next(AbilityPosterior post, BitSet used, SplittableRandom rng) {
        ItemResponseModel m = post.model();
        int ng = m.groups().size();
        double[] w = m.groupWeights();
        double[] weight = new double[ng];
        double[] slope2 = new double[ng];
        boolean[] contested = new boolean[ng];
        for (int g = 0; g < ng; g++) {
            // the slope over the group's 95% interval, not at its centre: near 0% or 100% the curve is flat at the
            // estimate while the interval may still span much of it, and a probe there is still worth making
            double sd = Math.sqrt(Math.max(1e-12, post.etaVar(g)));
            double e = post.eta(g);
            double s = (m.groupAccuracy(g, e + 1.96 * sd) - m.groupAccuracy(g, e - 1.96 * sd)) / (2 * 1.96 * sd);
            slope2[g] = s * s;
            contested[g] = m.groupAccuracy(g, localUpper(post, g)) > m.bestKnownAccuracy(g);
            weight[g] = Math.sqrt(w[g]) * (contested[g] ? 1 : 1.0 / PACE);
        }
        // per group, its most informative unused questions (a shortlist, best first)
        int[][] best = new int[ng][SHORTLIST];
        double[][] bestInfo = new double[ng][SHORTLIST];
        for (int g = 0; g < ng; g++) {
            Arrays.fill(best[g], -1);
            Arrays.fill(bestInfo[g], -1);
        }
        double[] groupA = byDifficulty ? groupDiscrimination(m) : null;
        for (int i = used.nextClearBit(0); i < m.itemCount(); i = used.nextClearBit(i + 1)) {
            int g = m.groupOf(i);
            double info;
            if (byDifficulty) {
                double p = m.probability(i, post.eta(g));
                info = groupA[g] * groupA[g] * p * (1 - p);
            } else {
                info = m.information(i, post.eta(g));
            }
            info *= 1 + TIE * rng.nextDouble();
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
        // spread: a group is chosen only while its paced probe count is the least among the groups with questions
        // left (contested groups count their probes once, the others PACE times)
        int[] count = new int[ng];
        for (int j = used.nextSetBit(0); j >= 0; j = used.nextSetBit(j + 1)) {
            count[m.groupOf(j)]++;
        }
        for (int g = 0; g < ng; g++) {
            count[g] *= contested[g] ? 1 : PACE;
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

    /** Per group, the geometric mean discrimination of its questions. */
    static double[] groupDiscrimination(ItemResponseModel m) {
        int ng = m.groups().size();
        double[] logA = new double[ng];
        int[] n = new int[ng];
        for (int i = 0; i < m.itemCount(); i++) {
            logA[m.groupOf(i)] += Math.log(m.discrimination(i));
            n[m.groupOf(i)]++;
        }
        for (int g = 0; g < ng; g++) {
            logA[g] = Math.exp(logA[g] / Math.max(1, n[g]));
        }
        return logA;
    }

    /**
     * The upper end of a 95% interval for the group's ability from the group's own probes alone, under a wide
     * prior ({@link #SPECIALIST_SD}) centred on the current estimate. The posterior's own interval cannot serve: its
     * group-offset prior is as narrow as the known experts' offsets are alike, so before a probe in the group it
     * already rules out a specialist (on paper-sim it put a medical specialist's medical accuracy below 69% while
     * the best known expert there has 79%), and the group would never be probed for what it might be.
     */
    static double localUpper(AbilityPosterior post, int g) {
        ItemResponseModel m = post.model();
        double centre = post.eta(g);
        double x = centre;
        double h = 0;
        for (int iter = 0; iter < 50; iter++) {
            double grad = (x - centre) / (SPECIALIST_SD * SPECIALIST_SD);
            h = 1 / (SPECIALIST_SD * SPECIALIST_SD);
            for (AbilityPosterior.Observation o : post.observations()) {
                if (m.groupOf(o.item()) == g) {
                    double a = m.discrimination(o.item());
                    double p = m.probability(o.item(), x);
                    grad += (p - o.grade()) * a;
                    h += p * (1 - p) * a * a;
                }
            }
            double step = Math.max(-2, Math.min(2, grad / h));
            x -= step;
            if (Math.abs(step) < 1e-6) {
                break;
            }
        }
        return x + 1.96 / Math.sqrt(h);
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
