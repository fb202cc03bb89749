package dev.maestro.skill.tool;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Small files that claim or inflate to huge rasters, built byte by byte so the tests need no fixtures. */
public final class ImageBombs {
    private ImageBombs() {
    }

    /** A PNG signature and IHDR claiming {@code w x h} 8-bit RGB, and nothing else. */
    public static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr(w, h, 2));
        return out.toByteArray();
    }

    /**
     * A complete, valid 8-bit greyscale PNG of {@code w x h} black pixels: the IDAT is deflated row by row with a
     * streaming {@link Deflater}, so a 48 MP image takes about 50 KB and the test never holds the raster.
     */
    public static byte[] pngZeroRows(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr(w, h, 0));
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[w + 1]; // filter byte 0 then w zero samples
        byte[] buf = new byte[64 * 1024];
        for (int y = 0; y < h; y++) {
            d.setInput(row);
            while (!d.needsInput()) {
                int n = d.deflate(buf);
                idat.write(buf, 0, n);
            }
        }
        d.finish();
        while (!d.finished()) {
            int n = d.deflate(buf);
            idat.write(buf, 0, n);
        }
        d.end();
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A GIF89a whose logical screen is {@code sw x sh} but whose one frame is 1x1 (one black pixel). */
    public static byte[] gifLogicalScreen(int sw, int sh) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        le16(out, sw);
        le16(out, sh);
        out.writeBytes(new byte[] {(byte) 0x80, 0, 0}); // global colour table of 2 entries
        out.writeBytes(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        out.write(0x2c); // image descriptor at 0,0, 1x1
        le16(out, 0);
        le16(out, 0);
        le16(out, 1);
        le16(out, 1);
        out.write(0);
        out.writeBytes(new byte[] {2, 2, 0x4c, 0x01, 0}); // LZW min code 2, one sub-block: clear, 0, end
        out.write(0x3b);
        return out.toByteArray();
    }

    /** A real 8x8 JPEG written by ImageIO whose SOF0 frame header is patched to claim {@code w x h}. */
    public static byte[] jpegClaiming(int w, int h) {
        byte[] b;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpg", out);
            b = out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 2; i + 9 < b.length; i++) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xc0) { // SOF0: length(2) precision(1) height(2) width(2)
                b[i + 5] = (byte) (h >> 8);
                b[i + 6] = (byte) h;
                b[i + 7] = (byte) (w >> 8);
                b[i + 8] = (byte) w;
                return b;
            }
        }
        throw new IllegalStateException("ImageIO wrote a JPEG without SOF0");
    }

    /** A WebP RIFF with a VP8X chunk claiming {@code w x h} (no image data). */
    public static byte[] webpExtended(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        le32(out, 22);
        out.writeBytes("WEBPVP8X".getBytes(StandardCharsets.US_ASCII));
        le32(out, 10);
        out.writeBytes(new byte[] {0, 0, 0, 0});
        le24(out, w - 1);
        le24(out, h - 1);
        return out.toByteArray();
    }

    /** A real w x h PNG written by ImageIO. */
    public static byte[] png(int w, int h) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] ihdr(int w, int h, int colourType) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        be32(b, w);
        be32(b, h);
        b.writeBytes(new byte[] {8, (byte) colourType, 0, 0, 0});
        return b.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        try {
            DataOutputStream d = new DataOutputStream(out);
            d.writeInt(data.length);
            byte[] t = type.getBytes(StandardCharsets.US_ASCII);
            d.write(t);
            d.write(data);
            CRC32 crc = new CRC32();
            crc.update(t);
            crc.update(data);
            d.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void be16(ByteArrayOutputStream o, int v) {
        o.write(v >> 8);
        o.write(v);
    }

    private static void be32(ByteArrayOutputStream o, int v) {
        be16(o, v >>> 16);
        be16(o, v & 0xffff);
    }

    private static void le16(ByteArrayOutputStream o, int v) {
        o.write(v);
        o.write(v >> 8);
    }

    private static void le24(ByteArrayOutputStream o, int v) {
        le16(o, v & 0xffff);
        o.write(v >> 16);
    }

    private static void le32(ByteArrayOutputStream o, int v) {
        le16(o, v & 0xffff);
        le16(o, v >>> 16);
    }
}
