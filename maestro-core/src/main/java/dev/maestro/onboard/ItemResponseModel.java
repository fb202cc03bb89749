package dev.maestro.onboard;

import java.util.Arrays;
import java.util.List;

/**
 * A two-parameter item-response model with an ability per expert and group:
 * P(expert e right on question i) = σ(a_i · (θ_e + δ_{e,g(i)} − b_i)), with b_i the question's difficulty, a_i its
 * discrimination (how sharply it separates weaker from stronger experts), θ_e the expert's overall ability and
 * δ_{e,g} its offset on group g. Fitted by regularised maximum likelihood (a Gaussian prior on every parameter,
 * see {@link Config}) with alternating Newton steps: every expert's (θ, δ) given the questions, then every
 * question's (b, log a) given the experts. Unknown outcomes are left out; fractional grades count as soft labels.
 *
 * <p>Why this shape: questions on which every known expert is right (or wrong) get an extreme difficulty and tell
 * little about a new expert, questions on which they disagree get a middling difficulty and a high discrimination —
 * those are the informative probes. Groups let a specialist be strong on its group only.
 */
public final class ItemResponseModel {
    /** Grid of abilities on which group accuracy curves are tabulated. */
    static final double ETA_MIN = -10;
    static final double ETA_MAX = 10;
    static final int ETA_STEPS = 801;

    /**
     * Prior standard deviations and iteration limits.
     *
     * @param difficultySd     of b around 0
     * @param discriminationSd of log a around 0 (a = 1 is the Rasch model)
     * @param abilitySd        of θ around 0 (weak: abilities are set by the data)
     * @param groupSd          of δ around 0 (how far an expert's group ability strays from its overall one)
     * @param maxSweeps        alternating sweeps at most
     * @param tolerance        stop when no parameter moved more than this in a sweep
     */
    public record Config(double difficultySd, double discriminationSd, double abilitySd, double groupSd, int maxSweeps,
                         double tolerance) {
        public Config {
            if (!(difficultySd > 0 && discriminationSd > 0 && abilitySd > 0 && groupSd > 0 && maxSweeps >= 1
                    && tolerance > 0)) {
                throw new IllegalArgumentException("item-response prior widths, sweeps and tolerance must be > 0");
            }
        }

        public static Config defaults() {
            return new Config(2.0, 0.5, 3.0, 1.5, 200, 1e-4);
        }
    }

    private final Outcomes data;
    private final Config config;
    private final double[] b;
    private final double[] a;
    private final double[] theta;
    private final double[][] delta;
    private final int sweeps;
    /** Per group, accuracy over its questions at each ability of the grid. */
    private final double[][] curve;
    /** Per group, the highest fitted accuracy of a known expert there. */
    private final double[] bestKnown;

    private ItemResponseModel(Outcomes data, Config config, double[] b, double[] a, double[] theta, double[][] delta,
                              int sweeps) {
        this.data = data;
        this.config = config;
        this.b = b;
        this.a = a;
        this.theta = theta;
        this.delta = delta;
        this.sweeps = sweeps;
        this.curve = new double[data.groups().size()][ETA_STEPS];
        int[] count = new int[data.groups().size()];
        for (int i = 0; i < b.length; i++) {
            int g = data.groupOf(i);
            count[g]++;
            for (int s = 0; s < ETA_STEPS; s++) {
                curve[g][s] += Dense.sigmoid(a[i] * (eta(s) - b[i]));
            }
        }
        for (int g = 0; g < curve.length; g++) {
            for (int s = 0; s < ETA_STEPS; s++) {
                curve[g][s] /= Math.max(1, count[g]);
            }
        }
        this.bestKnown = new double[curve.length];
        for (int g = 0; g < curve.length; g++) {
            for (int e = 0; e < theta.length; e++) {
                bestKnown[g] = Math.max(bestKnown[g], groupAccuracy(g, theta[e] + delta[e][g]));
            }
        }
    }

    static double eta(int step) {
        return ETA_MIN + (ETA_MAX - ETA_MIN) * step / (ETA_STEPS - 1);
    }

