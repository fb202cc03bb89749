package dev.maestro.expert;

import dev.maestro.MaestroException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Lets at most {@code maxConcurrency} calls reach the delegate at once (the model card's
 * {@code max-concurrency}); the others wait in arrival order. Waiting longer than
 * {@code maxWait} (default: the model's timeout) gives a TIMEOUT failure rather than an
 * unbounded stall. Queue time is added to the reply's latency: the episode waited for it.
 */
public final class ConcurrencyLimitedExpert implements Expert {
    private final Expert delegate;
    private final Semaphore permits;
    private final int maxConcurrency;
    private final Duration maxWait;

    private ConcurrencyLimitedExpert(Expert delegate, int maxConcurrency, Duration maxWait) {
        if (maxConcurrency < 1) {
            throw new MaestroException("max-concurrency must be >= 1, got " + maxConcurrency);
        }
        this.delegate = delegate;
        this.maxConcurrency = maxConcurrency;
        this.permits = new Semaphore(maxConcurrency, true);
        this.maxWait = maxWait;
    }

    public static ConcurrencyLimitedExpert create(Expert delegate, int maxConcurrency, Duration maxWait) {
        return new ConcurrencyLimitedExpert(delegate, maxConcurrency, maxWait);
    }

    public int maxConcurrency() {
        return maxConcurrency;
    }

    /** Calls currently allowed to start without waiting. */
    public int availablePermits() {
        return permits.availablePermits();
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        long start = System.nanoTime();
        try {
            if (!permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.TIMEOUT, "waited " + maxWait.toMillis()
                        + " ms for one of " + maxConcurrency + " call slots (max-concurrency)"), elapsedMs(start));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExpertReply.failure(ExpertError.of(ExpertError.Kind.TIMEOUT,
                    "interrupted while waiting for a call slot"), elapsedMs(start));
        }
        double queuedMs = elapsedMs(start);
        try {
            ExpertReply reply = delegate.call(request);
            return queuedMs < 0.01 ? reply : reply.withLatency(reply.latencyMs() + queuedMs);
        } finally {
            permits.release();
        }
    }

    private static double elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "ConcurrencyLimited[" + maxConcurrency + "](" + delegate + ")";
    }
}
