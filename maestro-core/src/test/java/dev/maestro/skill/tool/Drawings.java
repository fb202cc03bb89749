package dev.maestro.skill.tool;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/** Java2D puzzle images for tests, drawn independently of the shipped data (anti-aliased, white background). */
final class Drawings {

    private Drawings() {
    }

    static Path png(Path dir, String name, int w, int h, Consumer<Graphics2D> painter) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            painter.accept(g);
        } finally {
            g.dispose();
        }
        Path file = dir.resolve(name + ".png");
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Path text(Path dir, String text) {
        return png(dir, "text", 900, 160, g -> {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 56));
            g.drawString(text, 30, 100);
        });
    }

    /** A ruled table of rows x cols cells, optionally with a word in each cell. */
    static Path grid(Path dir, int rows, int cols, int size, int lineWidth, boolean words) {
        return png(dir, "grid", size, size, g -> {
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(lineWidth));
            int m = lineWidth / 2;
            for (int r = 0; r <= rows; r++) {
                int y = m + r * (size - 2 * m) / rows;
                g.drawLine(0, y, size, y);
            }
            for (int c = 0; c <= cols; c++) {
                int x = m + c * (size - 2 * m) / cols;
                g.drawLine(x, 0, x, size);
            }
            if (words) {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size / (3 * Math.max(rows, cols))));
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        g.drawString("w" + r + c, c * size / cols + size / (4 * cols), r * size / rows + size / (2 * rows));
                    }
                }
            }
        });
    }

    /** n squares, each strictly inside the previous one, with the given gap between outlines. */
    static Path nestedSquares(Path dir, int n, int thickness, int gap) {
        return png(dir, "nested", 1000, 1000, g -> {
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(thickness));
            int x = 100, y = 120, side = 700;
            for (int i = 0; i < n; i++) {
                g.drawRect(x, y, side, side);
                x += gap + i * 3;
                y += gap;
                side -= 2 * gap + i * 3;
            }
        });
    }

    /** Two filled circles of radius r whose edges are {@code gap} pixels apart (negative: overlap). */
    static Path twoCircles(Path dir, int size, double r, double gap, double angle) {
        return png(dir, "circles", size, size, g -> {
            double d = 2 * r + gap;
            double cx1 = size / 2.0 - Math.cos(angle) * d / 2, cy1 = size / 2.0 - Math.sin(angle) * d / 2;
            double cx2 = size / 2.0 + Math.cos(angle) * d / 2, cy2 = size / 2.0 + Math.sin(angle) * d / 2;
            g.setColor(new Color(0, 119, 255));
            g.fill(new Ellipse2D.Double(cx1 - r, cy1 - r, 2 * r, 2 * r));
            g.setColor(new Color(230, 0, 255));
            g.fill(new Ellipse2D.Double(cx2 - r, cy2 - r, 2 * r, 2 * r));
        });
    }

    /** n outlined circles (or pentagons) alternating between an upper and a lower row, like the Olympic rings. */
    static Path olympic(Path dir, int n, double r, double spacing, boolean pentagons, boolean colored) {
        Color[] palette = {Color.BLUE, Color.ORANGE, Color.BLACK, new Color(0, 150, 0), Color.RED, Color.MAGENTA};
        int size = 900;
        return png(dir, "olympic", size, size, g -> {
            g.setStroke(new BasicStroke(2f));
            double x0 = size / 2.0 - (n - 1) * spacing / 2;
            for (int i = 0; i < n; i++) {
                double cx = x0 + i * spacing;
                double cy = size / 2.0 + (i % 2 == 0 ? 0 : r);
                g.setColor(colored ? palette[i % palette.length] : Color.BLACK);
                if (pentagons) {
                    Path2D.Double p = new Path2D.Double();
                    for (int k = 0; k < 5; k++) {
                        double a = -Math.PI / 2 + k * 2 * Math.PI / 5;
                        if (k == 0) {
                            p.moveTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
                        } else {
                            p.lineTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
                        }
                    }
                    p.closePath();
                    g.draw(p);
                } else {
                    g.draw(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
                }
            }
        });
    }

    /** A blue and a red polyline through the given y values at evenly spaced x. */
    static Path lines(Path dir, int size, int thickness, double[] blueY, double[] redY) {
        return png(dir, "lines", size, size, g -> {
            g.setStroke(new BasicStroke(thickness));
            g.setColor(Color.BLUE);
            g.draw(polyline(size, blueY));
            g.setColor(Color.RED);
            g.draw(polyline(size, redY));
        });
    }

    private static Path2D polyline(int size, double[] ys) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < ys.length; i++) {
            double x = i * (size - 1.0) / (ys.length - 1);
            if (i == 0) {
                p.moveTo(x, ys[i] * size);
            } else {
                p.lineTo(x, ys[i] * size);
            }
        }
        return p;
    }
}
