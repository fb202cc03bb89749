package dev.maestro.policy.nn;

import dev.maestro.MaestroException;

/**
 * Softmax over the valid entries of a logit vector. Masked-out entries get probability exactly 0
 * and never contribute to sums, so an invalid action can neither be sampled nor receive gradient.
 * All functions are allocation-free and numerically stable (max-shifted log-sum-exp).
 */
public final class MaskedSoftmax {
    private MaskedSoftmax() {
    }

    /** log Σ_{valid j} exp(z_j). Throws if no entry of {@code mask[0..k)} is valid. */
    public static double logSumExp(double[] logits, boolean[] mask, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            if (mask[j] && logits[j] > max) {
                max = logits[j];
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new MaestroException("masked softmax over " + k + " entries has no valid entry (or all logits are -inf)");
        }
        if (Double.isNaN(max) || max == Double.POSITIVE_INFINITY) {
            throw new MaestroException("masked softmax got a non-finite logit: " + max);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            if (mask[j]) {
                sum += Math.exp(logits[j] - max);
            }
        }
        return max + Math.log(sum);
    }

    /** Writes probabilities into {@code probs[0..k)} (0 where masked); returns the log-sum-exp. */
    public static double softmax(double[] logits, boolean[] mask, int k, double[] probs) {
        double lse = logSumExp(logits, mask, k);
        for (int j = 0; j < k; j++) {
            probs[j] = mask[j] ? Math.exp(logits[j] - lse) : 0.0;
        }
        return lse;
    }

    /** log π(index); throws if {@code index} is masked out. */
    public static double logProb(double[] logits, boolean[] mask, int k, int index) {
        if (index < 0 || index >= k || !mask[index]) {
            throw new MaestroException("action " + index + " is not a valid choice among " + k + " candidates");
        }
        return logits[index] - logSumExp(logits, mask, k);
    }

    /** Entropy −Σ p log p of the masked softmax, in nats. */
    public static double entropy(double[] logits, boolean[] mask, int k) {
        double lse = logSumExp(logits, mask, k);
        double h = 0;
        for (int j = 0; j < k; j++) {
            if (mask[j]) {
                double lp = logits[j] - lse;
                h -= Math.exp(lp) * lp;
            }
        }
        return h;
    }

    /**
     * Gradient of log π(index) w.r.t. the logits: {@code e_index − p} on valid entries, 0 on masked ones.
     * Written into {@code out[0..k)}.
     */
    public static void logProbGradient(double[] logits, boolean[] mask, int k, int index, double[] out) {
        if (index < 0 || index >= k || !mask[index]) {
            throw new MaestroException("action " + index + " is not a valid choice among " + k + " candidates");
        }
        softmax(logits, mask, k, out);
        for (int j = 0; j < k; j++) {
            out[j] = -out[j];
        }
        out[index] += 1.0;
    }

    /** Samples an index from the masked softmax using one uniform {@code u} in [0, 1). */
    public static int sample(double[] logits, boolean[] mask, int k, double u) {
        double lse = logSumExp(logits, mask, k);
        double acc = 0;
        int lastValid = -1;
        for (int j = 0; j < k; j++) {
            if (mask[j]) {
                acc += Math.exp(logits[j] - lse);
                lastValid = j;
                if (u < acc) {
                    return j;
                }
            }
        }
        // Rounding can leave acc a hair below 1; the last valid entry absorbs it.
        return lastValid;
    }

    /** Index of the largest valid logit (ties: lowest index). */
    public static int argmax(double[] logits, boolean[] mask, int k) {
        int best = -1;
        for (int j = 0; j < k; j++) {
            if (mask[j] && (best < 0 || logits[j] > logits[best])) {
                best = j;
            }
        }
        if (best < 0) {
            throw new MaestroException("argmax over " + k + " entries has no valid entry");
        }
        return best;
    }
}
