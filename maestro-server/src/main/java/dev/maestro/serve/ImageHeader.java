package dev.maestro.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The pixel size an image claims, read from its header only (no raster is decoded): ImageIO's reader for PNG,
 * JPEG, GIF and BMP ({@code getWidth/getHeight}, which stop after the header), the GIF logical screen (a decoder
 * may allocate that canvas even when the frame is small) and the VP8/VP8L/VP8X header of WebP, which the JDK
 * cannot read.
 */
final class ImageHeader {

    /** Width and height in pixels. */
    record Size(long width, long height) {
        long pixels() {
            return width * height;
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /** The header is missing, truncated, of an unknown format or inconsistent. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    private ImageHeader() {
    }

    static Size size(byte[] b) throws Unreadable {
        if (b.length >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
            return webp(b);
        }
        Size frame = imageIo(b);
        if (b.length >= 10 && ascii(b, 0, "GIF")) {
            Size screen = new Size(u16le(b, 6), u16le(b, 8));
            return screen.pixels() > frame.pixels() ? screen : frame;
        }
        return frame;
    }

    private static Size imageIo(byte[] b) throws Unreadable {
        // a memory cache: the default file cache would write every request image to disk once more
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(b))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new Unreadable("unknown image format");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new Unreadable("the header claims " + w + "x" + h + " pixels");
                }
                return new Size(w, h);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new Unreadable("bad " + format(b) + " header");
        } catch (RuntimeException e) {
            // third-party and JDK plugins throw unchecked exceptions on malformed headers; the input is at fault
            throw new Unreadable("bad " + format(b) + " header");
        }
    }

    /** RIFF "WEBP" then a VP8X (extended), VP8L (lossless) or "VP8 " (lossy) chunk holding the size. */
    private static Size webp(byte[] b) throws Unreadable {
        if (b.length >= 30 && ascii(b, 12, "VP8X")) {
            return new Size(1 + u24le(b, 24), 1 + u24le(b, 27));
        }
        if (b.length >= 25 && ascii(b, 12, "VP8L") && (b[20] & 0xff) == 0x2f) {
            long bits = (b[21] & 0xffL) | (b[22] & 0xffL) << 8 | (b[23] & 0xffL) << 16 | (b[24] & 0xffL) << 24;
            return new Size(1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff));
        }
        if (b.length >= 30 && ascii(b, 12, "VP8 ") && (b[23] & 0xff) == 0x9d && (b[24] & 0xff) == 0x01
                && (b[25] & 0xff) == 0x2a) {
            long w = u16le(b, 26) & 0x3fff;
            long h = u16le(b, 28) & 0x3fff;
            if (w > 0 && h > 0) {
                return new Size(w, h);
            }
        }
        throw new Unreadable("bad WebP header");
    }

    private static String format(byte[] b) {
        if (b.length >= 4 && (b[0] & 0xff) == 0x89 && ascii(b, 1, "PNG")) {
            return "PNG";
        }
        if (b.length >= 3 && ascii(b, 0, "GIF")) {
            return "GIF";
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            return "JPEG";
        }
        if (b.length >= 2 && ascii(b, 0, "BM")) {
            return "BMP";
        }
        return "image";
    }

    private static boolean ascii(byte[] b, int at, String s) {
        if (b.length < at + s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long u16le(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8;
    }

    private static long u24le(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16;
    }
}
