package dev.maestro.policy.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The forward pass runs over per-row copies of the weights (so that C2 vectorises it); these tests hold it
 * to the flat-array loops it replaced, kept below as {@link Reference}, bit for bit: same scores means the
 * same sampled actions and the same training checkpoints.
 */
class MlpFastPathTest {

    /** The forward pass as it was before the row-array fast path: flat parameter array, offsets, no caches. */
    static final class Reference {
        static double[] scores(Mlp net, double[] q, double[] x, CandidateTable table, int[] rows, int k) {
            Parameters p = net.parameters();
            double[] v = p.values();
            int[] hidden = net.hidden();
            int c = net.contextSize();
            int d = net.candidateSize();
            int s = net.staticSize();
            int h1 = hidden[0];
            double[] ctx = new double[h1];
            System.arraycopy(v, p.view("l1.b").offset(), ctx, 0, h1);
            axpyRows(v, p.view("ctx.W").offset(), q, 0, c, h1, ctx, 0);
            double[] proj = null;
            if (table != null) {
                proj = new double[table.rows() * h1];
                for (int n = 0; n < table.rows(); n++) {
                    axpyRows(v, p.view("static.W").offset(), table.features(), n * s, s, h1, proj, n * h1);
                }
            }
            double[][] act = new double[hidden.length][];
            act[0] = new double[k * h1];
            for (int i = 0; i < k; i++) {
                int o = i * h1;
                for (int h = 0; h < h1; h++) {
                    act[0][o + h] = proj == null ? ctx[h] : ctx[h] + proj[rows[i] * h1 + h];
                }
                axpyRows(v, p.view("cand.W").offset(), x, i * d, d, h1, act[0], o);
                activate(net.activation(), act[0], o, h1);
            }
            for (int l = 1; l < hidden.length; l++) {
                int in = hidden[l - 1];
                int out = hidden[l];
                act[l] = new double[k * out];
                for (int i = 0; i < k; i++) {
                    int o = i * out;
                    System.arraycopy(v, p.view("l" + (l + 1) + ".b").offset(), act[l], o, out);
                    axpyRows(v, p.view("l" + (l + 1) + ".W").offset(), act[l - 1], i * in, in, out, act[l], o);
                    activate(net.activation(), act[l], o, out);
                }
            }
            int hl = hidden[hidden.length - 1];
            double[] scores = new double[k];
            for (int i = 0; i < k; i++) {
                scores[i] = dot(v, p.view("out.w").offset(), act[hidden.length - 1], i * hl, hl)
                        + dot(v, p.view("skip.w").offset(), x, i * d, d);
            }
            return scores;
        }

        static void activate(Activation a, double[] v, int o, int n) {
            for (int h = 0; h < n; h++) {
                v[o + h] = a == Activation.TANH ? Activation.tanh(v[o + h]) : Math.max(0.0, v[o + h]);
            }
        }

        static void axpyRows(double[] w, int wo, double[] in, int io, int m, int n, double[] out, int oo) {
            int j = 0;
            for (; j + 3 < m; j += 4) {
                double x0 = in[io + j];
                double x1 = in[io + j + 1];
                double x2 = in[io + j + 2];
                double x3 = in[io + j + 3];
                if (x0 == 0.0 && x1 == 0.0 && x2 == 0.0 && x3 == 0.0) {
                    continue;
                }
                int r0 = wo + j * n;
                for (int h = 0; h < n; h++) {
                    out[oo + h] += x0 * w[r0 + h] + x1 * w[r0 + n + h] + x2 * w[r0 + 2 * n + h] + x3 * w[r0 + 3 * n + h];
                }
            }
            for (; j < m; j++) {
                double xj = in[io + j];
                if (xj == 0.0) {
                    continue;
                }
                for (int h = 0; h < n; h++) {
                    out[oo + h] += xj * w[wo + j * n + h];
                }
            }
        }

