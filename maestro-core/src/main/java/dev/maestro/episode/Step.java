package dev.maestro.episode;

import java.util.List;

/**
 * One turn of an episode, as written to the trace.
 *
 * @param turn          0-based
 * @param action        the action as protocol text (search/answer/malformed)
 * @param observations  what the calls of this turn returned (empty for an answer)
 * @param error         a protocol or budget problem in this turn, empty string if none
 * @param decisionNanos time the policy took to decide
 */
public record Step(int turn, String action, List<Observation> observations, String error, long decisionNanos) {
    public Step {
        observations = List.copyOf(observations);
    }
}
