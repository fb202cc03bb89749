package dev.maestro.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Test fixture: writes a valid gzip file that inflates to {@code mebibytes} MiB of one byte value, in a few
 * kilobytes and milliseconds. One 1 MiB block is deflated once after a full flush, so it is self-contained and the
 * same compressed bytes repeated N times inflate to N MiB (the attack's recorded.jsonl.gz was built the same way).
 */
public final class GzipBomb {
    private GzipBomb() {
    }

    /** {@code mebibytes} MiB of {@code fill} (e.g. 'A' for one endless line, '\n' for endless empty lines). */
    public static Path write(Path file, int mebibytes, byte fill) throws IOException {
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, fill);
        Deflater d = new Deflater(9, true);
        byte[] out = new byte[1 << 16];
        d.setInput(chunk);
        int blockLen = d.deflate(out, 0, out.length, Deflater.FULL_FLUSH);
        byte[] block = Arrays.copyOf(out, blockLen);
        d.finish();
        int tailLen = d.deflate(out, 0, out.length);
        byte[] tail = Arrays.copyOf(out, tailLen);
        d.end();
        CRC32 crc = new CRC32();
        for (int i = 0; i < mebibytes; i++) {
            crc.update(chunk);
        }
        long size = (long) mebibytes << 20;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            o.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, (byte) 0xff});
            for (int i = 0; i < mebibytes; i++) {
                o.write(block);
            }
            o.write(tail);
            int c = (int) crc.getValue();
            int n = (int) size;
            o.write(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                (byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        }
        return file;
    }
}
