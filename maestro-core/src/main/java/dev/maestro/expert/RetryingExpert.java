package dev.maestro.expert;

import dev.maestro.MaestroException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retries retryable failures ({@link ExpertError#retryable()}: timeouts, rate limits, I/O, 5xx) a
 * bounded number of times, with exponential backoff and full jitter: before retry {@code n}
 * (1-based) it sleeps a uniform random time in {@code [0, min(maxDelay, baseDelay × 2^(n-1))]}.
 * When the failure carries a server {@code Retry-After}, it sleeps exactly that long instead; a
 * Retry-After longer than {@code maxRetryAfter} ends the retries (waiting that long would stall the
 * episode). Non-retryable failures (4xx, NOT_RECORDED, CIRCUIT_OPEN, ...) return at once.
 *
 * <p>The reply's latency is the wall time of all attempts and sleeps, as the episode saw it. The
 * clock, sleeper and random source are injectable so tests run without waiting.
 */
public final class RetryingExpert implements Expert {
    private static final Pattern RETRY_AFTER = Pattern.compile("\\(retry-after (\\d+) ms\\)");

    /** Sleeps; tests pass one that only records. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;

        static Sleeper system() {
            return d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    }

    private final Expert delegate;
    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration maxRetryAfter;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;
    private final Optional<RandomGenerator> random;

    private RetryingExpert(Builder b) {
        this.delegate = b.delegate;
        this.maxAttempts = b.maxAttempts;
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.maxRetryAfter = b.maxRetryAfter;
        this.sleeper = b.sleeper;
        this.nanoClock = b.nanoClock;
        this.random = b.random;
    }

    public static Builder builder(Expert delegate) {
        return new Builder(delegate);
    }

    /** The text {@link OpenAiExpert} puts in an error message to carry a server's Retry-After. */
    public static String retryAfterNote(Duration d) {
        return " (retry-after " + d.toMillis() + " ms)";
    }

    /** The server's Retry-After carried in an error message, if any. */
    public static Optional<Duration> retryAfter(ExpertError error) {
        Matcher m = RETRY_AFTER.matcher(error.message());
        return m.find() ? Optional.of(Duration.ofMillis(Long.parseLong(m.group(1)))) : Optional.empty();
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        long start = nanoClock.getAsLong();
        ExpertReply reply = delegate.call(request);
        int attempt = 1;
        while (!reply.ok() && reply.error().get().retryable() && attempt < maxAttempts) {
            ExpertError error = reply.error().get();
            Optional<Duration> serverWait = retryAfter(error);
            if (serverWait.isPresent() && serverWait.get().compareTo(maxRetryAfter) > 0) {
                break;
            }
            Duration wait = serverWait.isPresent() ? serverWait.get() : jitter(attempt);
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            reply = delegate.call(request);
            attempt++;
        }
        if (attempt == 1) {
            return reply;
        }
        double totalMs = (nanoClock.getAsLong() - start) / 1e6;
        if (!reply.ok()) {
            ExpertError e = reply.error().get();
            // status stays first in the message; the attempt count tells the reader retries happened
            return ExpertReply.failure(ExpertError.of(e.kind(), e.message() + " [after " + attempt + " attempts]"), totalMs);
        }
        return reply.withLatency(totalMs);
    }

    /** Full jitter: uniform in [0, min(maxDelay, base · 2^(attempt-1))]. */
    Duration jitter(int attempt) {
        long cap = maxDelay.toMillis();
        long exp = baseDelay.toMillis() << Math.min(attempt - 1, 30);
        long bound = Math.min(cap, exp < 0 ? cap : exp);
        if (bound <= 0) {
            return Duration.ZERO;
        }
        if (random.isEmpty()) {
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(bound + 1));
        }
        synchronized (random.get()) { // injected generators are usually not thread-safe
            return Duration.ofMillis(random.get().nextLong(bound + 1));
        }
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "Retrying[" + maxAttempts + "x](" + delegate + ")";
    }

    /** Configuration; defaults: 4 attempts, 500 ms base, 20 s cap, Retry-After honoured up to 60 s. */
    public static final class Builder {
        private final Expert delegate;
        private int maxAttempts = 4;
        private Duration baseDelay = Duration.ofMillis(500);
        private Duration maxDelay = Duration.ofSeconds(20);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private Sleeper sleeper = Sleeper.system();
        private LongSupplier nanoClock = System::nanoTime;
        private Optional<RandomGenerator> random = Optional.empty();

        private Builder(Expert delegate) {
            this.delegate = delegate;
        }

        /** Total attempts including the first call; 1 disables retries. */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new MaestroException("maxAttempts must be >= 1, got " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        public Builder baseDelay(Duration d) { this.baseDelay = nonNegative(d, "baseDelay"); return this; }
        public Builder maxDelay(Duration d) { this.maxDelay = nonNegative(d, "maxDelay"); return this; }
        public Builder maxRetryAfter(Duration d) { this.maxRetryAfter = nonNegative(d, "maxRetryAfter"); return this; }
        public Builder sleeper(Sleeper s) { this.sleeper = s; return this; }
        /** Monotonic nanosecond clock used for the reported latency. */
        public Builder nanoClock(LongSupplier c) { this.nanoClock = c; return this; }
        /** Seeded jitter for tests; default: ThreadLocalRandom. */
        public Builder random(RandomGenerator r) { this.random = Optional.of(r); return this; }

        public RetryingExpert build() {
            return new RetryingExpert(this);
        }

        private static Duration nonNegative(Duration d, String name) {
            if (d.isNegative()) {
                throw new MaestroException(name + " must be >= 0, got " + d);
            }
            return d;
        }
    }
}
