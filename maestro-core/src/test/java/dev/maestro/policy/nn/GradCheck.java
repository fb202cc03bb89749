package dev.maestro.policy.nn;

import java.util.function.DoubleSupplier;

/** Central finite differences and the relative-error measure used by the gradient tests. */
final class GradCheck {
    static final double H = 1e-5;
    /** Below this magnitude a gradient is compared absolutely (relative error of noise is meaningless). */
    static final double FLOOR = 1e-4;

    private GradCheck() {
    }

    /** (f(x+h) − f(x−h)) / 2h for x = values[i]; restores values[i]. */
    static double numeric(double[] values, int i, Runnable changed, DoubleSupplier f) {
        double old = values[i];
        values[i] = old + H;
        changed.run();
        double plus = f.getAsDouble();
        values[i] = old - H;
        changed.run();
        double minus = f.getAsDouble();
        values[i] = old;
        changed.run();
        return (plus - minus) / (2 * H);
    }

    static double relativeError(double analytic, double numeric) {
        return Math.abs(analytic - numeric) / Math.max(FLOOR, Math.max(Math.abs(analytic), Math.abs(numeric)));
    }
}
