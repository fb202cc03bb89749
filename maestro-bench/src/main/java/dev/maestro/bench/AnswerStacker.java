package dev.maestro.bench;

import dev.maestro.onboard.Dense;

/**
 * A conditional-logit aggregator of k voters' answers: on each task, a softmax over the distinct answers the voters
 * gave, where an answer's score is the sum of its supporters' weights — one weight per voter, plus, in the
 * {@code labels} variant, one per (voter, task group) (the group is the dataset's true label, which a user's question
 * does not carry). Fitted by L2-regularised maximum likelihood with Newton steps and a backtracking line search:
 * the objective is concave, so the fit is unique and deterministic. Tasks where no voter is right carry no signal
 * and are left out of the fit.
 */
final class AnswerStacker {
    private static final int MAX_STEPS = 100;
    private final double[] w;
    private final boolean labels;
    private final int voters;

    private AnswerStacker(double[] w, boolean labels, int voters) {
        this.w = w;
        this.labels = labels;
        this.voters = voters;
    }

    static AnswerStacker fit(Ballots b, boolean labels, double l2) {
        int k = b.voters();
        int d = labels ? k * (1 + b.groups()) : k;
        AnswerStacker s = new AnswerStacker(new double[d], labels, k);
        double f = s.objective(b, l2);
        for (int step = 0; step < MAX_STEPS; step++) {
            double[] grad = new double[d];
            double[][] h = new double[d][d];
            s.derivatives(b, l2, grad, h);
            double[] delta = Dense.solve(h, grad);
            double[] start = s.w.clone();
            double t = 1;
            double next = f;
            // backtrack until the objective rises (a Newton step on a concave function does from close enough)
            for (int half = 0; half < 30; half++) {
                for (int i = 0; i < d; i++) {
                    s.w[i] = start[i] + t * delta[i];
                }
                next = s.objective(b, l2);
                if (next >= f) {
                    break;
                }
                t /= 2;
            }
            if (next < f) {
                System.arraycopy(start, 0, s.w, 0, d);
                break;
            }
            double moved = 0;
            for (double x : delta) {
                moved = Math.max(moved, Math.abs(t * x));
            }
            f = next;
            if (moved < 1e-9) {
                break;
            }
        }
        return s;
    }

    double[] weights() {
        return w.clone();
    }

    /** The voter whose answer this stacker gives on task t (first voter of the top option), -1 when none answered. */
    int choose(Ballots b, int t) {
        int[] opt = b.options(t);
        double[] s = scores(b, t, opt);
        if (s.length == 0) {
            return -1;
        }
        int top = 0;
        for (int o = 1; o < s.length; o++) {
            if (s[o] > s[top]) {
                top = o;
            }
        }
        return Ballots.voterOf(opt, top);
    }

    /** Share of the tasks whose chosen answer is right (grade summed; a task nobody answered counts as wrong). */
    double accuracy(Ballots b) {
        double sum = 0;
        for (int t = 0; t < b.tasks(); t++) {
            int j = choose(b, t);
            sum += j < 0 ? 0 : b.grade()[t][j];
        }
        return b.tasks() == 0 ? 0 : sum / b.tasks();
    }

    /** Log-likelihood of the right answers over the tasks where some voter is right (no penalty). */
    double logLikelihood(Ballots b) {
        return objective(b, 0);
    }

    private double objective(Ballots b, double l2) {
        double f = 0;
        for (int t = 0; t < b.tasks(); t++) {
            int[] opt = b.options(t);
            int right = right(b, t, opt);
            if (right < 0) {
                continue;
            }
            double[] s = scores(b, t, opt);
            f += s[right] - logSumExp(s);
        }
        double norm = 0;
        for (double x : w) {
            norm += x * x;
        }
        return f - l2 / 2 * norm;
    }

    /** Gradient of the objective and its negated Hessian (positive definite), accumulated over the tasks. */
    private void derivatives(Ballots b, double l2, double[] grad, double[][] h) {
        int[] feature = new int[2 * voters];
        int[] optionOf = new int[2 * voters];
        for (int t = 0; t < b.tasks(); t++) {
            int[] opt = b.options(t);
            int right = right(b, t, opt);
            if (right < 0) {
                continue;
            }
            double[] p = scores(b, t, opt);
            double z = logSumExp(p);
            for (int o = 0; o < p.length; o++) {
                p[o] = Math.exp(p[o] - z);
            }
            // the options' features are disjoint (each voter names one option), so each active feature has one option
            int n = 0;
            for (int j = 0; j < voters; j++) {
                if (opt[j] < 0) {
                    continue;
                }
                feature[n] = j;
                optionOf[n++] = opt[j];
                if (labels && b.group()[t] >= 0) {
                    feature[n] = slot(b, t, j);
                    optionOf[n++] = opt[j];
                }
            }
            for (int a = 0; a < n; a++) {
                double pa = p[optionOf[a]];
                grad[feature[a]] += (optionOf[a] == right ? 1 : 0) - pa;
                for (int c = 0; c < n; c++) {
                    h[feature[a]][feature[c]] += (optionOf[a] == optionOf[c] ? pa : 0) - pa * p[optionOf[c]];
                }
            }
        }
        for (int i = 0; i < w.length; i++) {
            grad[i] -= l2 * w[i];
            h[i][i] += l2;
        }
    }

    private double[] scores(Ballots b, int t, int[] opt) {
        int count = 0;
        for (int o : opt) {
            count = Math.max(count, o + 1);
        }
        double[] s = new double[count];
        for (int j = 0; j < voters; j++) {
            if (opt[j] >= 0) {
                s[opt[j]] += w[j] + (labels && b.group()[t] >= 0 ? w[slot(b, t, j)] : 0);
            }
        }
        return s;
    }

    private int slot(Ballots b, int t, int j) {
        return voters + b.group()[t] * voters + j;
    }

    /** The option that is right on task t (its first voter's grade ≥ 0.5), -1 when none is. */
    private static int right(Ballots b, int t, int[] opt) {
        for (int j = 0; j < opt.length; j++) {
            if (opt[j] >= 0 && b.grade()[t][j] >= 0.5 && Ballots.voterOf(opt, opt[j]) == j) {
                return opt[j];
            }
        }
        return -1;
    }

    private static double logSumExp(double[] s) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : s) {
            m = Math.max(m, x);
        }
        double sum = 0;
        for (double x : s) {
            sum += Math.exp(x - m);
        }
        return m + Math.log(sum);
    }
}
