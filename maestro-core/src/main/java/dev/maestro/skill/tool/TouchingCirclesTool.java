package dev.maestro.skill.tool;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether two filled circles touch or overlap (BlindTest TouchingCircle).
 *
 * <p>The two circles have different colours. The tool finds the two dominant ink colours, assigns each ink pixel
 * to the nearer one, and fits a circle (least squares, Kåsa) to each colour's pixels that border the white
 * background, so the part hidden under the other circle does not bias the fit. The signed gap is
 * {@code |c1 - c2| - r1 - r2}. The question decides the rule: "touching" is Yes when the gap is at most
 * a small tolerance; "overlapping" is Yes only when the circles clearly cut into each other,
 * so tangent circles touch but do not overlap.
 */
final class TouchingCirclesTool extends BaseTool {

    /**
     * Gaps up to max(this many pixels, {@link #TOUCH_REL} × mean radius) count as touching: anti-aliasing makes a
     * tangent pair's measured gap about +0.5 px, while the closest separate pairs are ≥ 0.11 radii apart.
     */
    static final double TOUCH_PX = 1.5;
    static final double TOUCH_REL = 0.06;
    /** Overlap needs a gap below −max(this many pixels, {@link #OVERLAP_REL} × mean radius). */
    static final double OVERLAP_PX = 1.0;
    static final double OVERLAP_REL = 0.04;

    TouchingCirclesTool() {
        super("touching-circles", "Tells whether the two circles touch or overlap (Yes/No), per the question's wording "
                + "(argument or question containing 'touching' or 'overlapping').");
    }

