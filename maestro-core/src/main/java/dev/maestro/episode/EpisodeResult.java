package dev.maestro.episode;

import dev.maestro.expert.Usage;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one episode.
 *
 * @param taskId      task id
 * @param group       task group (for per-group metrics)
 * @param policy      policy name
 * @param seed        the episode seed
 * @param answer      final answer, empty when the policy ran out of turns
 * @param grade       graded correctness in [0,1]
 * @param gradedBy    {@code recorded-flag}, {@code grader}, or {@code none} (no gold and no flag)
 * @param reward      grade minus cost terms (see {@link RewardWeights})
 * @param calls       expert calls made
 * @param costUsd     total cost
 * @param latencyMs   wall latency: per turn the slowest of its parallel calls, summed over turns
 * @param usage       tokens
 * @param malformed   malformed turns
 * @param errors      failed calls
 * @param simulated   whether any call was served by a simulated expert
 * @param steps       the trace
 * @param notes       per-episode notes a policy left (the learned policy's decision records); in memory only,
 *                    never written to traces
 */
public record EpisodeResult(
        String taskId,
        String group,
        String policy,
        long seed,
        Optional<String> answer,
        double grade,
        String gradedBy,
        double reward,
        int calls,
        double costUsd,
        double latencyMs,
        Usage usage,
        int malformed,
        int errors,
        boolean simulated,
        List<Step> steps,
        @com.fasterxml.jackson.annotation.JsonIgnore EpisodeNotes notes) {

    public EpisodeResult {
        // a trace line read back has no notes (they are never written)
        notes = notes == null ? EpisodeNotes.NONE : notes;
    }

    public boolean correct() {
        return grade >= 0.5;
    }

    public long decisionNanosTotal() {
        return steps.stream().mapToLong(Step::decisionNanos).sum();
    }
}
