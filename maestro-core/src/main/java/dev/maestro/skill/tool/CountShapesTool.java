package dev.maestro.skill.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Counts outlined circles or pentagons laid out like the Olympic rings (BlindTest CountingCircles).
 *
 * <p>The shapes have one size and alternate between an upper and a lower row; they may overlap or stand apart.
 * Every upper-row shape is a hill of the image's top ink envelope (highest ink pixel per column) that reaches
 * the top of the ink; every lower-row shape is a hill of the bottom envelope that reaches the bottom. Hills are
 * found with hysteresis ({@link #PROMINENCE} of the ink height), which ignores anti-aliasing steps and
 * pentagons' flat edges. When both rows sit at nearly the same height a shape shows up in both lists, so a
 * top and a bottom hill at the same x are counted once.
 */
final class CountShapesTool extends BaseTool {

    private static final double PROMINENCE = 0.12;
    /** A hill "reaches" the top (bottom) of the ink when its peak is within this share of the ink height. */
    private static final double ROW_TOLERANCE = 0.08;

    CountShapesTool() {
        super("count-circles", "Counts outlined circles or pentagons in an Olympic-rings-like arrangement; "
                + "answer is the number. Argument or question names the shape (circles|pentagons).");
    }

    /** A hill of an envelope: its peak height and the x range where it stays within 1 px of the peak. */
    record Hill(double peak, int from, int to) {
        double center() {
            return (from + to) / 2.0;
        }
    }

    @Override
    Outcome execute(ToolInput in) {
        String shape = in.argumentOrQuestion().toLowerCase(Locale.ROOT).contains("pentagon") ? "pentagons" : "circles";
        Pixels p = Pixels.load(oneImage(in));
        double[] top = new double[p.width];
        double[] bottom = new double[p.width];
        int minY = Integer.MAX_VALUE, maxY = -1;
        for (int x = 0; x < p.width; x++) {
            int first = -1, last = -1;
            for (int y = 0; y < p.height; y++) {
                if (faintInk(p, y * p.width + x)) {
                    if (first < 0) {
                        first = y;
                    }
                    last = y;
                }
            }
            // Heights, larger = further out; columns without ink are "empty" (NaN).
            top[x] = first < 0 ? Double.NaN : -first;
            bottom[x] = last < 0 ? Double.NaN : last;
            if (first >= 0) {
                minY = Math.min(minY, first);
                maxY = Math.max(maxY, last);
            }
        }
        if (maxY < 0) {
            throw new ToolException("the image has no ink; nothing to count");
        }
        double topY = -minY;
        double bottomY = maxY;
        double inkHeight = maxY - minY + 1;
        double delta = Math.max(2.0, PROMINENCE * inkHeight);
        double tol = Math.max(2.0, ROW_TOLERANCE * inkHeight);
        List<Hill> upper = hills(top, delta).stream().filter(h -> h.peak() >= topY - tol).toList();
        List<Hill> lower = hills(bottom, delta).stream().filter(h -> h.peak() >= bottomY - tol).toList();
        double sameX = 0.15 * inkHeight;
        int both = 0;
        for (Hill l : lower) {
            if (upper.stream().anyMatch(u -> Math.abs(u.center() - l.center()) <= sameX)) {
                both++;
            }
        }
        int count = upper.size() + lower.size() - both;
        return Outcome.answer(Integer.toString(count), String.format(Locale.ROOT,
                "%d %s (%d reach the top of the drawing, %d the bottom, %d both)", count, shape, upper.size(),
                lower.size(), both));
    }

    /** Thin coloured outlines on small images are faint after anti-aliasing: anything not near-white is ink. */
    private static boolean faintInk(Pixels p, int i) {
        return Math.min(p.r(i), Math.min(p.g(i), p.b(i))) < 235;
    }

    /** Hills that rise and fall by at least {@code delta}; columns without ink end a hill. */
    static List<Hill> hills(double[] h, double delta) {
        List<Hill> out = new ArrayList<>();
        boolean started = false;
        boolean rising = true;
        double extreme = 0; // running max while rising, running min while falling
        int from = 0, to = 0;
        for (int x = 0; x <= h.length; x++) {
            double v = x < h.length ? h[x] : Double.NaN;
            if (Double.isNaN(v)) {
                if (started && rising) {
                    out.add(new Hill(extreme, from, to));
                }
                started = false;
                continue;
            }
            if (!started) {
                started = true;
                rising = true;
                extreme = v;
                from = to = x;
                continue;
            }
            if (rising) {
                if (v > extreme + 1) {
                    extreme = v;
                    from = to = x;
                } else if (v >= extreme - 1) {
                    extreme = Math.max(extreme, v);
                    to = x;
                } else if (v < extreme - delta) {
                    out.add(new Hill(extreme, from, to));
                    rising = false;
                    extreme = v;
                }
            } else if (v < extreme) {
                extreme = v;
            } else if (v > extreme + delta) {
                rising = true;
                extreme = v;
                from = to = x;
            }
        }
        return out;
    }
}
