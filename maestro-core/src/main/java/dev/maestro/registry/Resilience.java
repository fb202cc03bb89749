package dev.maestro.registry;

import dev.maestro.MaestroException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A model card's retry and circuit-breaker settings ({@code models.yaml} keys {@code retry-attempts},
 * {@code retry-backoff-cap}, {@code breaker-failures}, {@code breaker-cool-down}, {@code fallbacks}). An empty value means the
 * wiring default ({@code dev.maestro.expert.Experts.Options}), chosen so that an endpoint failing 30% of its
 * requests stays usable (docs/experts.md).
 *
 * @param retryAttempts   attempts per call, the first included (1 = no retry)
 * @param retryBackoffCap longest sleep between two attempts (exponential backoff with full jitter up to it)
 * @param breakerFailures consecutive failed requests that open the circuit
 * @param breakerCoolDown how long an open circuit refuses calls before one trial call goes through
 * @param fallbacks       model ids of the registry tried in order when a call to this model fails after its
 *                        retries or is refused by its open circuit (their own fallbacks are not followed); the
 *                        registry check refuses unknown ids, the model itself and cycles
 */
public record Resilience(
        Optional<Integer> retryAttempts,
        Optional<Duration> retryBackoffCap,
        Optional<Integer> breakerFailures,
        Optional<Duration> breakerCoolDown,
        List<String> fallbacks) {

    /** Every setting from the wiring defaults, no fallbacks. */
    public static final Resilience DEFAULTS = new Resilience(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of());

    /** Without fallbacks. */
    public Resilience(Optional<Integer> retryAttempts, Optional<Duration> retryBackoffCap, Optional<Integer> breakerFailures,
                      Optional<Duration> breakerCoolDown) {
        this(retryAttempts, retryBackoffCap, breakerFailures, breakerCoolDown, List.of());
    }

    public Resilience {
        fallbacks = List.copyOf(fallbacks);
        retryAttempts.ifPresent(n -> {
            if (n < 1) {
                throw new MaestroException("retry-attempts must be at least 1 (1 = no retry), got " + n);
            }
        });
        breakerFailures.ifPresent(n -> {
            if (n < 1) {
                throw new MaestroException("breaker-failures must be at least 1, got " + n);
            }
        });
    }

    public Resilience withRetryAttempts(int n) {
        return new Resilience(Optional.of(n), retryBackoffCap, breakerFailures, breakerCoolDown, fallbacks);
    }

    public Resilience withRetryBackoffCap(Duration d) {
        return new Resilience(retryAttempts, Optional.of(d), breakerFailures, breakerCoolDown, fallbacks);
    }

    public Resilience withBreakerFailures(int n) {
        return new Resilience(retryAttempts, retryBackoffCap, Optional.of(n), breakerCoolDown, fallbacks);
    }

    public Resilience withBreakerCoolDown(Duration d) {
        return new Resilience(retryAttempts, retryBackoffCap, breakerFailures, Optional.of(d), fallbacks);
    }

    public Resilience withFallbacks(List<String> ids) {
        return new Resilience(retryAttempts, retryBackoffCap, breakerFailures, breakerCoolDown, ids);
    }
}
