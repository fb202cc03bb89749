package dev.maestro.policy.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.maestro.MaestroException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxAndGrpoTest {
    static final double[] LOGITS = {0.3, -1.2, 2.0, 0.7, -0.4, 1.1};
    static final boolean[] MASK = {true, true, false, true, true, true};
    static final int K = 6;

    @Test
    void should_give_zero_probability_to_masked_entries_and_sum_to_one() {
        double[] p = new double[K];
        MaskedSoftmax.softmax(LOGITS, MASK, K, p);
        assertThat(p[2]).isZero();
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1.0, offset(1e-12));
        // the largest VALID logit wins
        assertThat(MaskedSoftmax.argmax(LOGITS, MASK, K)).isEqualTo(5);
    }

    @Test
    void should_stay_finite_for_huge_logits() {
        double[] z = {1000, 999, -1000};
        boolean[] m = {true, true, true};
        assertThat(MaskedSoftmax.logProb(z, m, 3, 0)).isCloseTo(-Math.log1p(Math.exp(-1)), offset(1e-12));
        assertThat(MaskedSoftmax.entropy(z, m, 3)).isFinite();
    }

    @Test
    void should_refuse_a_fully_masked_softmax_and_a_masked_action() {
        boolean[] none = new boolean[K];
        assertThatThrownBy(() -> MaskedSoftmax.logSumExp(LOGITS, none, K))
                .isInstanceOf(MaestroException.class).hasMessageContaining("no valid entry");
        assertThatThrownBy(() -> MaskedSoftmax.logProb(LOGITS, MASK, K, 2))
                .isInstanceOf(MaestroException.class).hasMessageContaining("action 2");
    }

    @Test
    void should_match_finite_differences_for_log_prob_and_entropy() {
        double[] z = LOGITS.clone();
        double[] grad = new double[K];
        MaskedSoftmax.logProbGradient(z, MASK, K, 3, grad);
        for (int j = 0; j < K; j++) {
            double num = GradCheck.numeric(z, j, () -> { }, () -> MaskedSoftmax.logProb(z, MASK, K, 3));
            assertThat(GradCheck.relativeError(grad[j], num)).as("d logp / dz_%d", j).isLessThan(1e-5);
        }
        // Entropy gradient via GrpoLoss with A = 0: dL/dz = -beta dH/dz.
        GrpoLoss entropyOnly = new GrpoLoss(new GrpoLoss.Config(0.2, 1.0));
        double[] dz = new double[K];
        entropyOnly.evaluate(z, MASK, K, 0, -1.0, 0.0, dz);
        for (int j = 0; j < K; j++) {
            double num = GradCheck.numeric(z, j, () -> { }, () -> MaskedSoftmax.entropy(z, MASK, K));
            assertThat(GradCheck.relativeError(-dz[j], num)).as("dH/dz_%d", j).isLessThan(1e-5);
        }
    }

    @Test
    void should_sample_only_valid_entries_with_softmax_frequencies() {
        double[] p = new double[K];
        MaskedSoftmax.softmax(LOGITS, MASK, K, p);
        int[] counts = new int[K];
        int n = 200_000;
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            counts[MaskedSoftmax.sample(LOGITS, MASK, K, r.nextDouble())]++;
        }
        assertThat(counts[2]).isZero();
        for (int j = 0; j < K; j++) {
            assertThat(counts[j] / (double) n).isCloseTo(p[j], offset(0.005));
        }
    }

    // --- GRPO clipped objective ---

    static GrpoLoss.Result grpo(double[] z, double oldLogProb, double advantage, double beta, double[] dz) {
        return new GrpoLoss(new GrpoLoss.Config(0.2, beta)).evaluate(z, MASK, K, 3, oldLogProb, advantage, dz);
    }

    @Test
    void should_match_finite_differences_away_from_the_clip_kink() {
        double[] z = LOGITS.clone();
        double logp = MaskedSoftmax.logProb(z, MASK, K, 3);
        // ratio 1.1 (inside the clip range) with either sign of advantage, with and without entropy bonus
        for (double adv : new double[] {1.3, -0.8}) {
            for (double beta : new double[] {0.0, 0.05}) {
                double old = logp - Math.log(1.1);
                double[] dz = new double[K];
                GrpoLoss.Result r = grpo(z, old, adv, beta, dz);
                assertThat(r.clipped()).isFalse();
                for (int j = 0; j < K; j++) {
                    double num = GradCheck.numeric(z, j, () -> { }, () -> grpo(z, old, adv, beta, new double[K]).loss());
                    assertThat(GradCheck.relativeError(dz[j], num)).as("A=%s beta=%s j=%d", adv, beta, j).isLessThan(1e-5);
                }
                assertThat(dz[2]).isZero();
            }
        }
    }

    @Test
    void should_have_no_surrogate_gradient_when_the_clip_binds() {
        double[] z = LOGITS.clone();
        double logp = MaskedSoftmax.logProb(z, MASK, K, 3);
        double[] dz = new double[K];
        // positive advantage, ratio 1.5 > 1 + 0.2: clipped
        GrpoLoss.Result up = grpo(z, logp - Math.log(1.5), 1.0, 0.0, dz);
        assertThat(up.clipped()).isTrue();
        assertThat(up.ratio()).isCloseTo(1.5, offset(1e-12));
        assertThat(dz).containsOnly(0.0);
        assertThat(up.loss()).isCloseTo(-1.2, offset(1e-12));
        // negative advantage, ratio 0.5 < 0.8: clipped
        GrpoLoss.Result down = grpo(z, logp - Math.log(0.5), -1.0, 0.0, dz);
        assertThat(down.clipped()).isTrue();
        assertThat(dz).containsOnly(0.0);
        // negative advantage with ratio 1.5: NOT clipped (pessimistic bound keeps the gradient)
        GrpoLoss.Result keep = grpo(z, logp - Math.log(1.5), -1.0, 0.0, dz);
        assertThat(keep.clipped()).isFalse();
        assertThat(dz[3]).isPositive(); // minimising pushes the chosen logit down
    }

    @Test
    void should_report_ratio_one_and_zero_kl_on_policy() {
        double[] z = LOGITS.clone();
        double logp = MaskedSoftmax.logProb(z, MASK, K, 3);
        double[] dz = new double[K];
        GrpoLoss.Result r = grpo(z, logp, 2.0, 0.0, dz);
        assertThat(r.ratio()).isCloseTo(1.0, offset(1e-12));
        assertThat(r.approxKl()).isCloseTo(0.0, offset(1e-15));
        assertThat(r.entropy()).isCloseTo(MaskedSoftmax.entropy(z, MASK, K), offset(1e-12));
        // on policy the gradient is the REINFORCE one: -A (e_a - p)
        double[] g = new double[K];
        MaskedSoftmax.logProbGradient(z, MASK, K, 3, g);
        for (int j = 0; j < K; j++) {
            assertThat(dz[j]).isCloseTo(-2.0 * g[j], offset(1e-12));
        }
        // off policy the k3 estimator is positive
        assertThat(grpo(z, logp - 0.3, 1.0, 0.0, dz).approxKl()).isPositive();
    }

    @Test
    void should_refuse_bad_configuration_and_inputs() {
        assertThatThrownBy(() -> new GrpoLoss.Config(0.0, 0.01)).isInstanceOf(MaestroException.class).hasMessageContaining("clip");
        assertThatThrownBy(() -> new GrpoLoss.Config(0.2, -1)).isInstanceOf(MaestroException.class).hasMessageContaining("entropy");
        assertThatThrownBy(() -> grpo(LOGITS, 0.5, 1, 0, new double[K])).isInstanceOf(MaestroException.class)
                .hasMessageContaining("old log-prob");
        assertThatThrownBy(() -> new GrpoLoss(new GrpoLoss.Config(0.2, 0)).evaluate(LOGITS, MASK, K, 2, -1, 1, new double[K]))
                .isInstanceOf(MaestroException.class).hasMessageContaining("chosen action 2");
    }
}
