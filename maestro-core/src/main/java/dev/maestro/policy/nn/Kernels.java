package dev.maestro.policy.nn;

import java.util.Arrays;

/** The dense loops of {@link Mlp}'s forward and backward passes, written so that C2 vectorises or pipelines them. */
final class Kernels {
    private Kernels() {
    }

    static double[][] rowsOf(double[] v, int offset, int rows, int columns) {
        double[][] out = new double[rows][];
        for (int j = 0; j < rows; j++) {
            out[j] = Arrays.copyOfRange(v, offset + j * columns, offset + (j + 1) * columns);
        }
        return out;
    }

    /**
     * out[0..n) += Σ_j in[io+j] · w[j][0..n): the same four-rows-per-pass order as the flat
     * {@link #axpyRows(double[], int, double[], int, int, int, double[], int)}, over row arrays indexed from 0
     * so that C2 vectorises the inner loop (inputs are read as scalars, so their offset does not matter).
     */
    static void axpyRows(double[][] w, double[] in, int io, int m, double[] out, int n) {
        int j = 0;
        for (; j + 3 < m; j += 4) {
            double x0 = in[io + j];
            double x1 = in[io + j + 1];
            double x2 = in[io + j + 2];
            double x3 = in[io + j + 3];
            if (x0 == 0.0 && x1 == 0.0 && x2 == 0.0 && x3 == 0.0) {
                continue;
            }
            double[] w0 = w[j];
            double[] w1 = w[j + 1];
            double[] w2 = w[j + 2];
            double[] w3 = w[j + 3];
            for (int h = 0; h < n; h++) {
                out[h] += x0 * w0[h] + x1 * w1[h] + x2 * w2[h] + x3 * w3[h];
            }
        }
        for (; j < m; j++) {
            double xj = in[io + j];
            if (xj == 0.0) {
                continue;
            }
            double[] wj = w[j];
            for (int h = 0; h < n; h++) {
                out[h] += xj * wj[h];
            }
        }
    }

    /**
     * out[oo..oo+n) += Σ_j in[io+j] · W[j][0..n), W row-major at {@code w[wo..]} with n columns.
     * Four input rows per pass: the output row is loaded and stored once per four rows instead of once
     * per row, which measured ~2× faster than the one-row axpy on this machine (the loop is memory-op
     * bound, not multiply bound). Zero inputs are skipped only in the one-row tail.
     */
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
            int r1 = r0 + n;
            int r2 = r1 + n;
            int r3 = r2 + n;
            for (int h = 0; h < n; h++) {
                out[oo + h] += x0 * w[r0 + h] + x1 * w[r1 + h] + x2 * w[r2 + h] + x3 * w[r3 + h];
            }
        }
        for (; j < m; j++) {
            double xj = in[io + j];
            if (xj == 0.0) {
                continue;
            }
            int r = wo + j * n;
            for (int h = 0; h < n; h++) {
                out[oo + h] += xj * w[r + h];
            }
        }
    }

    /** Dot product with four accumulators (breaks the add-latency chain; C2 does not vectorise FP reductions). */
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
