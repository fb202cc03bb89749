package dev.maestro.policy.nn;

import java.util.SplittableRandom;

/**
 * Seeded weight initialisation. Uses only {@link SplittableRandom#nextDouble()} plus our own
 * Box–Muller, so the same seed gives bit-identical parameters on any JVM (library Gaussian
 * samplers have changed algorithm between JDK releases).
 */
public enum Init {
    /** Glorot/Xavier uniform: U(−a, a), a = √(6 / (fanIn + fanOut)); suits tanh. */
    XAVIER,
    /** He/Kaiming normal: N(0, 2 / fanIn); suits ReLU. */
    HE;

    /** The natural choice for an activation. */
    public static Init forActivation(Activation a) {
        return a == Activation.RELU ? HE : XAVIER;
    }

    /** Fills {@code values[offset .. offset+count)} for a layer with the given fans. */
    public void fill(double[] values, int offset, int count, int fanIn, int fanOut, SplittableRandom rng) {
        switch (this) {
            case XAVIER -> {
                double a = Math.sqrt(6.0 / Math.max(1, fanIn + fanOut));
                for (int i = 0; i < count; i++) {
                    values[offset + i] = (2 * rng.nextDouble() - 1) * a;
                }
            }
            case HE -> {
                double sd = Math.sqrt(2.0 / Math.max(1, fanIn));
                for (int i = 0; i < count; i++) {
                    values[offset + i] = gaussian(rng) * sd;
                }
            }
        }
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        // 1 - u1 is in (0, 1], so the log is finite.
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
