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
