package dev.maestro.policy.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.maestro.MaestroException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ParametersAndOptimizerTest {
    static byte[] bytes(Parameters p) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bo)) {
            p.write(out);
        }
        return bo.toByteArray();
    }

    static Parameters read(byte[] b) throws IOException {
        return Parameters.read(new DataInputStream(new ByteArrayInputStream(b)), "test.bin");
    }

    @Test
    void should_round_trip_views_and_values_bit_exactly() throws IOException {
        Mlp net = Mlp.builder().contextSize(6).candidateSize(3).staticSize(4).hidden(5, 3).seed(12).build();
        Parameters back = read(bytes(net.parameters()));
        assertThat(back.views()).isEqualTo(net.parameters().views());
        assertThat(back.values()).containsExactly(net.parameters().values());
        assertThat(back.version()).isNotEqualTo(net.parameters().version());
        // and a network can be rebuilt on it
        Mlp again = Mlp.builder().contextSize(6).candidateSize(3).staticSize(4).hidden(5, 3).parameters(back).build();
        assertThat(again.parameters()).isSameAs(back);
    }

    @Test
    void should_refuse_foreign_corrupted_and_future_files() throws IOException {
        Parameters p = Parameters.builder().matrix("w", 2, 3).bias("b", 3).build();
        p.values()[4] = 1.5;
        byte[] good = bytes(p);

        byte[] corrupted = good.clone();
        corrupted[corrupted.length - 12] ^= 1; // inside the last value
        assertThatThrownBy(() -> read(corrupted)).isInstanceOf(MaestroException.class).hasMessageContaining("test.bin: parameters checksum");

        byte[] foreign = good.clone();
        foreign[0] = 'X';
        assertThatThrownBy(() -> read(foreign)).isInstanceOf(MaestroException.class).hasMessageContaining("not a parameters file");

        byte[] future = good.clone();
        future[7] = 9;
        assertThatThrownBy(() -> read(future)).isInstanceOf(MaestroException.class).hasMessageContaining("format version 9");
    }

    @Test
    void should_name_views_and_refuse_mismatched_copies() {
        Parameters a = Parameters.builder().matrix("w", 2, 2).build();
        Parameters b = Parameters.builder().matrix("w", 2, 3).build();
        assertThatThrownBy(() -> a.view("nope")).isInstanceOf(MaestroException.class).hasMessageContaining("[w]");
        assertThatThrownBy(() -> a.copyFrom(b)).isInstanceOf(MaestroException.class).hasMessageContaining("w 2x3");
        assertThatThrownBy(() -> Parameters.builder().bias("x", 1).bias("x", 2)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("duplicate");
        Parameters c = a.copy();
        c.values()[0] = 3;
        assertThat(a.values()[0]).isZero();
        long v = a.version();
        a.copyFrom(c);
        assertThat(a.values()[0]).isEqualTo(3);
        assertThat(a.version()).isGreaterThan(v);
    }

    @Test
    void should_take_a_plain_sgd_step() {
        Parameters p = Parameters.builder().bias("b", 2).build();
        p.values()[0] = 1;
        p.gradients()[0] = 2;
        p.gradients()[1] = -4;
        double norm = Sgd.create(0.1).step(p);
        assertThat(norm).isCloseTo(Math.sqrt(20), offset(1e-12));
        assertThat(p.values()).containsExactly(new double[] {0.8, 0.4}, offset(1e-12));
    }

    @Test
    void should_move_each_parameter_by_about_lr_on_the_first_adam_step() {
        // Bias-corrected Adam's first update is lr * g / (|g| + eps): the sign of g times lr.
        Parameters p = Parameters.builder().bias("b", 3).build();
        p.gradients()[0] = 5;
        p.gradients()[1] = -0.001;
        Adam adam = Adam.builder().learningRate(0.01).build();
        adam.step(p);
        assertThat(p.values()[0]).isCloseTo(-0.01, offset(1e-8));
        assertThat(p.values()[1]).isCloseTo(0.01, offset(1e-6));
        assertThat(p.values()[2]).isZero();
    }

    @Test
    void should_clip_the_global_gradient_norm_and_report_it_unclipped() {
        Parameters p = Parameters.builder().bias("b", 2).build();
        p.gradients()[0] = 3;
        p.gradients()[1] = 4;
        double norm = Sgd.create(1.0, 0, 1.0).step(p);
        assertThat(norm).isCloseTo(5, offset(1e-12));
        assertThat(p.values()).containsExactly(new double[] {-0.6, -0.8}, offset(1e-12));
    }

    @Test
    void should_decay_weights_but_not_biases() {
        Parameters p = Parameters.builder().matrix("w", 1, 1).bias("b", 1).build();
        p.values()[0] = 1;
        p.values()[1] = 1;
        Adam adam = Adam.builder().learningRate(0.1).weightDecay(0.5).build();
        adam.step(p); // zero gradients: only decay acts
        assertThat(p.values()[0]).isCloseTo(0.95, offset(1e-12));
        assertThat(p.values()[1]).isEqualTo(1.0);
    }

    @Test
    void should_minimise_a_quadratic_and_resume_from_saved_state_identically() throws IOException {
        // f(w) = Σ (w_i - t_i)^2
        double[] target = {3, -2, 0.5};
        Parameters p = Parameters.builder().bias("w", 3).build();
        Adam adam = Adam.builder().learningRate(0.05).build();
        for (int s = 0; s < 100; s++) {
            quadGrad(p, target);
            adam.step(p);
        }
        // snapshot, then continue two ways
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        adam.writeState(new DataOutputStream(bo));
        Parameters q = p.copy();
        Adam resumed = Adam.builder().learningRate(0.05).build();
        resumed.readState(new DataInputStream(new ByteArrayInputStream(bo.toByteArray())), "adam.bin");
        for (int s = 0; s < 900; s++) {
            quadGrad(p, target);
            adam.step(p);
            quadGrad(q, target);
            resumed.step(q);
        }
        assertThat(p.values()).containsExactly(target, offset(1e-3));
        assertThat(q.values()).containsExactly(p.values());
        assertThat(resumed.steps()).isEqualTo(1000);
    }

    static void quadGrad(Parameters p, double[] t) {
        for (int i = 0; i < t.length; i++) {
            p.gradients()[i] = 2 * (p.values()[i] - t[i]);
        }
    }

    @Test
    void should_refuse_bad_optimizer_settings() {
        assertThatThrownBy(() -> Adam.builder().beta2(1.0).build()).isInstanceOf(MaestroException.class).hasMessageContaining("beta2");
        assertThatThrownBy(() -> Sgd.create(-1)).isInstanceOf(MaestroException.class).hasMessageContaining("learning rate");
    }
}
