package dev.maestro.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads files against a byte cap. The size is checked before anything is read (a 10 MB models.yaml is refused in
 * microseconds, before any parser sees it), and the read itself is capped too, for files that grow meanwhile or
 * report no size (FIFOs, {@code /dev/zero}).
 */
public final class BoundedFiles {
    private BoundedFiles() {
    }

    /**
     * The whole file, at most {@code limit}'s current value.
     *
     * @throws LimitExceededException naming the file, its size, the limit and how to raise it
     */
    public static byte[] readBytes(Path file, Limit limit) throws IOException {
        return readBytes(file, limit.bytes(), limit);
    }

    /** The whole file, at most {@code cap} bytes; {@code limit} says what the cap is and how to raise it. */
    public static byte[] readBytes(Path file, long cap, Limit limit) throws IOException {
        if (Files.isRegularFile(file)) {
            long size = Files.size(file);
            if (size > cap) {
                throw new LimitExceededException(file + " is " + Limit.human(size) + ", more than the "
                        + Limit.human(cap) + " allowed for " + limit.what() + "; " + limit.raiseHint(cap));
            }
        }
        try (InputStream in = new CappedInputStream(Files.newInputStream(file), cap, c -> file + " is larger than the "
                + Limit.human(c) + " allowed for " + limit.what() + "; " + limit.raiseHint(c))) {
            return in.readNBytes((int) Math.min(cap + 1, Integer.MAX_VALUE - 16));
        }
    }

    /** The whole file as UTF-8, at most {@code limit}'s current value in bytes. */
    public static String readString(Path file, Limit limit) throws IOException {
        return new String(readBytes(file, limit), StandardCharsets.UTF_8);
    }

    /**
     * A stream of the file's bytes, decompressed when it starts with the gzip magic bytes (whatever its name), and
     * then never more than {@code maxInflated} bytes: a small gzip bomb fails at the cap instead of filling memory
     * or disk downstream.
     */
    public static InputStream openMaybeGzip(Path file, long maxInflated) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b1 = raw.read();
            int b2 = raw.read();
            raw.reset();
            if (b1 != 0x1f || b2 != 0x8b) {
                return raw;
            }
            return inflating(raw, maxInflated, file.toString());
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** {@link #openMaybeGzip(Path, long)} with the current {@link Limit#INFLATED}. */
    public static InputStream openMaybeGzip(Path file) throws IOException {
        return openMaybeGzip(file, Limit.INFLATED.bytes());
    }

    /** A gzip stream over {@code compressed} that fails after {@code maxInflated} decompressed bytes. */
    public static InputStream inflating(InputStream compressed, long maxInflated, String source) throws IOException {
        return new CappedInputStream(new GZIPInputStream(compressed, 1 << 16), maxInflated, c -> source
                + " decompresses to more than " + Limit.human(c) + " (the limit for " + Limit.INFLATED.what()
                + "; a gzip bomb?); " + Limit.INFLATED.raiseHint(c));
    }
}
