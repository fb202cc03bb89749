package dev.maestro.onboard;

import java.util.Arrays;

/**
 * What is believed about a new expert's ability before any probe: θ ~ N(thetaMean, thetaVar) and, per group,
 * δ_g | θ ~ N(deltaMean[g] + deltaSlope[g] · θ, deltaVar[g]), independent given θ.
 *
 * <p>The slope is how a group's offset moves with overall ability across the known experts (on MMLU-Pro, stronger
 * models gain most on the hardest groups): once a few probes place θ, it also moves the groups nobody probed —
 * strength shared across experts, not only across questions.
 *
 * @param source where the prior comes from, for reports (e.g. "card prior (leave-one-out RMSE 0.41)")
 */
public record AbilityPrior(double thetaMean, double thetaVar, double[] deltaMean, double[] deltaSlope,
                           double[] deltaVar, String source) {
    public AbilityPrior {
        if (!(thetaVar > 0) || deltaMean.length != deltaVar.length || deltaSlope.length != deltaVar.length) {
            throw new IllegalArgumentException("prior needs a positive ability variance and one mean and variance per group");
        }
        for (double v : deltaVar) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("prior group variances must be > 0");
            }
        }
        deltaMean = deltaMean.clone();
        deltaSlope = deltaSlope.clone();
        deltaVar = deltaVar.clone();
    }

    /** A prior whose group offsets do not depend on θ. */
    public static AbilityPrior independent(double thetaMean, double thetaVar, double[] deltaMean, double[] deltaVar,
                                           String source) {
        return new AbilityPrior(thetaMean, thetaVar, deltaMean, new double[deltaMean.length], deltaVar, source);
    }

    /**
     * The prior of an expert nothing is known about: the mean and spread of the known experts' abilities, group
     * offsets at their spread around 0.
     */
    public static AbilityPrior population(ItemResponseModel model) {
        int ne = model.data().experts().size();
        int ng = model.groups().size();
        double m = 0;
        for (int e = 0; e < ne; e++) {
            m += model.ability(e);
        }
        m = ne == 0 ? 0 : m / ne;
        double v = 0;
        for (int e = 0; e < ne; e++) {
            v += Math.pow(model.ability(e) - m, 2);
        }
        // the spread of a handful of experts says little about the next one: shrink toward a wide spread (SD 1.5,
        // about 30 accuracy points) with the weight of two experts
        v = (v + 2 * 1.5 * 1.5) / (Math.max(0, ne - 1) + 2);
        GroupRegression r = GroupRegression.fit(model, all(ne));
        return new AbilityPrior(m, Math.max(0.05, v), r.intercept(), r.slope(), r.residualVar(),
                "population of " + ne + " known experts");
    }

    /**
     * Least variance of a group offset's prior. A floor of 0.5 (room for a specialist unlike every known expert) was
     * tried: it did not make the paper-sim medgemma estimate reach its medical accuracy at 30 probes, and it made
     * MMLU-Pro group estimates worse (5.8 against 4.7 points at N = 30); the Student-t tails carry that room instead.
     */
    static final double MIN_GROUP_VAR = 0.02;

    static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    /**
     * Per group, the known experts' offsets δ_g regressed on their ability θ (least squares, slope shrunk toward
     * 0 by a ridge of one expert's worth), with the residual variance (at least {@link #MIN_GROUP_VAR}; 1 when
     * fewer than three experts).
     */
    record GroupRegression(double[] intercept, double[] slope, double[] residualVar) {
        /** The predicted offsets at ability θ. */
        double[] offsets(double theta) {
            double[] d = new double[intercept.length];
            for (int g = 0; g < d.length; g++) {
                d[g] = intercept[g] + slope[g] * theta;
            }
            return d;
        }

        static GroupRegression fit(ItemResponseModel model, boolean[] use) {
            int ng = model.groups().size();
            double[] c = new double[ng];
            double[] s = new double[ng];
            double[] v = new double[ng];
            int n = 0;
            double tm = 0;
            for (int e = 0; e < use.length; e++) {
                if (use[e]) {
                    tm += model.ability(e);
                    n++;
                }
            }
            if (n < 3) {
                // too few experts to tell how group abilities vary: no offset expected, a wide prior (SD 1) and
                // the probes decide (the mean offset of one or two experts is their quirk, not the population's)
                Arrays.fill(v, 1.0);
                return new GroupRegression(c, s, v);
            }
            tm /= n;
            double stt = 0;
            for (int e = 0; e < use.length; e++) {
                if (use[e]) {
                    stt += Math.pow(model.ability(e) - tm, 2);
                }
            }
            for (int g = 0; g < ng; g++) {
                double dm = 0;
                for (int e = 0; e < use.length; e++) {
                    if (use[e]) {
                        dm += model.groupOffsets(e)[g] / n;
                    }
                }
                double std = 0;
                for (int e = 0; e < use.length; e++) {
                    if (use[e]) {
                        std += (model.ability(e) - tm) * (model.groupOffsets(e)[g] - dm);
                    }
                }
                // known experts of one ability (copies of a model, or all right everywhere) say nothing about how
                // offsets move with ability: no slope (0 / 0 here made the prior NaN and onboarding refuse it)
                s[g] = stt > 0 ? std / (stt + stt / n) : 0;
                c[g] = dm - s[g] * tm;
                double rss = 0;
                for (int e = 0; e < use.length; e++) {
                    if (use[e]) {
                        rss += Math.pow(model.groupOffsets(e)[g] - c[g] - s[g] * model.ability(e), 2);
                    }
                }
                v[g] = Math.max(MIN_GROUP_VAR, rss / (n - 2));
            }
            return new GroupRegression(c, s, v);
        }
    }

    /** Variance of the known experts' group offsets (at least 0.05; the model's prior width if there are none). */
    static double groupSpread(ItemResponseModel model) {
        int ne = model.data().experts().size();
        double s = 0;
        int n = 0;
        for (int e = 0; e < ne; e++) {
            for (double d : model.groupOffsets(e)) {
                s += d * d;
                n++;
            }
        }
        return n < 2 ? Math.pow(model.config().groupSd(), 2) : Math.max(0.05, s / n);
    }

    public AbilityPrior withTheta(double mean, double var, String newSource) {
        return new AbilityPrior(mean, var, deltaMean, deltaSlope, deltaVar, newSource);
    }

    @Override
    public double[] deltaSlope() {
        return deltaSlope.clone();
    }

    @Override
    public double[] deltaMean() {
        return deltaMean.clone();
    }

    @Override
    public double[] deltaVar() {
        return deltaVar.clone();
    }
}
