package dev.maestro.skill.tool;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Crops every input image to a box, written as a PNG. Under the name {@code zoom} the crop is also enlarged
 * {@link #ZOOM}× (bicubic, capped at {@link ResizeTool#MAX_SIDE} px), so small details become legible to a
 * vision model.
 *
 * <p>Argument syntax: a pixel box {@code "x0,y0,x1,y1"} (x1, y1 exclusive; clipped to the image), the same
 * as fractions of the size when all four numbers are in [0, 1] and one has a decimal point
 * ({@code "0.5,0,1,0.5"}), or a grid cell {@code "r2c3"} (1-based) of a 3×3 grid, or of an R×C grid
 * {@code "r2c3@4x5"}.
 */
final class CropTool extends BaseTool {

    static final double ZOOM = 2.0;

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");
    private static final Pattern BOX = Pattern.compile("\\s*\\(?\\s*(" + NUMBER + ")\\s*,\\s*(" + NUMBER + ")\\s*,\\s*("
            + NUMBER + ")\\s*,\\s*(" + NUMBER + ")\\s*\\)?\\s*");
    private static final Pattern CELL = Pattern.compile("\\s*r(\\d+)\\s*c(\\d+)\\s*(?:@\\s*(\\d+)\\s*x\\s*(\\d+))?\\s*",
            Pattern.CASE_INSENSITIVE);
    private static final int MAX_GRID = 100;
    private static final String SYNTAX = "valid: a pixel box \"x0,y0,x1,y1\", fractions \"0.5,0,1,0.5\", "
            + "or a grid cell \"r2c3\" (3x3 grid) / \"r2c3@4x5\" (4 rows x 5 columns), 1-based";

    private final boolean zoom;

    CropTool(String name) {
        super(name, name.equals("zoom")
                ? "Crops the image to a box or grid cell and enlarges it 2x; argument \"x0,y0,x1,y1\" or \"r2c3[@RxC]\"."
                : "Crops the image to a box or grid cell; argument \"x0,y0,x1,y1\" (pixels or 0..1 fractions) or \"r2c3[@RxC]\".");
        this.zoom = name.equals("zoom");
    }

    @Override
    Outcome execute(ToolInput in) {
        if (in.images().isEmpty()) {
            throw new ToolException("needs at least one image, the task has none");
        }
        List<Path> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Path file : in.images()) {
            BufferedImage img = Pixels.read(file);
            Rectangle r = box(in.argument(), img.getWidth(), img.getHeight());
            BufferedImage crop = Pixels.flatten(img).getSubimage(r.x, r.y, r.width, r.height);
            BufferedImage result = zoom ? ResizeTool.scale(crop, ZOOM) : copy(crop);
            out.add(Pixels.writePng(result, name()));
            text.append(String.format(Locale.ROOT, "%s: box %d,%d,%d,%d of %dx%d -> %dx%d px%n", file.getFileName(),
                    r.x, r.y, r.x + r.width, r.y + r.height, img.getWidth(), img.getHeight(),
                    result.getWidth(), result.getHeight()));
        }
        return Outcome.images(out, text.toString().strip());
    }

    /** The crop rectangle for an argument, clipped to the image; a ToolException if unusable. */
    static Rectangle box(String argument, int w, int h) {
        Matcher cell = CELL.matcher(argument);
        if (cell.matches()) {
            int row = Integer.parseInt(cell.group(1));
            int col = Integer.parseInt(cell.group(2));
            int rows = cell.group(3) == null ? 3 : Integer.parseInt(cell.group(3));
            int cols = cell.group(4) == null ? 3 : Integer.parseInt(cell.group(4));
            if (rows < 1 || cols < 1 || rows > MAX_GRID || cols > MAX_GRID) {
                throw new ToolException("grid " + rows + "x" + cols + " must be between 1x1 and " + MAX_GRID + "x" + MAX_GRID);
            }
            if (row < 1 || row > rows || col < 1 || col > cols) {
                throw new ToolException("cell r" + row + "c" + col + " is outside the " + rows + "x" + cols + " grid (rows 1.."
                        + rows + ", columns 1.." + cols + ")");
            }
            int x0 = (col - 1) * w / cols;
            int x1 = col * w / cols;
            int y0 = (row - 1) * h / rows;
            int y1 = row * h / rows;
            return nonEmpty(x0, y0, x1, y1, w, h, argument);
        }
        Matcher m = BOX.matcher(argument);
        if (!m.matches()) {
            throw new ToolException("cannot read box '" + argument + "'; " + SYNTAX);
        }
        double[] v = new double[4];
        boolean fractional = false;
        boolean unit = true;
        for (int i = 0; i < 4; i++) {
            String s = m.group(i + 1);
            v[i] = Double.parseDouble(s);
            fractional |= s.contains(".");
            unit &= v[i] >= 0 && v[i] <= 1;
        }
        if (fractional && unit) {
            v[0] *= w;
            v[2] *= w;
            v[1] *= h;
            v[3] *= h;
        }
        int x0 = (int) Math.floor(Math.min(v[0], v[2]));
        int x1 = (int) Math.ceil(Math.max(v[0], v[2]));
        int y0 = (int) Math.floor(Math.min(v[1], v[3]));
        int y1 = (int) Math.ceil(Math.max(v[1], v[3]));
        return nonEmpty(x0, y0, x1, y1, w, h, argument);
    }

    private static Rectangle nonEmpty(int x0, int y0, int x1, int y1, int w, int h, String argument) {
        int cx0 = Math.max(0, x0), cy0 = Math.max(0, y0), cx1 = Math.min(w, x1), cy1 = Math.min(h, y1);
        if (cx1 <= cx0 || cy1 <= cy0) {
            throw new ToolException("box '" + argument + "' is empty or outside the " + w + "x" + h + " image");
        }
        return new Rectangle(cx0, cy0, cx1 - cx0, cy1 - cy0);
    }

    private static BufferedImage copy(BufferedImage sub) {
        BufferedImage out = new BufferedImage(sub.getWidth(), sub.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(sub, 0, 0, null);
        return out;
    }
}
