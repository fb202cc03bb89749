package dev.maestro.expert;

import dev.maestro.MaestroException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Stops calling an endpoint that keeps failing. After {@code failureThreshold} consecutive
 * retryable failures (timeouts, I/O, rate limits, 5xx: the kinds that mean "the endpoint is
 * unwell") the circuit opens and calls fail fast with CIRCUIT_OPEN, costing nothing. After
 * {@code coolDown} it half-opens: one trial call goes through; success closes the circuit, failure
 * opens it for another cool-down. Failures that are the caller's fault (4xx, INVALID_REQUEST) show
 * the endpoint is answering, so they count as successes here.
 *
 * <p>A call refused by an open circuit says why the circuit opened: its CIRCUIT_OPEN message carries the number of
 * consecutive failures and the last real error (kind and message, already redacted by the backend), e.g.
 * {@code circuit open for flaky after 10 consecutive failures, last: http_status: 500 Internal Server Error: ...}.
 */
public final class CircuitBreakerExpert implements Expert {

    /** Circuit states. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final Expert delegate;
    private final String name;
    private final int failureThreshold;
    private final long coolDownNanos;
    private final LongSupplier nanoClock;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;
    private boolean trialInFlight;
    private ExpertError lastFailure;

    private CircuitBreakerExpert(Expert delegate, String name, int failureThreshold, Duration coolDown, LongSupplier nanoClock) {
        if (failureThreshold < 1) {
            throw new MaestroException("failureThreshold must be >= 1, got " + failureThreshold);
        }
        this.delegate = delegate;
        this.name = name;
        this.failureThreshold = failureThreshold;
        this.coolDownNanos = coolDown.toNanos();
        this.nanoClock = nanoClock;
    }

    public static CircuitBreakerExpert create(Expert delegate, String name, int failureThreshold, Duration coolDown) {
        return new CircuitBreakerExpert(delegate, name, failureThreshold, coolDown, System::nanoTime);
    }

    /** With an injectable monotonic clock (tests). */
    public static CircuitBreakerExpert create(Expert delegate, String name, int failureThreshold, Duration coolDown,
                                              LongSupplier nanoClock) {
        return new CircuitBreakerExpert(delegate, name, failureThreshold, coolDown, nanoClock);
    }

    public synchronized State state() {
        if (state == State.OPEN && nanoClock.getAsLong() - openedAt >= coolDownNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        boolean trial;
        synchronized (this) {
            if (state == State.OPEN && nanoClock.getAsLong() - openedAt >= coolDownNanos) {
                state = State.HALF_OPEN;
            }
            if (state == State.OPEN || (state == State.HALF_OPEN && trialInFlight)) {
                long remainingMs = Math.max(0, (coolDownNanos - (nanoClock.getAsLong() - openedAt)) / 1_000_000);
                return ExpertReply.failure(ExpertError.of(ExpertError.Kind.CIRCUIT_OPEN, "circuit open for " + name
                        + " after " + consecutiveFailures + " consecutive failures, last: " + lastFailure
                        + "; next trial in " + (state == State.HALF_OPEN ? "progress" : remainingMs + " ms")), 0);
            }
            trial = state == State.HALF_OPEN;
            if (trial) {
                trialInFlight = true;
            }
        }
        ExpertReply reply;
        try {
            reply = delegate.call(request);
        } catch (RuntimeException e) {
            record(ExpertError.of(ExpertError.Kind.IO, e.getClass().getSimpleName() + ": " + e.getMessage()), trial);
            throw e;
        }
        boolean unwell = reply.error().map(ExpertError::retryable).orElse(false);
        record(unwell ? reply.error().get() : null, trial);
        return reply;
    }

    /** The last error that counted towards opening the circuit, if any since it last closed. */
    public synchronized Optional<ExpertError> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    private synchronized void record(ExpertError failure, boolean trial) {
        boolean healthy = failure == null;
        if (trial) {
            trialInFlight = false;
        }
        if (healthy) {
            consecutiveFailures = 0;
            lastFailure = null;
            state = State.CLOSED;
            return;
        }
        consecutiveFailures++;
        lastFailure = failure;
        if (trial || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openedAt = nanoClock.getAsLong();
        }
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + failureThreshold + "](" + delegate + ")";
    }
}