    /** Fits the model to every expert of {@code data} (the known experts; a new one is placed by {@link AbilityPosterior}). */
    public static ItemResponseModel fit(Outcomes data, Config config) {
        int ni = data.items().size();
        int ne = data.experts().size();
        int ng = data.groups().size();
        double[] b = new double[ni];
        double[] alpha = new double[ni];
        double[] theta = new double[ne];
        double[][] delta = new double[ne][ng];
        // Start difficulties from the share of known experts that failed each question (logit), abilities at 0.
        for (int i = 0; i < ni; i++) {
            double s = 0;
            int n = 0;
            for (int e = 0; e < ne; e++) {
                if (data.known(e, i)) {
                    s += data.grade(e, i);
                    n++;
                }
            }
            double p = (s + 0.5) / (n + 1.0);
            b[i] = -Math.log(p / (1 - p));
        }
        int sweep = 0;
        double moved = Double.POSITIVE_INFINITY;
        while (sweep < config.maxSweeps() && moved > config.tolerance()) {
            moved = 0;
            for (int e = 0; e < ne; e++) {
                moved = Math.max(moved, expertStep(data, config, e, b, alpha, theta, delta));
            }
            for (int i = 0; i < ni; i++) {
                moved = Math.max(moved, itemStep(data, config, i, b, alpha, theta, delta));
            }
            sweep++;
        }
        double[] a = new double[ni];
        for (int i = 0; i < ni; i++) {
            a[i] = Math.exp(alpha[i]);
        }
        return new ItemResponseModel(data, config, b, a, theta, delta, sweep);
    }

    /** One Newton step on expert e's (θ, δ_1..δ_G); returns the largest change. */
    private static double expertStep(Outcomes d, Config c, int e, double[] b, double[] alpha, double[] theta,
                                     double[][] delta) {
        int ng = d.groups().size();
        double[] grad = new double[ng + 1];
        double[][] h = new double[ng + 1][ng + 1];
        for (int i = 0; i < b.length; i++) {
            if (!d.known(e, i)) {
                continue;
            }
            int g = d.groupOf(i);
            double ai = Math.exp(alpha[i]);
            double p = Dense.sigmoid(ai * (theta[e] + delta[e][g] - b[i]));
            double r = (p - d.grade(e, i)) * ai;
            double w = p * (1 - p) * ai * ai;
            grad[0] += r;
            grad[g + 1] += r;
            h[0][0] += w;
            h[0][g + 1] += w;
            h[g + 1][0] += w;
            h[g + 1][g + 1] += w;
        }
        double vt = 1 / (c.abilitySd() * c.abilitySd());
        double vg = 1 / (c.groupSd() * c.groupSd());
        grad[0] += theta[e] * vt;
        h[0][0] += vt;
        for (int g = 0; g < ng; g++) {
            grad[g + 1] += delta[e][g] * vg;
            h[g + 1][g + 1] += vg;
        }
        double[] step = Dense.solve(h, grad);
        double moved = 0;
        double scale = damp(step);
        theta[e] -= scale * step[0];
        moved = Math.max(moved, Math.abs(scale * step[0]));
        for (int g = 0; g < ng; g++) {
            delta[e][g] -= scale * step[g + 1];
            moved = Math.max(moved, Math.abs(scale * step[g + 1]));
        }
        return moved;
    }

    /** One Newton step (expected Hessian) on question i's (b, log a); returns the largest change. */
    private static double itemStep(Outcomes d, Config c, int i, double[] b, double[] alpha, double[] theta,
                                   double[][] delta) {
        int g = d.groupOf(i);
        double ai = Math.exp(alpha[i]);
        double gb = 0;
        double ga = 0;
        double hbb = 0;
        double hba = 0;
        double haa = 0;
        for (int e = 0; e < theta.length; e++) {
            if (!d.known(e, i)) {
                continue;
            }
            double u = theta[e] + delta[e][g] - b[i];
            double z = ai * u;
            double p = Dense.sigmoid(z);
            double r = p - d.grade(e, i);
            double w = p * (1 - p);
            gb += r * -ai;
            ga += r * z;
            hbb += w * ai * ai;
            hba += w * -ai * z;
            haa += w * z * z;
        }
        double vb = 1 / (c.difficultySd() * c.difficultySd());
        double va = 1 / (c.discriminationSd() * c.discriminationSd());
        gb += b[i] * vb;
        hbb += vb;
        ga += alpha[i] * va;
        haa += va;
        double det = hbb * haa - hba * hba;
        double sb = (haa * gb - hba * ga) / det;
        double sa = (hbb * ga - hba * gb) / det;
        double scale = damp(new double[] {sb, sa});
        b[i] -= scale * sb;
        alpha[i] -= scale * sa;
        return Math.max(Math.abs(scale * sb), Math.abs(scale * sa));
    }

