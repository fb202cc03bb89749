package dev.maestro.runtime;

import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import java.util.List;

/**
 * What {@link Maestro#answer} returns: the final answer and how it was reached.
 *
 * @param text      the final answer; empty when the policy gave none (then {@link #answered()} is false and
 *                  {@link #errors()} usually says why)
 * @param answered  whether the policy committed to an answer within its turn limit
 * @param calls     expert calls made
 * @param costUsd   what the calls cost, in US dollars (registry prices × tokens)
 * @param latencyMs wall latency of the calls: per turn the slowest of its parallel calls, summed over turns
 * @param steps     every turn: the policy's action and what each call returned
 * @param errors    failed calls and protocol or budget problems, one line each (empty when all went well)
 * @param policy    the name of the policy that answered
 */
public record Answer(String text, boolean answered, int calls, double costUsd, double latencyMs, List<Step> steps,
                     List<String> errors, String policy) {
    public Answer {
        steps = List.copyOf(steps);
        errors = List.copyOf(errors);
    }

    /** Every call's observation, in order. */
    public List<Observation> observations() {
        return steps.stream().flatMap(s -> s.observations().stream()).toList();
    }
}
