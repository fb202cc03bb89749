package dev.maestro.policy.nn;

/** Hidden-unit nonlinearity. Derivatives are taken from the OUTPUT, so backward needs no pre-activations. */
public enum Activation {
    TANH {
        @Override
        public double apply(double x) {
            return tanh(x);
        }

        @Override
        public double derivativeFromOutput(double y) {
            return 1.0 - y * y;
        }
    },
    RELU {
        @Override
        public double apply(double x) {
            return x > 0 ? x : 0.0;
        }

        @Override
        public double derivativeFromOutput(double y) {
            return y > 0 ? 1.0 : 0.0;
        }
    };

    public abstract double apply(double x);

    /**
     * tanh as a rational function of x (odd polynomial of degree 13 over an even one of degree 6, the coefficients of
     * Eigen's fast tanh), x clamped to ±7.905 where tanh is 1 to within the approximation's error: absolute error
     * below 3e-7 everywhere. It replaced tanh through {@link Math#exp} (itself replacing the non-intrinsic
     * {@link Math#tanh}, ~40 ns) because a loop of multiplies, adds, one divide and a clamp is vectorised by C2,
     * where a call to exp per unit is not: the 96 tanh per candidate were about half of a decision's time.
     * Training and deciding use the same function, and backward takes the derivative as 1 − y², off by at most
     * ~1e-6 from the approximation's own derivative.
     */
    public static double tanh(double x) {
        double c = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, x));
        double x2 = c * c;
        double p = -2.76076847742355e-16;
        p = p * x2 + 2.00018790482477e-13;
        p = p * x2 - 8.60467152213735e-11;
        p = p * x2 + 5.12229709037114e-08;
        p = p * x2 + 1.48572235717979e-05;
        p = p * x2 + 6.37261928875436e-04;
        p = p * x2 + 4.89352455891786e-03;
        double q = 1.19825839466702e-06;
        q = q * x2 + 1.18534705686654e-04;
        q = q * x2 + 2.26843463243900e-03;
        q = q * x2 + 4.89352518554385e-03;
        return c * p / q;
    }

    /** tanh of every element of {@code a[0..n)}, in place: the loop C2 vectorises (see {@link #tanh}). */
    public static void tanh(double[] a, int n) {
        for (int h = 0; h < n; h++) {
            a[h] = tanh(a[h]); // inlined by C2, so the loop still vectorises
        }
    }

    private static final double TANH_CLAMP = 7.90531110763549805;

    public abstract double derivativeFromOutput(double y);
}
