package dev.maestro.policy.nn;

import dev.maestro.MaestroException;

/**
 * The clipped-ratio policy-gradient objective of PPO/GRPO for ONE decision, and its gradient
 * w.r.t. that decision's logits. Pure math: no network, no state.
 *
 * <p>With r = exp(log π(a) − log π_old(a)), A the (group-normalised) advantage, ε the clip and β the
 * entropy coefficient, the loss to MINIMISE is
 * <pre>
 *   L = −min(r·A, clip(r, 1−ε, 1+ε)·A) − β·H(π)
 * </pre>
 * Its gradient: the surrogate term is −A·r·(e_a − p) when the unclipped branch is active, and 0 when
 * the clip binds (A &gt; 0 and r &gt; 1+ε, or A &lt; 0 and r &lt; 1−ε) — that is what stops a single
 * update from moving the policy far from the one that collected the data. The entropy term adds
 * β·p_j·(log p_j + H). Masked entries get 0.
 *
 * <p>Callers average over decisions by scaling the returned gradient (e.g. by 1/number of decisions).
 */
public final class GrpoLoss {
    /** Clip ε (paper and PPO default 0.2) and entropy coefficient β (≥ 0). */
    public record Config(double clipEpsilon, double entropyCoefficient) {
        public Config {
            if (!(clipEpsilon > 0 && clipEpsilon < 1)) {
                throw new MaestroException("clip epsilon must be in (0, 1), got " + clipEpsilon);
            }
            if (!(entropyCoefficient >= 0) || Double.isInfinite(entropyCoefficient)) {
                throw new MaestroException("entropy coefficient must be finite and >= 0, got " + entropyCoefficient);
            }
        }
    }

    /**
     * Diagnostics of one decision: the loss value, the new log-prob of the chosen action, the ratio r,
     * whether the clip bound (gradient of the surrogate is 0), the approx-KL contribution
     * (r − 1) − log r (non-negative, unbiased for KL(old‖new) under old samples), and the entropy.
     */
    public record Result(double loss, double logProb, double ratio, boolean clipped, double approxKl, double entropy) {
    }

    private final Config config;

    public GrpoLoss(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /**
     * Computes the loss of one decision and writes dLoss/dLogits into {@code dLogits[0..k)}.
     *
     * @param logits new logits (current parameters), k entries
     * @param mask valid candidates
     * @param chosen index of the action taken when the data was collected (must be valid)
     * @param oldLogProb log π_old(chosen) recorded at collection time
     * @param advantage A for this decision's episode
     */
    public Result evaluate(double[] logits, boolean[] mask, int k, int chosen, double oldLogProb, double advantage,
            double[] dLogits) {
        if (chosen < 0 || chosen >= k || !mask[chosen]) {
            throw new MaestroException("chosen action " + chosen + " is not a valid candidate among " + k);
        }
        if (!Double.isFinite(oldLogProb) || oldLogProb > 0) {
            throw new MaestroException("old log-prob must be finite and <= 0, got " + oldLogProb);
        }
        if (!Double.isFinite(advantage)) {
            throw new MaestroException("advantage must be finite, got " + advantage);
        }
        double eps = config.clipEpsilon();
        double beta = config.entropyCoefficient();

        double lse = MaskedSoftmax.logSumExp(logits, mask, k);
        double logProb = logits[chosen] - lse;
        double ratio = Math.exp(logProb - oldLogProb);
        double clippedRatio = Math.min(Math.max(ratio, 1 - eps), 1 + eps);
        double unclippedObj = ratio * advantage;
        double clippedObj = clippedRatio * advantage;
        // The clip binds when the clipped branch is strictly the minimum: then the objective is flat in r.
        boolean clipped = clippedObj < unclippedObj;
        double surrogate = clipped ? clippedObj : unclippedObj;

        double entropy = 0;
        for (int j = 0; j < k; j++) {
            if (mask[j]) {
                double lp = logits[j] - lse;
                entropy -= Math.exp(lp) * lp;
            }
        }

        double coef = clipped ? 0.0 : -advantage * ratio; // dL/dlogπ(a)
        for (int j = 0; j < k; j++) {
            if (!mask[j]) {
                dLogits[j] = 0.0;
                continue;
            }
            double lp = logits[j] - lse;
            double p = Math.exp(lp);
            // Skipping the zero coefficient keeps clipped gradients +0.0 rather than -0.0.
            double g = coef == 0.0 ? 0.0 : coef * ((j == chosen ? 1.0 : 0.0) - p);
            if (beta > 0) {
                g += beta * p * (lp + entropy);
            }
            dLogits[j] = g;
        }
        double approxKl = (ratio - 1) - (logProb - oldLogProb);
        double loss = -surrogate - beta * entropy;
        return new Result(loss, logProb, ratio, clipped, approxKl, entropy);
    }
}