    @Override
    Outcome execute(ToolInput in) {
        boolean overlapping = wantsOverlap(in.argumentOrQuestion());
        Pixels p = Pixels.load(oneImage(in));
        int n = p.width * p.height;
        // Strong colours only: anti-aliased edge pixels are mixtures with white and would blur the two modes.
        Map<Integer, Integer> histogram = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (strong(p, i)) {
                histogram.merge(p.rgb[i] & 0xF0F0F0, 1, Integer::sum);
            }
        }
        int c1 = -1;
        int best = 0;
        for (var e : histogram.entrySet()) {
            if (e.getValue() > best || (e.getValue() == best && e.getKey() < c1)) {
                best = e.getValue();
                c1 = e.getKey();
            }
        }
        int c2 = -1;
        best = 0;
        for (var e : histogram.entrySet()) {
            if (dist2(e.getKey(), c1) > 60 * 60 && (e.getValue() > best || (e.getValue() == best && e.getKey() < c2))) {
                best = e.getValue();
                c2 = e.getKey();
            }
        }
        if (c1 < 0 || c2 < 0) {
            throw new ToolException("needs two circles of different colours; found " + (c1 < 0 ? 0 : 1) + " ink colour");
        }
        byte[] label = new byte[n];
        for (int i = 0; i < n; i++) {
            if (p.ink(i)) {
                label[i] = (byte) (mixResidual(p.rgb[i], c1) <= mixResidual(p.rgb[i], c2) ? 1 : 2);
            }
        }
        CircleFit f1 = new CircleFit();
        CircleFit f2 = new CircleFit();
        for (int y = 0; y < p.height; y++) {
            for (int x = 0; x < p.width; x++) {
                int i = y * p.width + x;
                if (label[i] != 0 && bordersBackground(label, p.width, p.height, x, y)) {
                    (label[i] == 1 ? f1 : f2).add(x, y);
                }
            }
        }
        double[] a = f1.solve();
        double[] b = f2.solve();
        if (a == null || b == null) {
            throw new ToolException("could not fit two circles (too few edge pixels)");
        }
        double gap = Math.hypot(a[0] - b[0], a[1] - b[1]) - a[2] - b[2];
        double meanR = (a[2] + b[2]) / 2;
        double touchLimit = Math.max(TOUCH_PX, TOUCH_REL * meanR);
        double overlapLimit = -Math.max(OVERLAP_PX, OVERLAP_REL * meanR);
        boolean yes = overlapping ? gap < overlapLimit : gap <= touchLimit;
        String answer = yes ? "Yes" : "No";
        String text = String.format(Locale.ROOT,
                "circles at (%.1f, %.1f) r=%.1f and (%.1f, %.1f) r=%.1f; edge gap %.2f px (%s); %s: %s",
                a[0], a[1], a[2], b[0], b[1], b[2], gap, gap < overlapLimit ? "overlap" : gap <= touchLimit ? "tangent" : "apart",
                overlapping ? "overlapping" : "touching", answer);
        return Outcome.answer(answer, text);
    }

    static boolean wantsOverlap(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return t.contains("overlap") || t.contains("prompt-2");
    }

    private static boolean strong(Pixels p, int i) {
        int r = p.r(i), g = p.g(i), b = p.b(i);
        int max = Math.max(r, Math.max(g, b));
        int min = Math.min(r, Math.min(g, b));
        return max - min > 120 || max < 120;
    }

    private static int dist2(int c, int d) {
        int dr = ((c >> 16) & 0xff) - ((d >> 16) & 0xff);
        int dg = ((c >> 8) & 0xff) - ((d >> 8) & 0xff);
        int db = (c & 0xff) - (d & 0xff);
        return dr * dr + dg * dg + db * db;
    }

    /**
     * How far a pixel is from any blend of colour {@code c} with white: anti-aliased edge pixels are such
     * blends, and a plain RGB distance would give very light pixels of one circle to the other colour.
     */
    static double mixResidual(int pixel, int c) {
        double vr = 255 - ((pixel >> 16) & 0xff), vg = 255 - ((pixel >> 8) & 0xff), vb = 255 - (pixel & 0xff);
        double ur = 255 - ((c >> 16) & 0xff), ug = 255 - ((c >> 8) & 0xff), ub = 255 - (c & 0xff);
        double uu = ur * ur + ug * ug + ub * ub;
        double a = uu == 0 ? 0 : Math.max(0, (vr * ur + vg * ug + vb * ub) / uu);
        double dr = vr - a * ur, dg = vg - a * ug, db = vb - a * ub;
        return dr * dr + dg * dg + db * db;
    }

    private static boolean bordersBackground(byte[] label, int w, int h, int x, int y) {
        return bg(label, w, h, x - 1, y) || bg(label, w, h, x + 1, y) || bg(label, w, h, x, y - 1) || bg(label, w, h, x, y + 1);
    }

    private static boolean bg(byte[] label, int w, int h, int x, int y) {
        return x >= 0 && y >= 0 && x < w && y < h && label[y * w + x] == 0;
    }

    /** Kåsa least-squares circle fit: minimises Σ(x²+y²+Dx+Ey+F)². */
    static final class CircleFit {
        private double n, sx, sy, sxx, syy, sxy, sxz, syz, sz;

        void add(double x, double y) {
            double z = x * x + y * y;
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
            sxz += x * z;
            syz += y * z;
            sz += z;
        }

        /** {cx, cy, r}, or null with fewer than 8 points or a degenerate system. */
        double[] solve() {
            if (n < 8) {
                return null;
            }
            // Normal equations for D, E, F.
            double[][] m = {{sxx, sxy, sx, -sxz}, {sxy, syy, sy, -syz}, {sx, sy, n, -sz}};
            for (int c = 0; c < 3; c++) {
                int piv = c;
                for (int r = c + 1; r < 3; r++) {
                    if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) {
                        piv = r;
                    }
                }
                double[] t = m[c];
                m[c] = m[piv];
                m[piv] = t;
                if (Math.abs(m[c][c]) < 1e-9) {
                    return null;
                }
                for (int r = 0; r < 3; r++) {
                    if (r != c) {
                        double f = m[r][c] / m[c][c];
                        for (int k = c; k < 4; k++) {
                            m[r][k] -= f * m[c][k];
                        }
                    }
                }
            }
            double d = m[0][3] / m[0][0];
            double e = m[1][3] / m[1][1];
            double f = m[2][3] / m[2][2];
            double cx = -d / 2;
            double cy = -e / 2;
            double rr = cx * cx + cy * cy - f;
            return rr <= 0 ? null : new double[]{cx, cy, Math.sqrt(rr)};
        }
    }
}
