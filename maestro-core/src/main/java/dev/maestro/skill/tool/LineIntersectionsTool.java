package dev.maestro.skill.tool;

/**
 * Counts intersections of a blue and a red line (BlindTest LineIntersection).
 *
 * <p>Both lines are piecewise-linear graphs over x. For every pixel column the tool takes the mean height of
 * the blue and of the red pixels and follows the sign of their difference; each sign change (with a
 * hysteresis of {@link #HYSTERESIS} pixels, so the anti-aliased crossing point itself does not flicker)
 * is one intersection.
 */
final class LineIntersectionsTool extends BaseTool {

    private static final double HYSTERESIS = 2.0;

    LineIntersectionsTool() {
        super("line-intersections", "Counts the points where the blue and the red line cross; answer is the number. No argument.");
    }

    @Override
    Outcome execute(ToolInput in) {
        Pixels p = Pixels.load(oneImage(in));
        double[] blue = new double[p.width];
        double[] red = new double[p.width];
        int blueColumns = 0;
        int redColumns = 0;
        for (int x = 0; x < p.width; x++) {
            double sb = 0, sr = 0;
            int nb = 0, nr = 0;
            for (int y = 0; y < p.height; y++) {
                int i = y * p.width + x;
                int r = p.r(i), g = p.g(i), b = p.b(i);
                if (b > 150 && r < 110 && g < 110) {
                    sb += y;
                    nb++;
                } else if (r > 150 && g < 110 && b < 110) {
                    sr += y;
                    nr++;
                }
            }
            blue[x] = nb > 0 ? sb / nb : Double.NaN;
            red[x] = nr > 0 ? sr / nr : Double.NaN;
            blueColumns += nb > 0 ? 1 : 0;
            redColumns += nr > 0 ? 1 : 0;
        }
        if (blueColumns == 0 || redColumns == 0) {
            throw new ToolException("needs a blue and a red line; found blue in " + blueColumns
                    + " and red in " + redColumns + " pixel columns");
        }
        int sign = 0;
        int crossings = 0;
        for (int x = 0; x < p.width; x++) {
            if (Double.isNaN(blue[x]) || Double.isNaN(red[x])) {
                continue;
            }
            double d = blue[x] - red[x];
            int s = d > HYSTERESIS ? 1 : d < -HYSTERESIS ? -1 : 0;
            if (s != 0) {
                if (sign != 0 && s != sign) {
                    crossings++;
                }
                sign = s;
            }
        }
        return Outcome.answer(Integer.toString(crossings), crossings + " intersection(s) of the blue and red lines");
    }
}
