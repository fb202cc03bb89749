package dev.maestro.skill.tool;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scales every input image so its longer side is the argument's number of pixels (default
 * {@link #DEFAULT_SIDE}, allowed {@link #MIN_SIDE}..{@link #MAX_SIDE}), keeping the aspect ratio; bicubic.
 */
final class ResizeTool extends BaseTool {

    static final int DEFAULT_SIDE = 1024;
    static final int MIN_SIDE = 8;
    static final int MAX_SIDE = 4096;

    ResizeTool() {
        super("resize", "Scales the image so its longer side is N pixels (argument N, default 1024, 8..4096).");
    }

    @Override
    Outcome execute(ToolInput in) {
        if (in.images().isEmpty()) {
            throw new ToolException("needs at least one image, the task has none");
        }
        int side = side(in.argument());
        List<Path> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Path file : in.images()) {
            BufferedImage img = Pixels.read(file);
            double factor = (double) side / Math.max(img.getWidth(), img.getHeight());
            BufferedImage result = scale(Pixels.flatten(img), factor);
            out.add(Pixels.writePng(result, name()));
            text.append(String.format(Locale.ROOT, "%s: %dx%d -> %dx%d px%n", file.getFileName(), img.getWidth(),
                    img.getHeight(), result.getWidth(), result.getHeight()));
        }
        return Outcome.images(out, text.toString().strip());
    }

    static int side(String argument) {
        String a = argument.strip();
        if (a.isEmpty()) {
            return DEFAULT_SIDE;
        }
        int side;
        try {
            side = Integer.parseInt(a);
        } catch (NumberFormatException e) {
            throw new ToolException("argument '" + a + "' is not a whole number of pixels; give the longer side, e.g. 1024");
        }
        if (side < MIN_SIDE || side > MAX_SIDE) {
            throw new ToolException("longer side " + side + " px is outside " + MIN_SIDE + ".." + MAX_SIDE);
        }
        return side;
    }

    /** Scales by a factor, capping the longer side at {@link #MAX_SIDE} and each side at ≥ 1 px. */
    static BufferedImage scale(BufferedImage img, double factor) {
        double f = Math.min(factor, (double) MAX_SIDE / Math.max(img.getWidth(), img.getHeight()));
        int w = Math.max(1, (int) Math.round(img.getWidth() * f));
        int h = Math.max(1, (int) Math.round(img.getHeight() * f));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(img, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
