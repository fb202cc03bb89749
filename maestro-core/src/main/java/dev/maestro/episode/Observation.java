package dev.maestro.episode;

import dev.maestro.expert.ExpertError;
import dev.maestro.expert.Fallback;
import dev.maestro.expert.Usage;
import dev.maestro.protocol.Call;
import java.util.Optional;

/**
 * What the policy sees after one call: the model's text and extracted answer, or the error, with
 * its usage, cost and latency. The recorded correctness flag of replayed outputs is deliberately absent.
 *
 * @param index   0-based index within the episode (an {@code Answer} may commit to it)
 * @param turn    turn in which the call was made
 * @param call    what was called
 * @param text    response text, if any (replayed BlindTest outputs have none)
 * @param answer  the answer extracted from the response, if any
 * @param error   why the call failed, if it did
 * @param fallback when the called model failed and models.yaml fallbacks were tried: who answered, who failed, why
 */
public record Observation(
        int index,
        int turn,
        Call call,
        Optional<String> text,
        Optional<String> answer,
        Optional<ExpertError> error,
        Usage usage,
        double costUsd,
        double latencyMs,
        Optional<Fallback> fallback) {

    public Observation {
        // traces written before fallbacks existed have no such field
        fallback = fallback == null ? Optional.empty() : fallback;
    }

    /** An observation of a call its model answered or failed itself (no fallback involved). */
    public Observation(int index, int turn, Call call, Optional<String> text, Optional<String> answer,
                       Optional<ExpertError> error, Usage usage, double costUsd, double latencyMs) {
        this(index, turn, call, text, answer, error, usage, costUsd, latencyMs, Optional.empty());
    }

    public boolean ok() {
        return error.isEmpty();
    }
}
