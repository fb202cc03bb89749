package dev.maestro.policy;

/**
 * What one more call would do to the answer the policy would then give, under the same vote model as the
 * posteriors (see {@link CandidateFeatures}): the expected posterior of the leading answer after the called pair's
 * answer is added. The called pair, of estimated accuracy p on similar questions, gives the right option with
 * probability p and each of the m wrong ones with probability (1 − p)/m; so it agrees with answer b with
 * probability post_b·p + (1 − post_b)·(1 − p)/m, and names an option nobody chose otherwise. Its vote then adds
 * ln(p·m/(1 − p)) to that option's weight, and the posteriors are renormalised.
 *
 * <p>The gain over the current lead posterior is never negative (the posterior is a martingale under the model,
 * and the maximum is convex), and it is large exactly where the next answer can settle the question: a close split
 * between two answers, or a lone answer of a weak expert, asked to a strong one. A myopic value (the called pair's
 * own accuracy) misses that. The model still assumes independent errors, so it over-trusts agreement between
 * correlated experts; the network learns from outcomes how far to follow it.
 */
final class Lookahead {
    private static final double CLIP = 0.02;

    private Lookahead() {
    }

    /**
     * The expected posterior of the leading answer after one more call.
     *
     * @param expWeight  e^{W_b} of the answers with text so far (the first {@code bins} entries)
     * @param bins       how many
     * @param unchosen   options nobody chose yet (each of weight 1 = e^0)
     * @param floor      the best posterior among outputs that cannot be compared (without text), 0 if none
     * @param accuracy   the called pair's estimated accuracy on similar questions
     * @param wrong      the wrong options it could pick (options − 1, or 9 for open answers)
     */
    static double expectedPosterior(double[] expWeight, int bins, double unchosen, double floor, double accuracy,
                                    double wrong) {
        double p = clip(accuracy);
        double factor = factor(p, wrong);
        double miss = (1 - p) / wrong;
        double norm = unchosen;
        int top = -1;
        double top1 = 0;
        double top2 = 0;
        for (int b = 0; b < bins; b++) {
            double w = expWeight[b];
            norm += w;
            if (top < 0 || w > top1) {
                top2 = top < 0 ? 0 : top1;
                top1 = w;
                top = b;
            } else if (w > top2) {
                top2 = w;
            }
        }
        if (norm <= 0) {
            return Math.max(floor, p);
        }
        double expected = 0;
        for (int b = 0; b < bins; b++) {
            double w = expWeight[b];
            double agrees = agrees(w / norm, p, miss);
            double raised = w * factor;
            double after = Math.max(raised, b == top ? top2 : top1) / (norm - w + raised);
            expected += agrees * Math.max(floor, after);
        }
        if (unchosen > 0) {
            double fresh = unchosen * agrees(1 / norm, p, miss);
            double after = Math.max(factor, top1) / (norm - 1 + factor);
            expected += fresh * Math.max(floor, after);
        }
        return expected;
    }

    /**
     * As {@link #expectedPosterior}, with one follow-up: after the call's answer, the policy may ask one more pair
     * (of accuracy {@code followAccuracy}, costing {@code followCost} in accuracy units) when that pays in expected
     * posterior, and answer otherwise. One answer ahead, a second opinion rarely moves the lead (a lone
     * disagreement leaves the first answer ahead); what pays is the chance to break the tie it may create — the
     * cascade's "ask two, and a third if they disagree". The value is net of the follow-up's expected cost.
     *
     * @param expWeight as above, with room for one more entry (it is changed and restored)
     */
    static double expectedWithFollowUp(double[] expWeight, int bins, double unchosen, double floor, double accuracy,
                                       double wrong, double followAccuracy, double followCost) {
        double p = clip(accuracy);
        double factor = factor(p, wrong);
        double miss = (1 - p) / wrong;
        double norm = unchosen;
        for (int b = 0; b < bins; b++) {
            norm += expWeight[b];
        }
        if (norm <= 0) {
            return Math.max(floor, p);
        }
        double expected = 0;
        for (int b = 0; b < bins; b++) {
            double w = expWeight[b];
            double agrees = agrees(w / norm, p, miss);
            expWeight[b] = w * factor;
            double now = Math.max(floor, lead(expWeight, bins, unchosen));
            double then = expectedPosterior(expWeight, bins, unchosen, floor, followAccuracy, wrong) - followCost;
            expWeight[b] = w;
            expected += agrees * Math.max(now, then);
        }
        if (unchosen > 0) {
            double fresh = unchosen * agrees(1 / norm, p, miss);
            double spare = expWeight[bins];
            expWeight[bins] = factor;
            double now = Math.max(floor, lead(expWeight, bins + 1, unchosen - 1));
            double then = expectedPosterior(expWeight, bins + 1, unchosen - 1, floor, followAccuracy, wrong) - followCost;
            expWeight[bins] = spare;
            expected += fresh * Math.max(now, then);
        }
        return expected;
    }

    /** An accuracy kept off 0 and 1 so that its vote stays finite (every vote of the policy goes through this). */
    static double clip(double accuracy) {
        return Math.min(1 - CLIP, Math.max(CLIP, accuracy));
    }

    /** e^vote: the factor the called pair's agreement multiplies an option's weight by (the vote floored at 0). */
    private static double factor(double p, double wrong) {
        return Math.max(1, p * wrong / (1 - p));
    }

    /**
     * The chance that the called pair names an option of posterior {@code post}: right with probability p when the
     * option is right, or one of the wrong options ({@code miss} each) when it is not.
     */
    private static double agrees(double post, double p, double miss) {
        return post * p + (1 - post) * miss;
    }

    /** The leading answer's posterior. */
    private static double lead(double[] expWeight, int bins, double unchosen) {
        double norm = unchosen;
        double top = 0;
        for (int b = 0; b < bins; b++) {
            norm += expWeight[b];
            top = Math.max(top, expWeight[b]);
        }
        return Math.max(top, unchosen > 0 ? 1 : 0) / norm;
    }
}