    /** Scale that keeps a Newton step at most 1 in every coordinate (a safeguard far from the optimum). */
    private static double damp(double[] step) {
        double m = 0;
        for (double s : step) {
            m = Math.max(m, Math.abs(s));
        }
        return m > 1 ? 1 / m : 1;
    }

    public Outcomes data() { return data; }
    public Config config() { return config; }
    public int sweeps() { return sweeps; }
    public List<String> items() { return data.items(); }
    public List<String> groups() { return data.groups(); }
    public int groupOf(int item) { return data.groupOf(item); }
    public double difficulty(int item) { return b[item]; }
    public double discrimination(int item) { return a[item]; }
    public int itemCount() { return b.length; }

    /** A known expert's overall ability θ. */
    public double ability(int expert) {
        return theta[expert];
    }

    /** A known expert's group offsets δ (a copy). */
    public double[] groupOffsets(int expert) {
        return Arrays.copyOf(delta[expert], delta[expert].length);
    }

    /** P(right) on an item at ability η (θ + δ of the item's group). */
    public double probability(int item, double eta) {
        return Dense.sigmoid(a[item] * (eta - b[item]));
    }

    /** Fisher information of one probe on an item about η at ability η. */
    public double information(int item, double eta) {
        double p = probability(item, eta);
        return a[item] * a[item] * p * (1 - p);
    }

    /** Expected accuracy over the group's questions at ability η (tabulated, linear interpolation). */
    public double groupAccuracy(int group, double eta) {
        double x = (Math.max(ETA_MIN, Math.min(ETA_MAX, eta)) - ETA_MIN) / (ETA_MAX - ETA_MIN) * (ETA_STEPS - 1);
        int lo = (int) Math.floor(x);
        int hi = Math.min(ETA_STEPS - 1, lo + 1);
        double f = x - lo;
        return curve[group][lo] * (1 - f) + curve[group][hi] * f;
    }

    /**
     * The highest accuracy a known expert has on the group's questions (fitted, on the same scale as
     * {@link #groupAccuracy}): the bar a new expert must pass there to be worth a router's first call.
     */
    public double bestKnownAccuracy(int group) {
        return bestKnown[group];
    }

    /** Derivative of {@link #groupAccuracy} in η (finite difference on the table). */
    public double groupAccuracySlope(int group, double eta) {
        double h = (ETA_MAX - ETA_MIN) / (ETA_STEPS - 1);
        return (groupAccuracy(group, eta + h) - groupAccuracy(group, eta - h)) / (2 * h);
    }

    /** Share of the model's questions in each group. */
    public double[] groupWeights() {
        double[] w = new double[groups().size()];
        for (int i = 0; i < b.length; i++) {
            w[groupOf(i)]++;
        }
        for (int g = 0; g < w.length; g++) {
            w[g] /= Math.max(1, b.length);
        }
        return w;
    }

    /** Log-likelihood per known outcome of the data it was fitted on (a diagnostic). */
    public double meanLogLikelihood() {
        double s = 0;
        long n = 0;
        for (int e = 0; e < theta.length; e++) {
            for (int i = 0; i < b.length; i++) {
                if (data.known(e, i)) {
                    double p = Math.min(1 - 1e-12, Math.max(1e-12, probability(i, theta[e] + delta[e][groupOf(i)])));
                    double y = data.grade(e, i);
                    s += y * Math.log(p) + (1 - y) * Math.log(1 - p);
                    n++;
                }
            }
        }
        return n == 0 ? 0 : s / n;
    }
}
