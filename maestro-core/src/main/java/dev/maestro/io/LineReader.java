package dev.maestro.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Splits a byte stream into lines ({@code \n}, with a trailing {@code \r} dropped) with a cap on each line's
 * length, so a file with no newline (a gzip bomb inflating to gigabytes of one line) ends in a
 * {@link LimitExceededException} naming {@code source:line}, the cap and how to raise it, instead of an
 * ever-growing buffer. The buffer starts at 64 KiB and grows only as far as the longest line.
 *
 * <pre>{@code
 * try (LineReader lines = LineReader.of(in, Limit.LINE.bytes(), "tasks.jsonl")) {
 *     while (lines.next()) {
 *         parse(lines.buffer(), lines.offset(), lines.length());
 *     }
 * }
 * }</pre>
 */
public final class LineReader implements Closeable {
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    private final InputStream in;
    private final int cap;
    private final String source;
    private final long limit;
    private byte[] buf;
    private int start;      // first byte of the unread data
    private int end;        // one past the last byte read
    private int lineStart;
    private int lineLength;
    private int lineNo;
    private boolean eof;

    private LineReader(InputStream in, long maxLineBytes, String source) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be >= 1, got " + maxLineBytes);
        }
        this.in = in;
        this.limit = maxLineBytes;
        this.cap = (int) Math.min(maxLineBytes, MAX_ARRAY - 1);
        this.source = source;
        this.buf = new byte[Math.min(1 << 16, cap + 1)];
    }

    /** Lines of {@code in}, none longer than {@code maxLineBytes}; {@code source} names the input in errors. */
    public static LineReader of(InputStream in, long maxLineBytes, String source) {
        return new LineReader(in, maxLineBytes, source);
    }

    /** Lines of {@code in} under the current {@link Limit#LINE}. */
    public static LineReader of(InputStream in, String source) {
        return of(in, Limit.LINE.bytes(), source);
    }

    /**
     * Lines of a file under the current {@link Limit#LINE}, decompressed first when it is gzip (by its magic bytes)
     * under the current {@link Limit#INFLATED}.
     */
    public static LineReader open(Path file) throws IOException {
        return of(BoundedFiles.openMaybeGzip(file), file.toString());
    }

    /**
     * Moves to the next line.
     *
     * @return false at the end of the input (a last line without a newline is still returned)
     * @throws LimitExceededException if the line is longer than the cap
     */
    public boolean next() throws IOException {
        while (true) {
            int nl = indexOf(buf, start, end);
            if (nl >= 0) {
                return take(nl, nl + 1);
            }
            if (end - start > cap) {
                throw tooLong();
            }
            if (eof) {
                return end > start && take(end, end);
            }
            if (start > 0 && end == buf.length) { // move the partial line to the front
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buf.length) { // a line longer than the buffer: grow, but never beyond cap + 1
                buf = Arrays.copyOf(buf, (int) Math.min((long) cap + 1, Math.max(buf.length * 2L, 1 << 16)));
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                eof = true;
            } else {
                end += n;
            }
        }
    }

    private boolean take(int lineEnd, int next) throws LimitExceededException {
        lineNo++;
        int len = lineEnd - start;
        if (len > cap) {
            throw tooLong();
        }
        if (len > 0 && buf[lineEnd - 1] == '\r') {
            len--;
        }
        lineStart = start;
        lineLength = len;
        start = next;
        return true;
    }

    private LimitExceededException tooLong() {
        return new LimitExceededException(source + ":" + (lineNo + 1) + ": line longer than " + Limit.human(limit)
                + " (the limit for " + Limit.LINE.what() + "; a missing newline or a corrupt or hostile file?); "
                + Limit.LINE.raiseHint(limit));
    }

    private static int indexOf(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The array holding the current line (valid until the next call of {@link #next}). */
    public byte[] buffer() {
        return buf;
    }

    public int offset() {
        return lineStart;
    }

    public int length() {
        return lineLength;
    }

    /** The current line as UTF-8 text. */
    public String text() {
        return new String(buf, lineStart, lineLength, StandardCharsets.UTF_8);
    }

    /** 1-based number of the current line. */
    public int lineNumber() {
        return lineNo;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