        static double dot(double[] a, int ao, double[] b, int bo, int n) {
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += a[ao + i] * b[bo + i];
                s1 += a[ao + i + 1] * b[bo + i + 1];
                s2 += a[ao + i + 2] * b[bo + i + 2];
                s3 += a[ao + i + 3] * b[bo + i + 3];
            }
            for (; i < n; i++) {
                s0 += a[ao + i] * b[bo + i];
            }
            return (s0 + s1) + (s2 + s3);
        }
    }

    /** Candidate features like the policy's: a third are 0/1 flags that are off, so zero-skipping is exercised. */
    static double[] features(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(3) == 0 ? 0.0 : r.nextDouble(-3, 3);
        }
        return a;
    }

    static long[] bits(double[] a, int k) {
        long[] b = new long[k];
        for (int i = 0; i < k; i++) {
            b[i] = Double.doubleToRawLongBits(a[i]);
        }
        return b;
    }

    static void randomise(Parameters p, SplittableRandom r) {
        double[] v = p.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble(-0.8, 0.8);
        }
        p.markChanged();
    }

    @Test
    void should_score_bit_identically_to_the_flat_reference_on_random_params_and_candidates() {
        SplittableRandom r = new SplittableRandom(42);
        int[][] shapes = {{64, 32}, {7}, {5, 9, 3}, {13, 6}};
        for (int trial = 0; trial < 40; trial++) {
            // given: the policy's own shape first (C = 67, D = 22), then odd sizes that leave loop tails
            int[] hidden = shapes[trial % shapes.length];
            int c = trial == 0 ? 67 : 1 + r.nextInt(70);
            int d = trial == 0 ? 22 : 1 + r.nextInt(25);
            int s = trial % 3 == 0 ? 0 : 1 + r.nextInt(40);
            Activation act = trial % 5 == 4 ? Activation.RELU : Activation.TANH;
            Mlp net = Mlp.builder().contextSize(c).candidateSize(d).staticSize(s).hidden(hidden).activation(act)
                    .seed(trial).build();
            if (trial % 2 == 1) {
                randomise(net.parameters(), r); // larger weights than the initialisation: saturated units too
            }
            int k = 1 + r.nextInt(40);
            double[] q = features(r, c);
            double[] x = features(r, k * d);
            CandidateTable table = s == 0 ? null : CandidateTable.of(6, s, features(r, 6 * s));
            int[] rows = new int[k];
            for (int i = 0; i < k; i++) {
                rows[i] = r.nextInt(6);
            }
            double[] scores = new double[k];

            // when: a workspace smaller than k, so it has to grow
            net.forward(q, x, table, rows, k, net.newWorkspace(3), scores);

            // then
            assertThat(bits(scores, k)).as("trial %d: hidden %s, C=%d D=%d S=%d K=%d", trial,
                    Arrays.toString(hidden), c, d, s, k).isEqualTo(bits(Reference.scores(net, q, x, table, rows, k), k));
        }
    }

    @Test
    void should_follow_parameter_changes_declared_with_markChanged() {
        // given: a forward pass that caches the row copies of the weights
        SplittableRandom r = new SplittableRandom(5);
        Mlp net = Mlp.builder().contextSize(10).candidateSize(22).staticSize(8).hidden(64, 32).seed(3).build();
        double[] q = features(r, 10);
        double[] x = features(r, 4 * 22);
        CandidateTable table = CandidateTable.of(2, 8, features(r, 16));
        int[] rows = {0, 1, 1, 0};
        PolicyNetwork.Workspace ws = net.newWorkspace(4);
        double[] before = new double[4];
        net.forward(q, x, table, rows, 4, ws, before);

        // when: every weight changes, as after an optimizer step
        randomise(net.parameters(), r);
        double[] after = new double[4];
        net.forward(q, x, table, rows, 4, ws, after);

        // then: the new weights are used, not the cached copy
        assertThat(bits(after, 4)).isEqualTo(bits(Reference.scores(net, q, x, table, rows, 4), 4));
        assertThat(after[0]).isNotEqualTo(before[0]);
    }
}
