package dev.maestro.eval;

import java.util.List;
import java.util.Map;

/**
 * A report section that {@code report.html} also draws as a line plot: each curve is a name and its values at
 * x = 1, 2, … (or at {@link #xValues()}); {@link #x()} names what x counts. Section records implement it to be drawn;
 * {@link #of} is a section of curves alone.
 */
public interface CurveSection {
    /** What x counts (e.g. {@code step}). */
    String x();

    /** Name → values at x = 1, 2, …, in drawing order. */
    Map<String, List<Double>> curves();

    /**
     * Where the values lie on the x axis when they are not at 1, 2, … (e.g. probes per pair: 0, 10, 30, 100), one
     * per value; empty for 1, 2, …. Drawn only: the section's JSON is its record components.
     */
    default List<Double> xValues() {
        return List.of();
    }

    /** The y axis title of the plot. */
    default String yTitle() {
        return "value";
    }

    static CurveSection of(String x, Map<String, List<Double>> curves) {
        return new Curves(x, curves);
    }

    /** A section of curves alone, written as {@code {"x": …, "curves": {…}}}. */
    record Curves(String x, Map<String, List<Double>> curves) implements CurveSection {
    }
}
