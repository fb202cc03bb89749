package dev.maestro.eval;

import java.util.Arrays;

/** Small statistics helpers used by reports. */
public final class Stats {
    private Stats() {
    }

    /** Wilson score interval at 95% for k successes out of n (well-behaved near 0 and 1). */
    public static double[] wilson95(double k, int n) {
        if (n == 0) {
            return new double[] {0, 0};
        }
        double z = 1.959963984540054;
        double p = k / n;
        double denom = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * 95% interval of a paired difference of means (a − b over the same tasks), normal approximation:
     * the right tool for "learned vs best-single on the same held-out tasks".
     */
    public static double[] pairedDiff95(double[] a, double[] b) {
        int n = a.length;
        if (n == 0) {
            return new double[] {0, 0, 0};
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += a[i] - b[i];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double d = a[i] - b[i] - mean;
            var += d * d;
        }
        var = n > 1 ? var / (n - 1) : 0;
        double half = 1.959963984540054 * Math.sqrt(var / n);
        return new double[] {mean, mean - half, mean + half};
    }

    /**
     * Mean of a small sample with its 95% interval, Student t with n − 1 degrees of freedom (for a few repeated
     * draws, where the normal's 1.96 would be too narrow: 2.78 at n = 5); {mean, NaN, NaN} below two values.
     */
    public static double[] mean95(double[] x) {
        int n = x.length;
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        double mean = Arrays.stream(x).average().orElse(Double.NaN);
        if (n < 2) {
            return new double[] {mean, Double.NaN, Double.NaN};
        }
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        double half = t975(n - 1) * Math.sqrt(var / (n - 1) / n);
        return new double[] {mean, mean - half, mean + half};
    }

    /** Two-sided 95% critical values of Student's t for 1..30 degrees of freedom (standard tables). */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
        2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
        2.048, 2.045, 2.042};

    /**
     * Student t's 0.975 quantile: the table up to 30 degrees of freedom, then the first two terms of its expansion
     * around the normal's, z + (z³ + z) / (4 df) + (5z⁵ + 16z³ + 3z) / (96 df²) (2.0394 at 31 against 2.0395).
     */
    static double t975(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + df);
        }
        if (df <= T975.length) {
            return T975[df - 1];
        }
        double z = 1.959963984540054;
        double z3 = z * z * z;
        return z + (z3 + z) / (4.0 * df) + (5 * z3 * z * z + 16 * z3 + 3 * z) / (96.0 * df * df);
    }

    public static double percentile(double[] values, double q) {
        if (values.length == 0) {
            return 0;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }

    public static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
