package dev.maestro.expert;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a call went when its model failed and {@code fallbacks} of models.yaml were tried ({@link FallbackExpert}):
 * the model asked, the deployment that answered (empty when every one failed), and each one that failed before,
 * with why. Observations and the served ledger carry it, so a reply is never mistaken for the asked model's.
 *
 * @param requested  the model the policy called
 * @param answeredBy the fallback model that answered, if one did
 * @param failed     the deployments that failed, in the order they were tried (the requested model first)
 */
public record Fallback(String requested, Optional<String> answeredBy, List<Failure> failed) {
    public Fallback {
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(answeredBy, "answeredBy");
        failed = List.copyOf(failed);
    }

    /** One deployment that failed, and its error (after its own retries). */
    public record Failure(String model, ExpertError error) {
    }
}
