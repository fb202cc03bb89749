package dev.maestro.expert;

import java.util.Optional;

/**
 * What one expert call returned.
 *
 * @param text            the model's response text, when one exists (BlindTest replay has none)
 * @param answer          the answer extracted from it (or recorded with it)
 * @param recordedCorrect the recorded correctness flag of a replayed output. This is grading data:
 *                        the environment uses it to grade an answer committed to this call and
 *                        never shows it to the policy.
 * @param usage           tokens
 * @param costUsd         usage priced by the model card
 * @param latencyMs       wall time (recorded, simulated or measured)
 * @param error           why the call failed, if it did
 * @param simulated       whether this came from a simulated backend
 * @param fallback        present when the called model failed and its fallbacks were tried: who answered, who
 *                        failed and why ({@link FallbackExpert})
 */
public record ExpertReply(
        Optional<String> text,
        Optional<String> answer,
        Optional<Boolean> recordedCorrect,
        Usage usage,
        double costUsd,
        double latencyMs,
        Optional<ExpertError> error,
        boolean simulated,
        Optional<Fallback> fallback) {

    public ExpertReply {
        // traces written before fallbacks existed have no such field
        fallback = fallback == null ? Optional.empty() : fallback;
    }

    /** A reply of the called model itself (no fallback involved). */
    public ExpertReply(Optional<String> text, Optional<String> answer, Optional<Boolean> recordedCorrect, Usage usage,
                       double costUsd, double latencyMs, Optional<ExpertError> error, boolean simulated) {
        this(text, answer, recordedCorrect, usage, costUsd, latencyMs, error, simulated, Optional.empty());
    }

    public static ExpertReply failure(ExpertError error, double latencyMs) {
        return new ExpertReply(Optional.empty(), Optional.empty(), Optional.empty(), Usage.NONE, 0, latencyMs,
                Optional.of(error), false);
    }

    public static ExpertReply text(String text, Usage usage, double costUsd, double latencyMs) {
        return new ExpertReply(Optional.of(text), Optional.empty(), Optional.empty(), usage, costUsd, latencyMs,
                Optional.empty(), false);
    }

    public boolean ok() {
        return error.isEmpty();
    }

    public ExpertReply withAnswer(Optional<String> a) {
        return new ExpertReply(text, a, recordedCorrect, usage, costUsd, latencyMs, error, simulated, fallback);
    }

    public ExpertReply withLatency(double ms) {
        return new ExpertReply(text, answer, recordedCorrect, usage, costUsd, ms, error, simulated, fallback);
    }

    public ExpertReply withFallback(Fallback f) {
        return new ExpertReply(text, answer, recordedCorrect, usage, costUsd, latencyMs, error, simulated, Optional.of(f));
    }
}
