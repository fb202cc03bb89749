package dev.maestro.policy.nn;

import dev.maestro.MaestroException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Adam (Kingma &amp; Ba) with bias correction, optional global-norm gradient clipping and optional
 * decoupled weight decay (AdamW: {@code w -= lr·λ·w}, applied only to views marked
 * {@link Parameters.View#decayed()}, i.e. weights, not biases).
 *
 * <p>The moments are sized on the first step; one Adam serves one {@link Parameters} layout.
 */
public final class Adam implements Optimizer {
    private static final int STATE_MAGIC = 0x4D41444D; // "MADM"
    private static final int STATE_VERSION = 1;

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double clipNorm;
    private final double weightDecay;
    private double[] m;
    private double[] v;
    private boolean[] decayMask;
    private long steps;

    private Adam(Builder b) {
        this.learningRate = b.learningRate;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.clipNorm = b.clipNorm;
        this.weightDecay = b.weightDecay;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public double step(Parameters p) {
        double[] g = p.gradients();
        double[] w = p.values();
        if (m == null) {
            m = new double[w.length];
            v = new double[w.length];
        } else if (m.length != w.length) {
            throw new MaestroException("this Adam was used with " + m.length + " parameters, now given " + w.length);
        }
        if (decayMask == null) {
            decayMask = new boolean[w.length];
            for (Parameters.View view : p.views()) {
                if (view.decayed()) {
                    for (int i = 0; i < view.size(); i++) {
                        decayMask[view.offset() + i] = true;
                    }
                }
            }
        }
        double norm = Optimizer.clipGlobalNorm(g, clipNorm);
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        double stepSize = learningRate / bc1;
        double decay = learningRate * weightDecay;
        for (int i = 0; i < w.length; i++) {
            double gi = g[i];
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            double update = stepSize * m[i] / (Math.sqrt(v[i] / bc2) + epsilon);
            if (decay > 0 && decayMask[i]) {
                w[i] -= decay * w[i];
            }
            w[i] -= update;
        }
        p.markChanged();
        return norm;
    }

    @Override
    public long steps() {
        return steps;
    }

    public double learningRate() {
        return learningRate;
    }

    /** Writes the moments and step count, so training can resume exactly. */
    public void writeState(DataOutputStream out) throws IOException {
        out.writeInt(STATE_MAGIC);
        out.writeInt(STATE_VERSION);
        out.writeLong(steps);
        int n = m == null ? 0 : m.length;
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeDouble(m[i]);
            out.writeDouble(v[i]);
        }
    }

    /** Restores what {@link #writeState} wrote; {@code source} names the origin in error messages. */
    public void readState(DataInputStream in, String source) throws IOException {
        int magic = in.readInt();
        if (magic != STATE_MAGIC) {
            throw new MaestroException(source + ": not an Adam state (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new MaestroException(source + ": Adam state version " + version + " not supported (supported: " + STATE_VERSION + ")");
        }
        long s = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new MaestroException(source + ": negative Adam state size " + n);
        }
        // two doubles per value: a forged size must not allocate beyond the bytes that are there
        // (state is read from a byte array, so available() is what remains)
        if (16L * n > in.available()) {
            throw new MaestroException(source + ": Adam state claims " + n + " values but only " + in.available()
                    + " bytes remain (truncated or corrupted)");
        }
        double[] mm = new double[n];
        double[] vv = new double[n];
        for (int i = 0; i < n; i++) {
            mm[i] = in.readDouble();
            vv[i] = in.readDouble();
        }
        steps = s;
        m = n == 0 ? null : mm;
        v = n == 0 ? null : vv;
    }

    /** Adam settings; defaults lr 3e-4, β1 0.9, β2 0.999, ε 1e-8, no clipping, no weight decay. */
    public static final class Builder {
        private double learningRate = 3e-4;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double clipNorm;
        private double weightDecay;

        private Builder() {
        }

        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        public Builder beta1(double b) {
            this.beta1 = b;
            return this;
        }

        public Builder beta2(double b) {
            this.beta2 = b;
            return this;
        }

        public Builder epsilon(double e) {
            this.epsilon = e;
            return this;
        }

        /** Maximum global gradient norm; 0 (default) disables clipping. */
        public Builder clipNorm(double n) {
            this.clipNorm = n;
            return this;
        }

        /** Decoupled weight decay λ (AdamW); 0 (default) disables it. */
        public Builder weightDecay(double wd) {
            this.weightDecay = wd;
            return this;
        }

        public Adam build() {
            check("learning rate", learningRate, learningRate > 0);
            check("beta1", beta1, beta1 >= 0 && beta1 < 1);
            check("beta2", beta2, beta2 >= 0 && beta2 < 1);
            check("epsilon", epsilon, epsilon > 0);
            check("clip norm", clipNorm, clipNorm >= 0);
            check("weight decay", weightDecay, weightDecay >= 0);
            return new Adam(this);
        }

        private static void check(String name, double value, boolean ok) {
            if (!ok || !Double.isFinite(value)) {
                throw new MaestroException("Adam " + name + " out of range: " + value);
            }
        }
    }
}
