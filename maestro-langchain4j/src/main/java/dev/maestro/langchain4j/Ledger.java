package dev.maestro.langchain4j;

import dev.maestro.episode.Observation;
import dev.maestro.runtime.Answer;
import java.util.List;

/**
 * What one Maestro answer cost and how it was reached, as {@link MaestroChatResponseMetadata#ledger()} carries it.
 *
 * @param policy    the policy that decided the calls
 * @param answered  whether the policy committed to an answer
 * @param calls     expert calls made
 * @param costUsd   their cost in US dollars (registry prices × tokens)
 * @param latencyMs wall latency of the calls (per turn the slowest, summed over turns)
 * @param pairs     every call in order: the (model, skill) pair, its cost, latency, and its error if it failed
 * @param errors    failed calls and protocol or budget problems, one line each
 */
public record Ledger(String policy, boolean answered, int calls, double costUsd, double latencyMs, List<PairCall> pairs,
                     List<String> errors) {
    public Ledger {
        pairs = List.copyOf(pairs);
        errors = List.copyOf(errors);
    }

    /**
     * One expert call.
     *
     * @param pair      {@code MODEL@@SKILL}
     * @param turn      the turn it was made in (0-based)
     * @param inputTokens  prompt tokens
     * @param outputTokens completion tokens
     * @param costUsd   its cost
     * @param latencyMs its latency
     * @param error     empty when it succeeded, else its kind and cause
     */
    public record PairCall(String pair, int turn, long inputTokens, long outputTokens, double costUsd, double latencyMs,
                           String error) {
        public boolean ok() {
            return error.isEmpty();
        }
    }

    static Ledger of(Answer a) {
        List<PairCall> pairs = a.observations().stream().map(Ledger::call).toList();
        return new Ledger(a.policy(), a.answered(), a.calls(), a.costUsd(), a.latencyMs(), pairs, a.errors());
    }

    private static PairCall call(Observation o) {
        return new PairCall(o.call().model() + "@@" + o.call().skill(), o.turn(), o.usage().inputTokens(),
                o.usage().outputTokens(), o.costUsd(), o.latencyMs(), o.error().map(Object::toString).orElse(""));
    }

    /** Prompt tokens over all calls. */
    public long inputTokens() {
        return pairs.stream().mapToLong(PairCall::inputTokens).sum();
    }

    /** Completion tokens over all calls. */
    public long outputTokens() {
        return pairs.stream().mapToLong(PairCall::outputTokens).sum();
    }
}
