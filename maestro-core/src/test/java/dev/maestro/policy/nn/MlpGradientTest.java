package dev.maestro.policy.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Backprop of {@link Mlp} against central finite differences, for every single parameter. */
class MlpGradientTest {
    static final int C = 7;
    static final int D = 5;
    static final int S = 6;
    static final int K = 5;
    static final int N = 4;

    record Setup(Mlp net, double[] q, double[] x, CandidateTable table, int[] rows, boolean[] mask, int chosen, double[] weights) {
    }

    static Setup setup(Activation act, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Mlp net = Mlp.builder().contextSize(C).candidateSize(D).staticSize(S).hidden(8, 6).activation(act).seed(seed).build();
        // Larger output weights than the default init so the loss is not flat.
        Parameters.View out = net.parameters().view("out.w");
        for (int i = 0; i < out.size(); i++) {
            net.parameters().values()[out.offset() + i] = r.nextDouble(-1, 1);
        }
        net.parameters().markChanged();
        double[] q = fill(r, C);
        double[] x = fill(r, K * D);
        x[3] = 0.0; // a zero input exercises the skip-zero branches
        CandidateTable table = CandidateTable.of(N, S, fill(r, N * S));
        int[] rows = {2, 0, 2, 3, 1}; // row 2 twice: its gradient must accumulate
        boolean[] mask = {true, true, false, true, true};
        double[] w = fill(r, K);
        return new Setup(net, q, x, table, rows, mask, 3, w);
    }

    static double[] fill(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextDouble(-1, 1);
        }
        return a;
    }

    /** L = −log π(chosen) + Σ w_k s_k: exercises both a softmax and a linear read-out of the scores. */
    static double loss(Setup s, PolicyNetwork.Workspace ws, double[] scores) {
        s.net().forward(s.q(), s.x(), s.table(), s.rows(), K, ws, scores);
        double l = -MaskedSoftmax.logProb(scores, s.mask(), K, s.chosen());
        for (int k = 0; k < K; k++) {
            l += s.weights()[k] * scores[k];
        }
        return l;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void should_match_finite_differences_for_every_parameter(Activation act) {
        // given
        Setup s = setup(act, 11);
        Parameters p = s.net().parameters();
        PolicyNetwork.Workspace ws = s.net().newWorkspace(2);
        double[] scores = new double[K];
        double[] dScores = new double[K];

        // when: analytic gradient
        loss(s, ws, scores);
        MaskedSoftmax.logProbGradient(scores, s.mask(), K, s.chosen(), dScores);
        for (int k = 0; k < K; k++) {
            dScores[k] = -dScores[k] + s.weights()[k];
        }
        p.zeroGradients();
        s.net().backward(dScores, ws);
        s.net().flushGradients();
        double[] analytic = p.gradients().clone();

        // then: every parameter agrees with central differences
        double worst = 0;
        int meaningful = 0;
        for (int i = 0; i < p.size(); i++) {
            double num = GradCheck.numeric(p.values(), i, p::markChanged, () -> loss(s, ws, scores));
            worst = Math.max(worst, GradCheck.relativeError(analytic[i], num));
            if (Math.abs(num) > GradCheck.FLOOR) {
                meaningful++;
            }
        }
        // tanh is a rational approximation (Activation.tanh) whose derivative differs from the 1 − y² backward uses by
        // ~1e-6; through the layers that is up to ~6e-5 of a gradient. A wrong backward is off by O(1).
        assertThat(worst).as("max relative error (%s)", act).isLessThan(act == Activation.TANH ? 1e-4 : 1e-5);
        // Guards against a vacuous pass: most parameters must actually have a gradient.
        // (ReLU leaves some units dead for this input, hence 40% rather than all.)
        assertThat(meaningful).as("parameters with a gradient above %s", GradCheck.FLOOR).isGreaterThan(p.size() * 2 / 5);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void should_check_each_input_path_separately(Activation act) {
        // given: the same setup, gradients grouped by view so a broken path is named
        Setup s = setup(act, 23);
        Parameters p = s.net().parameters();
        PolicyNetwork.Workspace ws = s.net().newWorkspace(K);
        double[] scores = new double[K];
        double[] dScores = s.weights().clone();

        // when: a linear read-out only
        s.net().forward(s.q(), s.x(), s.table(), s.rows(), K, ws, scores);
        p.zeroGradients();
        s.net().backward(dScores, ws);
        s.net().flushGradients();
        double[] analytic = p.gradients().clone();

        // then
        for (String view : new String[] {"ctx.W", "cand.W", "static.W", "l1.b", "l2.W", "l2.b", "out.w"}) {
            Parameters.View v = p.view(view);
            double worst = 0;
            for (int i = v.offset(); i < v.offset() + v.size(); i++) {
                double num = GradCheck.numeric(p.values(), i, p::markChanged, () -> {
                    s.net().forward(s.q(), s.x(), s.table(), s.rows(), K, ws, scores);
                    double l = 0;
                    for (int k = 0; k < K; k++) {
                        l += dScores[k] * scores[k];
                    }
                    return l;
                });
                worst = Math.max(worst, GradCheck.relativeError(analytic[i], num));
            }
            assertThat(worst).as("view %s (%s)", view, act).isLessThan(act == Activation.TANH ? 1e-4 : 1e-5);
        }
    }

    @Test
    void should_accumulate_gradients_over_several_backward_calls() {
        // given
        Setup s = setup(Activation.TANH, 5);
        Parameters p = s.net().parameters();
        PolicyNetwork.Workspace ws = s.net().newWorkspace(K);
        double[] scores = new double[K];
        s.net().forward(s.q(), s.x(), s.table(), s.rows(), K, ws, scores);
        p.zeroGradients();
        s.net().backward(s.weights(), ws);
        s.net().flushGradients();
        double[] once = p.gradients().clone();

        // when: the same decision backpropagated twice, flushed once
        p.zeroGradients();
        s.net().backward(s.weights(), ws);
        s.net().backward(s.weights(), ws);
        s.net().flushGradients();

        // then
        for (int i = 0; i < p.size(); i++) {
            assertThat(p.gradients()[i]).isCloseTo(2 * once[i], Offset.offset(1e-12));
        }
    }
}
