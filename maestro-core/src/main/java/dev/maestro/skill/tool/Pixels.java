package dev.maestro.skill.tool;

import dev.maestro.io.Limit;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Image loading with size limits, and an RGB pixel array for the analysis tools.
 * Package-private: tools report problems as {@link ToolException}, turned into failure results by {@link BaseTool}.
 */
final class Pixels {

    /** Largest image decoded: 40 MP is ~160 MB of ARGB, already a lot for a 2-core machine. */
    static final long MAX_PIXELS = 40_000_000L;

    static {
        // Tools run on servers and CI without a display.
        System.setProperty("java.awt.headless", "true");
    }

    final int width;
    final int height;
    /** Packed 0xRRGGBB, row-major, alpha already composited on white. */
    final int[] rgb;

    private Pixels(int width, int height, int[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    static Pixels of(BufferedImage img) {
        BufferedImage flat = flatten(img);
        int w = flat.getWidth();
        int h = flat.getHeight();
        return new Pixels(w, h, flat.getRGB(0, 0, w, h, null, 0, w));
    }

    /**
     * Decoded pixels of an image file, shared by the analysis tools: they never write to them, and decoding a
     * PNG costs about as much as one analysis, so the few most recent images are kept (keyed by path, size and
     * modification time, so a changed file is decoded again).
     */
    static Pixels load(Path file) {
        String key;
        try {
            key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return of(read(file)); // read() reports the problem with the usual message
        }
        synchronized (RECENT) {
            Pixels p = RECENT.get(key);
            if (p != null) {
                return p;
            }
        }
        Pixels p = of(read(file));
        synchronized (RECENT) {
            RECENT.put(key, p);
        }
        return p;
    }

    private static final Map<String, Pixels> RECENT = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pixels> e) {
            return size() > 8;
        }
    };

    /** Reads an image, refusing missing, unreadable or over-large files with a clear message. */
    static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ToolException("image file not found: " + file);
        }
        try {
            long size = Files.size(file);
            long cap = Limit.IMAGE.bytes();
            if (size > cap) {
                throw new ToolException("image " + file.getFileName() + " is " + Limit.human(size)
                        + ", more than the " + Limit.human(cap) + " allowed for "
                        + Limit.IMAGE.what() + "; " + Limit.IMAGE.raiseHint(cap));
            }
        } catch (IOException e) {
            throw new ToolException("cannot read image " + file + ": " + e.getMessage());
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ToolException("cannot open image " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ToolException("not a supported image (PNG, JPEG, GIF, BMP): " + file);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if ("gif".equalsIgnoreCase(reader.getFormatName())) {
                    // a decoder may allocate the GIF logical screen, which a tiny frame can claim to be 65535x65535
                    long[] screen = gifScreen(file);
                    if (screen[0] * screen[1] > w * h) {
                        w = screen[0];
                        h = screen[1];
                    }
                }
                // Check the header before decoding so a huge image cannot exhaust the heap.
                if (w * h > MAX_PIXELS) {
                    throw new ToolException("image " + file.getFileName() + " is " + w + "x" + h + " = "
                            + (w * h / 1_000_000) + " MP; the limit is " + MAX_PIXELS / 1_000_000 + " MP");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new ToolException("cannot read image " + file + ": " + e.getMessage());
        }
    }

    /** Width and height of a GIF's logical screen (bytes 6..9, little-endian), or 0x0 when the file is shorter. */
    private static long[] gifScreen(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(10);
            if (b.length < 10) {
                return new long[] {0, 0};
            }
            return new long[] {(b[6] & 0xffL) | (b[7] & 0xffL) << 8, (b[8] & 0xffL) | (b[9] & 0xffL) << 8};
        }
    }

    /** An opaque RGB copy with transparency composited on white, as the puzzles are drawn on white. */
    static BufferedImage flatten(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.drawImage(img, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static Path outputDir;

    /** Writes a PNG into this JVM's tool output folder (a temp folder, removed at exit) and returns its path. */
    static synchronized Path writePng(BufferedImage img, String prefix) {
        try {
            if (outputDir == null || !Files.isDirectory(outputDir)) {
                outputDir = Files.createTempDirectory("maestro-tools-");
                outputDir.toFile().deleteOnExit();
            }
            Path file = Files.createTempFile(outputDir, prefix + "-", ".png");
            // Outputs must outlive the call (an expert reads them later in the episode) but not the JVM.
            file.toFile().deleteOnExit();
            if (!ImageIO.write(img, "png", file.toFile())) {
                throw new ToolException("no PNG writer available");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int r(int i) {
        return (rgb[i] >> 16) & 0xff;
    }

    int g(int i) {
        return (rgb[i] >> 8) & 0xff;
    }

    int b(int i) {
        return rgb[i] & 0xff;
    }

    /** Ink: anything visibly darker or more coloured than the white background. */
    boolean ink(int i) {
        int r = r(i), g = g(i), b = b(i);
        return Math.min(r, Math.min(g, b)) < 200;
    }

    /** Dark, nearly neutral ink (black lines and text). */
    boolean dark(int i) {
        return r(i) + g(i) + b(i) < 3 * 110;
    }
}
