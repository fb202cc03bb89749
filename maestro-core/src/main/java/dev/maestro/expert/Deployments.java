package dev.maestro.expert;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The live state of each deployment (a model behind an HTTP endpoint) of one wiring: its circuit breaker, and how
 * its recent requests ended. {@link CountingExpert} reports every request that reached the endpoint (retries
 * included, cache hits and calls refused by an open circuit not); {@link Experts} registers each model's breaker.
 * "Recent" is the last {@value #WINDOW} requests of the last {@value #WINDOW_SECONDS} seconds, so the error rate
 * follows an endpoint that recovers (or breaks) instead of averaging over the process's life.
 *
 * <p>Read by {@code GET /health?deep=1} and {@code /metrics} of {@code maestro serve} (docs/serve.md).
 */
public final class Deployments {
    /** Requests the recent error rate is computed over, at most. */
    public static final int WINDOW = 100;
    /** Requests older than this do not count as recent. */
    public static final int WINDOW_SECONDS = 300;

    private final Map<String, Tracker> models = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    private Deployments(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public static Deployments create() {
        return new Deployments(System::nanoTime);
    }

    /** With an injectable monotonic clock (tests). */
    public static Deployments create(LongSupplier nanoClock) {
        return new Deployments(nanoClock);
    }

    /** Registers the breaker of {@code model} (its state shows in {@link #states()}). */
    public void breaker(String model, CircuitBreakerExpert breaker) {
        tracker(model).breaker = Optional.of(breaker);
    }

    /** One request to {@code model}'s endpoint ended with {@code error} (empty: it succeeded). */
    public void record(String model, Optional<ExpertError> error) {
        tracker(model).add(nanoClock.getAsLong(), error);
    }

    private Tracker tracker(String model) {
        return models.computeIfAbsent(model, k -> new Tracker());
    }

    /** Every deployment seen or registered, by model id in sorted order. */
    public List<State> states() {
        long now = nanoClock.getAsLong();
        List<State> out = new ArrayList<>();
        new TreeMap<>(models).forEach((id, t) -> out.add(t.state(id, now)));
        return out;
    }

    /** The state of one model's deployment, if it was registered or called. */
    public Optional<State> state(String model) {
        Tracker t = models.get(model);
        return t == null ? Optional.empty() : Optional.of(t.state(model, nanoClock.getAsLong()));
    }

    /**
     * One deployment's state.
     *
     * @param model          the model id
     * @param breaker        its circuit breaker state ({@code closed}, {@code open}, {@code half_open}), empty when it
     *                       has none (replay, simulated)
     * @param requests       requests since the process started
     * @param errors         failed requests since the process started
     * @param recentRequests requests in the recent window
     * @param recentErrors   failed requests in the recent window
     * @param lastError      the last failure (kind: message), if any
     */
    public record State(String model, Optional<CircuitBreakerExpert.State> breaker, long requests, long errors,
                        int recentRequests, int recentErrors, Optional<String> lastError) {
        /** Failed share of the recent requests; 0 with none. */
        public double recentErrorRate() {
            return recentRequests == 0 ? 0 : (double) recentErrors / recentRequests;
        }

        /** Whether the deployment looks unwell: its circuit is not closed, or over half its recent requests failed. */
        public boolean failing() {
            return breaker.map(b -> b != CircuitBreakerExpert.State.CLOSED).orElse(false)
                    || (recentRequests > 0 && recentErrorRate() >= 0.5);
        }
    }

    private final class Tracker {
        volatile Optional<CircuitBreakerExpert> breaker = Optional.empty();
        private final long[] at = new long[WINDOW];
        private final boolean[] failed = new boolean[WINDOW];
        private int next;
        private int size;
        private long requests;
        private long errors;
        private String lastError;

        synchronized void add(long now, Optional<ExpertError> error) {
            at[next] = now;
            failed[next] = error.isPresent();
            next = (next + 1) % WINDOW;
            size = Math.min(WINDOW, size + 1);
            requests++;
            if (error.isPresent()) {
                errors++;
                lastError = error.get().toString();
            }
        }

        synchronized State state(String id, long now) {
            long horizon = now - WINDOW_SECONDS * 1_000_000_000L;
            int recent = 0;
            int recentFailed = 0;
            for (int i = 0; i < size; i++) {
                if (at[i] - horizon >= 0) {
                    recent++;
                    if (failed[i]) {
                        recentFailed++;
                    }
                }
            }
            return new State(id, breaker.map(CircuitBreakerExpert::state), requests, errors, recent, recentFailed,
                    Optional.ofNullable(lastError));
        }
    }
}
