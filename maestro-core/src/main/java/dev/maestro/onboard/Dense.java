package dev.maestro.onboard;

/**
 * Small dense symmetric positive-definite algebra (a few dozen unknowns): Cholesky, solve, inverse. Public for the
 * bench's bound commands, which fit small regularised models with the same Newton steps.
 */
public final class Dense {
    private Dense() {
    }

    /** Lower-triangular L with A = L Lᵀ; a tiny ridge is added to the diagonal if A is not numerically PD. */
    static double[][] cholesky(double[][] a) {
        int n = a.length;
        for (double jitter = 0; ; jitter = jitter == 0 ? 1e-9 : jitter * 100) {
            double[][] l = new double[n][n];
            boolean ok = true;
            for (int i = 0; i < n && ok; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = a[i][j] + (i == j ? jitter : 0);
                    for (int k = 0; k < j; k++) {
                        s -= l[i][k] * l[j][k];
                    }
                    if (i == j) {
                        if (!(s > 0)) {
                            ok = false;
                            break;
                        }
                        l[i][i] = Math.sqrt(s);
                    } else {
                        l[i][j] = s / l[j][j];
                    }
                }
            }
            if (ok) {
                return l;
            }
            if (jitter > 1) {
                throw new IllegalStateException("matrix is not positive definite");
            }
        }
    }

    /** x with A x = b, for a symmetric positive-definite A. */
    public static double[] solve(double[][] a, double[] b) {
        return solveWith(cholesky(a), b);
    }

    static double[] solveWith(double[][] l, double[] b) {
        int n = b.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    static double[][] inverse(double[][] a) {
        double[][] l = cholesky(a);
        int n = a.length;
        double[][] inv = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            double[] col = solveWith(l, e);
            for (int i = 0; i < n; i++) {
                inv[i][j] = col[i];
            }
        }
        return inv;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
}
