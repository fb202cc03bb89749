package dev.maestro.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongFunction;

/**
 * Passes bytes through until more than {@code cap} have gone by, then throws a {@link LimitExceededException}
 * whose message comes from {@code message} (given the cap). Reading exactly {@code cap} bytes is allowed: the
 * error comes on the first byte beyond it, so a source of exactly the limit is still read whole.
 */
public final class CappedInputStream extends FilterInputStream {
    private final long cap;
    private final LongFunction<String> message;
    private long count;

    public CappedInputStream(InputStream in, long cap, LongFunction<String> message) {
        super(in);
        if (cap < 0) {
            throw new IllegalArgumentException("cap must be >= 0, got " + cap);
        }
        this.cap = cap;
        this.message = message;
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        // ask for at most one byte beyond the cap, so an overrun is seen without reading much past it
        int want = (int) Math.min(len, Math.max(1, cap - count + 1));
        int n = super.read(b, off, want);
        if (n > 0) {
            advance(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(Math.min(n, Math.max(1, cap - count + 1)));
        if (s > 0) {
            advance(s);
        }
        return s;
    }

    @Override
    public boolean markSupported() {
        return false; // a reset would make the count wrong
    }

    private void advance(long n) throws LimitExceededException {
        count += n;
        if (count > cap) {
            throw new LimitExceededException(message.apply(cap));
        }
    }
}
