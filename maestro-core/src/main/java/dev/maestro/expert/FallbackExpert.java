package dev.maestro.expert;

import dev.maestro.registry.Modality;
import dev.maestro.registry.ModelCard;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Sends a call that failed at its model to the model's {@code fallbacks} (models.yaml), in order, until one answers.
 * A call falls back when its failure is the expert's ({@link ExpertError.Kind#expertFailure()}: timeouts, rate
 * limits, HTTP errors, I/O, unreadable replies, an open circuit), after the model's own retries: every model here
 * is its full resilient chain (retries, breaker, concurrency limit). Requests our side refused (INVALID_REQUEST) do
 * not fall back: another deployment would refuse them too. A fallback that does not accept the request's images is
 * skipped with that reason. The fallbacks' own fallbacks are not followed.
 *
 * <p>The reply of a fallback carries a {@link Fallback} naming who answered and who failed before and why; its
 * cost is what the answering deployment charged, its latency the wall time of every attempt. When all fail, the
 * failure is the requested model's, with the others' errors appended, and the same {@link Fallback}.
 */
public final class FallbackExpert implements Expert {
    private final String model;
    private final Expert primary;
    private final List<Target> targets;

    /** A fallback deployment: its card (the request is re-addressed to it) and its expert chain. */
    public record Target(ModelCard card, Expert expert) {
    }

    private FallbackExpert(String model, Expert primary, List<Target> targets) {
        this.model = model;
        this.primary = primary;
        this.targets = List.copyOf(targets);
    }

    /** Wraps {@code primary}, the chain of {@code model}; closing closes only it (targets belong to their models). */
    public static FallbackExpert create(String model, Expert primary, List<Target> targets) {
        return new FallbackExpert(model, primary, targets);
    }

    public List<String> fallbacks() {
        return targets.stream().map(t -> t.card().id()).toList();
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        ExpertReply first = primary.call(request);
        if (first.ok() || !first.error().get().kind().expertFailure() || targets.isEmpty()) {
            return first;
        }
        List<Fallback.Failure> failed = new ArrayList<>();
        failed.add(new Fallback.Failure(model, first.error().get()));
        double ms = first.latencyMs();
        boolean images = !request.images().isEmpty() || request.history().stream().anyMatch(m -> !m.images().isEmpty());
        for (Target t : targets) {
            if (images && !t.card().modalities().contains(Modality.IMAGE)) {
                failed.add(new Fallback.Failure(t.card().id(), ExpertError.of(ExpertError.Kind.INVALID_REQUEST,
                        "skipped: " + t.card().id() + " does not accept images")));
                continue;
            }
            ExpertReply r = t.expert().call(request.withModel(t.card()));
            ms += r.latencyMs();
            if (r.ok()) {
                return r.withLatency(ms).withFallback(new Fallback(model, Optional.of(t.card().id()), failed));
            }
            failed.add(new Fallback.Failure(t.card().id(), r.error().get()));
        }
        ExpertError e = first.error().get();
        String others = failed.subList(1, failed.size()).stream().map(f -> f.model() + ": " + f.error())
                .collect(Collectors.joining("; "));
        return ExpertReply.failure(ExpertError.of(e.kind(), e.message() + " [fallbacks failed too: " + others + "]"), ms)
                .withFallback(new Fallback(model, Optional.empty(), failed));
    }

    @Override
    public void close() {
        primary.close();
    }

    @Override
    public String toString() {
        return "Fallback" + fallbacks() + "(" + primary + ")";
    }
}
