package dev.maestro.onboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * A new expert's ability given a prior and some probe outcomes: the maximum a posteriori (θ, δ_1..δ_G) and the
 * inverse Hessian there (Laplace approximation), in the item-response model fitted on the known experts. From it:
 * the expected accuracy per group with a 95% interval (exact under the Gaussian posterior: accuracy is monotone in
 * the group's ability), the overall accuracy with an interval (Monte Carlo over the joint posterior), and the
 * predicted chance of being right on each training question (what a policy's per-question features are built from).
 */
public final class AbilityPosterior {
    /** Gauss–Hermite nodes and weights (probabilists', 10 points) for expectations over a normal. */
    private static final double[] GH_X = {-4.8594628283, -3.5818234835, -2.4843258416, -1.4659890943, -0.4849357075,
        0.4849357075, 1.4659890943, 2.4843258416, 3.5818234835, 4.8594628283};
    private static final double[] GH_W = {4.310652631e-06, 7.580709343e-04, 1.911158050e-02, 1.354837030e-01,
        3.446423349e-01, 3.446423349e-01, 1.354837030e-01, 1.911158050e-02, 7.580709343e-04, 4.310652631e-06};
    private static final double Z95 = 1.959963985;

    /** One probe outcome: item index in the model, grade in [0, 1]. */
    public record Observation(int item, double grade) {
        public Observation {
            if (!(grade >= 0 && grade <= 1)) {
                throw new IllegalArgumentException("grade must be in [0, 1], got " + grade);
            }
        }
    }

    /** An estimate with a 95% interval. */
    public record Interval(double estimate, double low, double high) {
        public double halfWidth() {
            return (high - low) / 2;
        }

        public boolean contains(double v) {
            return v >= low && v <= high;
        }
    }

    private final ItemResponseModel model;
    private final AbilityPrior prior;
    private final List<Observation> observations;
    private final double[] mean; // θ, δ_1..δ_G
    private final double[][] cov;

    private AbilityPosterior(ItemResponseModel model, AbilityPrior prior, List<Observation> observations, double[] mean,
                             double[][] cov) {
        this.model = model;
        this.prior = prior;
        this.observations = List.copyOf(observations);
        this.mean = mean;
        this.cov = cov;
    }

    public static AbilityPosterior of(ItemResponseModel model, AbilityPrior prior, List<Observation> observations) {
        if (prior.deltaMean().length != model.groups().size()) {
            throw new IllegalArgumentException("prior has " + prior.deltaMean().length + " groups, model "
                    + model.groups().size());
        }
        double[] start = new double[model.groups().size() + 1];
        start[0] = prior.thetaMean();
        double[] dm = prior.deltaMean();
        double[] ds = prior.deltaSlope();
        for (int g = 0; g < dm.length; g++) {
            start[g + 1] = dm[g] + ds[g] * prior.thetaMean();
        }
        return fit(model, prior, observations, start);
    }

    /** This posterior with one more observation (warm-started from the current mode). */
    public AbilityPosterior with(Observation o) {
        List<Observation> more = new ArrayList<>(observations);
        more.add(o);
        return fit(model, prior, more, mean.clone());
    }

    private static AbilityPosterior fit(ItemResponseModel model, AbilityPrior prior, List<Observation> obs, double[] x) {
        int ng = model.groups().size();
        double[] dm = prior.deltaMean();
        double[] dv = prior.deltaVar();
        double[] ds = prior.deltaSlope();
        double[][] h = null;
        for (int iter = 0; iter < 100; iter++) {
            double[] grad = new double[ng + 1];
            h = new double[ng + 1][ng + 1];
            for (Observation o : obs) {
                int g = model.groupOf(o.item());
                double a = model.discrimination(o.item());
                double p = model.probability(o.item(), x[0] + x[g + 1]);
                double r = (p - o.grade()) * a;
                double w = p * (1 - p) * a * a;
                grad[0] += r;
                grad[g + 1] += r;
                h[0][0] += w;
                h[0][g + 1] += w;
                h[g + 1][0] += w;
                h[g + 1][g + 1] += w;
            }
            // Student-t priors by iteratively reweighted least squares: each prior term's precision is scaled by a
            // weight that falls with z, its standardised distance from the prior mean (tail, groupTail), so an expert
            // unlike every known one (a specialist, a new best model) can leave the prior when its probes insist,
            // while an ordinary one stays shrunk toward it.
            double dt = x[0] - prior.thetaMean();
            double pt = tail(dt * dt / prior.thetaVar()) / prior.thetaVar();
            grad[0] += dt * pt;
            h[0][0] += pt;
            for (int g = 0; g < ng; g++) {
                // −log p(δ_g | θ) ∝ (δ_g − m_g − s_g θ)² / (2 v_g): a joint quadratic in (θ, δ_g)
                double d = x[g + 1] - dm[g] - ds[g] * x[0];
                double pg = groupTail(d * d / dv[g]) / dv[g];
                double r = d * pg;
                grad[g + 1] += r;
                grad[0] -= ds[g] * r;
                h[g + 1][g + 1] += pg;
                h[0][0] += ds[g] * ds[g] * pg;
                h[0][g + 1] -= ds[g] * pg;
                h[g + 1][0] -= ds[g] * pg;
            }
            double[] step = Dense.solve(h, grad);
            double m = 0;
            for (double s : step) {
                m = Math.max(m, Math.abs(s));
            }
            double scale = m > 2 ? 2 / m : 1;
            for (int k = 0; k <= ng; k++) {
                x[k] -= scale * step[k];
            }
            if (m * scale < 1e-7) {
                break;
            }
        }
        return new AbilityPosterior(model, prior, obs, x, Dense.inverse(h));
    }

    public ItemResponseModel model() { return model; }
    public AbilityPrior prior() { return prior; }
    public List<Observation> observations() { return observations; }

    /** Posterior mode of the overall ability θ. */
    public double theta() {
        return mean[0];
    }

    /** Posterior variance of θ. */
    public double thetaVar() {
        return cov[0][0];
    }

    /** Posterior mode of the group offset δ_g. */
    public double delta(int group) {
        return mean[group + 1];
    }

    /** Posterior variance of δ_g. */
    public double deltaVar(int group) {
        return cov[group + 1][group + 1];
    }

    /**
     * A prior for a sibling of this expert (another skill of the same model): this posterior, widened by how far a
     * model's pairs stray from each other ({@code pairVar}: for θ at index 0, then per group).
     */
    public AbilityPrior asSiblingPrior(double[] pairVar, String source) {
        int ng = model.groups().size();
        double[] dm = new double[ng];
        double[] dv = new double[ng];
        for (int g = 0; g < ng; g++) {
            dm[g] = delta(g);
            dv[g] = Math.max(1e-3, deltaVar(g)) + pairVar[g + 1];
        }
        return new AbilityPrior(theta(), Math.max(1e-3, thetaVar()) + pairVar[0], dm, new double[ng], dv, source);
    }

    /** Posterior mean of the group's ability η_g = θ + δ_g. */
    public double eta(int group) {
        return mean[0] + mean[group + 1];
    }

    /** Posterior variance of η_g. */
    public double etaVar(int group) {
        return cov[0][0] + 2 * cov[0][group + 1] + cov[group + 1][group + 1];
    }

    /** Posterior covariance of η_g and η_h. */
    public double etaCov(int g, int h) {
        return cov[0][0] + cov[0][h + 1] + cov[g + 1][0] + cov[g + 1][h + 1];
    }

    /** Expected accuracy on the group's training questions, with a 95% interval. */
    public Interval groupAccuracy(int group) {
        double m = eta(group);
        double sd = Math.sqrt(Math.max(0, etaVar(group)));
        double e = 0;
        for (int k = 0; k < GH_X.length; k++) {
            e += GH_W[k] * model.groupAccuracy(group, m + sd * GH_X[k]);
        }
        return new Interval(e, model.groupAccuracy(group, m - Z95 * sd), model.groupAccuracy(group, m + Z95 * sd));
    }

    /** Standard deviation of the group's accuracy (delta method): how tight the estimate is. */
    public double groupAccuracySd(int group) {
        return Math.abs(model.groupAccuracySlope(group, eta(group))) * Math.sqrt(Math.max(0, etaVar(group)));
    }

    /**
     * Expected accuracy over all training questions (groups weighted by their share), with a 95% interval from
     * {@code draws} joint posterior samples (seeded, so the same inputs give the same interval).
     */
    public Interval overallAccuracy(int draws, long seed) {
        double[] w = model.groupWeights();
        return sampled(draws, seed, eta -> {
            double acc = 0;
            for (int g = 0; g < w.length; g++) {
                acc += w[g] * model.groupAccuracy(g, eta[g]);
            }
            return acc;
        });
    }

    /**
     * Expected accuracy on some of the training questions (indices in the model's item order), with a 95% interval
     * from {@code draws} joint posterior samples: how a new expert is reported per the user's own groups when its
     * ability was fitted per other groups (clusters of the questions), which a user's group may straddle.
     */
    public Interval accuracyOn(int[] items, int draws, long seed) {
        if (items.length == 0) {
            throw new IllegalArgumentException("no questions to estimate an accuracy on");
        }
        return sampled(draws, seed, eta -> {
            double acc = 0;
            for (int i : items) {
                acc += model.probability(i, eta[model.groupOf(i)]);
            }
            return acc / items.length;
        });
    }

    /**
     * Mean of {@code f}, a function of the groups' abilities η_1..η_G, over joint posterior samples of (θ, δ), with its
     * 2.5% and 97.5% quantiles.
     */
    private Interval sampled(int draws, long seed, ToDoubleFunction<double[]> f) {
        int ng = model.groups().size();
        int dim = ng + 1; // θ, δ_1..δ_G
        double[][] l = Dense.cholesky(cov);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[draws];
        double sum = 0;
        double[] z = new double[dim];
        double[] eta = new double[ng];
        for (int s = 0; s < draws; s++) {
            for (int k = 0; k < dim; k++) {
                z[k] = gaussian(rng);
            }
            double[] x = mean.clone();
            for (int r = 0; r < dim; r++) {
                for (int c = 0; c <= r; c++) {
                    x[r] += l[r][c] * z[c];
                }
            }
            for (int g = 0; g < ng; g++) {
                eta[g] = x[0] + x[g + 1];
            }
            v[s] = f.applyAsDouble(eta);
            sum += v[s];
        }
        Arrays.sort(v);
        return new Interval(sum / draws, v[(int) Math.floor(0.025 * (draws - 1))], v[(int) Math.ceil(0.975 * (draws - 1))]);
    }

    /** Delta-method standard deviation of the overall accuracy (fast; for stopping rules). */
    public double overallAccuracySd() {
        double[] w = model.groupWeights();
        double[] grad = new double[w.length];
        for (int g = 0; g < w.length; g++) {
            grad[g] = w[g] * model.groupAccuracySlope(g, eta(g));
        }
        double v = 0;
        for (int g = 0; g < w.length; g++) {
            for (int h = 0; h < w.length; h++) {
                v += grad[g] * grad[h] * etaCov(g, h);
            }
        }
        return Math.sqrt(Math.max(0, v));
    }

    /** Posterior-expected chance of being right on one training question (probit approximation of E[σ]). */
    public double probability(int item) {
        int g = model.groupOf(item);
        double a = model.discrimination(item);
        double z = a * (eta(g) - model.difficulty(item));
        return Dense.sigmoid(z / Math.sqrt(1 + Math.PI * a * a * Math.max(0, etaVar(g)) / 8));
    }

    /** {@link #probability} for every question of the model, in its item order. */
    public double[] probabilities() {
        double[] p = new double[model.itemCount()];
        for (int i = 0; i < p.length; i++) {
            p[i] = probability(i);
        }
        return p;
    }

    /** The covariance of (θ, δ_1..δ_G), a copy (for selectors). */
    double[][] covariance() {
        double[][] c = new double[cov.length][];
        for (int i = 0; i < cov.length; i++) {
            c[i] = cov[i].clone();
        }
        return c;
    }

    /** Degrees of freedom of the Student-t prior of the overall ability θ: heavy tails, finite variance. */
    static final double TAIL_DF = 4;

    /**
     * Degrees of freedom of the Student-t priors of the group offsets δ_g: 1 (Cauchy tails). With 4, a specialist
     * stayed near the population: 11 right answers of 13 medical probes left the paper-sim medical specialist at
     * 70% there, below the best known expert (79%), and the policy kept calling that one. θ keeps 4: a Cauchy θ prior
     * made MMLU-Pro estimates worse (0.4 points overall at N = 30), the card prior being good there.
     */
    static final double GROUP_TAIL_DF = 1;

    /** IRLS weight of the θ prior term at squared standardised distance z2. */
    private static double tail(double z2) {
        return (TAIL_DF + 1) / (TAIL_DF + z2);
    }

    /**
     * IRLS weight of a group-offset prior term: a Student-t with {@link #GROUP_TAIL_DF} degrees of freedom and
     * squared scale v (ν + 1) / ν, so that near its mean it is as tight as N(mean, v) (ordinary experts are shrunk
     * as before) and it gives way only to deviations the probes insist on.
     */
    private static double groupTail(double z2) {
        return (GROUP_TAIL_DF + 1) / (GROUP_TAIL_DF + 1 + z2);
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
