package dev.maestro.policy.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.maestro.MaestroException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpTest {
    static double[] fill(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextDouble(-1, 1);
        }
        return a;
    }

    @Test
    void should_compute_what_the_documented_formula_says() {
        // given: one hidden layer, so the reference is a few lines
        int c = 3;
        int d = 2;
        int s = 4;
        int h = 5;
        Mlp net = Mlp.builder().contextSize(c).candidateSize(d).staticSize(s).hidden(h).seed(9).build();
        SplittableRandom r = new SplittableRandom(1);
        double[] q = fill(r, c);
        double[] x = fill(r, 3 * d);
        CandidateTable table = CandidateTable.of(2, s, fill(r, 2 * s));
        int[] rows = {1, 0, 1};
        double[] scores = new double[3];

        // when
        net.forward(q, x, table, rows, 3, net.newWorkspace(3), scores);

        // then: score_k = wout · tanh(b1 + Wq q + Ws e_k + Wc x_k), with W stored input-major
        Parameters p = net.parameters();
        double[] v = p.values();
        for (int k = 0; k < 3; k++) {
            double score = 0;
            for (int u = 0; u < h; u++) {
                double pre = v[p.view("l1.b").index(0, u)];
                for (int j = 0; j < c; j++) {
                    pre += v[p.view("ctx.W").index(j, u)] * q[j];
                }
                for (int j = 0; j < s; j++) {
                    pre += v[p.view("static.W").index(j, u)] * table.feature(rows[k], j);
                }
                for (int j = 0; j < d; j++) {
                    pre += v[p.view("cand.W").index(j, u)] * x[k * d + j];
                }
                score += v[p.view("out.w").index(0, u)] * Activation.tanh(pre);
            }
            assertThat(scores[k]).isCloseTo(score, offset(1e-12));
        }
    }

    @Test
    void should_compute_tanh_within_3e_7_and_never_beyond_one() {
        double worst = 0;
        double largest = 0;
        for (double x = -30; x <= 30; x += 0.001) {
            worst = Math.max(worst, Math.abs(Activation.tanh(x) - Math.tanh(x)));
            largest = Math.max(largest, Math.abs(Activation.tanh(x)));
        }
        assertThat(worst).isLessThan(3e-7);
        assertThat(largest).isLessThanOrEqualTo(1.0);
        assertThat(Activation.tanh(1e-300)).isEqualTo(1e-300, offset(1e-306));
        assertThat(Activation.tanh(Double.MAX_VALUE)).isEqualTo(1.0, offset(3e-7));
        assertThat(Activation.tanh(-Double.MAX_VALUE)).isEqualTo(-1.0, offset(3e-7));
        assertThat(Activation.TANH.apply(0.5)).isEqualTo(Activation.tanh(0.5));
        double[] a = {-40, -2, -0.3, 0, 0.7, 3, 9, 1e-9};
        double[] b = a.clone();
        Activation.tanh(b, b.length);
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).isEqualTo(Activation.tanh(a[i]));
        }
    }

    @Test
    void should_initialise_identically_from_the_same_seed_and_differently_from_another() {
        Mlp a = Mlp.builder().contextSize(10).candidateSize(4).hidden(8, 4).activation(Activation.RELU).seed(42).build();
        Mlp b = Mlp.builder().contextSize(10).candidateSize(4).hidden(8, 4).activation(Activation.RELU).seed(42).build();
        Mlp c = Mlp.builder().contextSize(10).candidateSize(4).hidden(8, 4).activation(Activation.RELU).seed(43).build();
        assertThat(a.parameters().values()).containsExactly(b.parameters().values());
        assertThat(a.parameters().values()).isNotEqualTo(c.parameters().values());
        // biases start at zero; weights do not
        Parameters.View bias = a.parameters().view("l1.b");
        for (int i = 0; i < bias.size(); i++) {
            assertThat(a.parameters().values()[bias.offset() + i]).isZero();
        }
    }

    @Test
    void should_recompute_the_static_projection_after_an_optimizer_step() {
        // given
        SplittableRandom r = new SplittableRandom(2);
        Mlp net = Mlp.builder().contextSize(3).candidateSize(2).staticSize(5).hidden(6).seed(3).build();
        CandidateTable table = CandidateTable.of(3, 5, fill(r, 15));
        double[] q = fill(r, 3);
        double[] x = fill(r, 6);
        int[] rows = {0, 1, 2};
        double[] before = new double[3];
        PolicyNetwork.Workspace ws = net.newWorkspace(3);
        net.forward(q, x, table, rows, 3, ws, before);
        long cached = table.projection().version();

        // when: a step changes static.W
        net.parameters().zeroGradients();
        net.backward(new double[] {1, -1, 0.5}, ws);
        net.flushGradients();
        Sgd.create(0.5).step(net.parameters());
        double[] after = new double[3];
        net.forward(q, x, table, rows, 3, ws, after);

        // then: the cache was refreshed and equals a fresh network built on the same parameters
        assertThat(table.projection().version()).isNotEqualTo(cached).isEqualTo(net.parameters().version());
        Mlp fresh = Mlp.builder().contextSize(3).candidateSize(2).staticSize(5).hidden(6)
                .parameters(net.parameters().copy()).build();
        double[] expected = new double[3];
        fresh.forward(q, x, CandidateTable.of(3, 5, tableValues(table)), rows, 3, fresh.newWorkspace(3), expected);
        assertThat(after).containsExactly(expected, offset(1e-12));
        assertThat(after).isNotEqualTo(before);
    }

    static double[] tableValues(CandidateTable t) {
        double[] v = new double[t.rows() * t.columns()];
        for (int i = 0; i < t.rows(); i++) {
            for (int j = 0; j < t.columns(); j++) {
                v[i * t.columns() + j] = t.feature(i, j);
            }
        }
        return v;
    }

    @Test
    void should_grow_a_small_workspace_and_give_the_same_scores() {
        SplittableRandom r = new SplittableRandom(4);
        Mlp net = Mlp.builder().contextSize(5).candidateSize(3).hidden(7, 5).seed(1).build();
        double[] q = fill(r, 5);
        double[] x = fill(r, 30);
        double[] small = new double[10];
        double[] big = new double[10];
        PolicyNetwork.Workspace ws = net.newWorkspace(1);
        net.forward(q, x, 10, ws, small);
        net.forward(q, x, 10, net.newWorkspace(10), big);
        assertThat(ws.capacity()).isGreaterThanOrEqualTo(10);
        assertThat(small).containsExactly(big);
    }

    @Test
    void should_score_a_candidate_independently_of_the_others() {
        // Weights are shared across candidates: a candidate's score does not depend on who else is listed.
        SplittableRandom r = new SplittableRandom(5);
        Mlp net = Mlp.builder().contextSize(4).candidateSize(3).hidden(6, 4).seed(1).build();
        double[] q = fill(r, 4);
        double[] x = fill(r, 9);
        double[] all = new double[3];
        net.forward(q, x, 3, net.newWorkspace(3), all);
        double[] one = new double[1];
        net.forward(q, Arrays.copyOfRange(x, 6, 9), 1, net.newWorkspace(1), one);
        assertThat(one[0]).isCloseTo(all[2], offset(1e-15));
    }

    @Test
    void should_reject_inputs_of_the_wrong_shape_naming_the_problem() {
        Mlp net = Mlp.builder().contextSize(4).candidateSize(3).staticSize(2).hidden(6).build();
        PolicyNetwork.Workspace ws = net.newWorkspace(2);
        CandidateTable table = CandidateTable.of(2, 2, new double[4]);
        assertThatThrownBy(() -> net.forward(new double[3], new double[6], table, new int[] {0, 1}, 2, ws, new double[2]))
                .isInstanceOf(MaestroException.class).hasMessageContaining("context has 3 features, network expects 4");
        assertThatThrownBy(() -> net.forward(new double[4], new double[6], table, new int[] {0, 2}, 2, ws, new double[2]))
                .isInstanceOf(MaestroException.class).hasMessageContaining("table row 2, valid 0..1");
        assertThatThrownBy(() -> net.forward(new double[4], new double[6], 2, ws, new double[2]))
                .isInstanceOf(MaestroException.class).hasMessageContaining("CandidateTable");
        Mlp other = Mlp.builder().contextSize(4).candidateSize(3).hidden(5).build();
        assertThatThrownBy(() -> other.forward(new double[4], new double[6], 2, ws, new double[2]))
                .isInstanceOf(MaestroException.class).hasMessageContaining("workspace");
        assertThatThrownBy(() -> Mlp.builder().contextSize(4).hidden(8, 0).build())
                .isInstanceOf(MaestroException.class).hasMessageContaining("hidden sizes must be positive");
        assertThatThrownBy(() -> Mlp.builder().contextSize(4).hidden(8).parameters(net.parameters()).build())
                .isInstanceOf(MaestroException.class).hasMessageContaining("do not fit");
    }

    @Test
    void should_learn_to_prefer_the_rewarded_candidate_with_grpo_and_adam() {
        // given: 4 candidates whose 1-hot feature says which one is "good" (rewarded 1, others 0)
        Mlp net = Mlp.builder().contextSize(2).candidateSize(4).hidden(16).seed(7).build();
        Adam adam = Adam.builder().learningRate(0.01).clipNorm(1.0).build();
        GrpoLoss loss = new GrpoLoss(new GrpoLoss.Config(0.2, 0.0));
        SplittableRandom r = new SplittableRandom(8);
        PolicyNetwork.Workspace ws = net.newWorkspace(4);
        boolean[] mask = {true, true, true, true};
        double[] scores = new double[4];
        double[] dz = new double[4];
        double[] q = {1, 0};
        int good = 2;
        double[] x = new double[16];
        for (int k = 0; k < 4; k++) {
            x[k * 4 + k] = 1; // candidate identity features
        }
        // when: 200 updates of groups of 8 sampled actions
        for (int step = 0; step < 200; step++) {
            net.forward(q, x, 4, ws, scores);
            int[] acts = new int[8];
            double[] old = new double[8];
            double mean = 0;
            for (int g = 0; g < 8; g++) {
                acts[g] = MaskedSoftmax.sample(scores, mask, 4, r.nextDouble());
                old[g] = MaskedSoftmax.logProb(scores, mask, 4, acts[g]);
                mean += acts[g] == good ? 1.0 / 8 : 0;
            }
            double sd = Math.sqrt(mean * (1 - mean));
            net.parameters().zeroGradients();
            for (int g = 0; g < 8; g++) {
                double adv = ((acts[g] == good ? 1 : 0) - mean) / (sd + 1e-6);
                net.forward(q, x, 4, ws, scores);
                loss.evaluate(scores, mask, 4, acts[g], old[g], adv, dz);
                for (int k = 0; k < 4; k++) {
                    dz[k] /= 8;
                }
                net.backward(dz, ws);
            }
            net.flushGradients();
            adam.step(net.parameters());
        }
        // then
        net.forward(q, x, 4, ws, scores);
        double[] p = new double[4];
        MaskedSoftmax.softmax(scores, mask, 4, p);
        assertThat(p[good]).isGreaterThan(0.9);
        assertThat(adam.steps()).isEqualTo(200);
    }
}
