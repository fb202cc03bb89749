package dev.maestro.episode;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
 * @param grade       graded correctness in [0,1]; 0 when ungraded
 * @param gradedBy    {@code recorded-flag}, {@code grader}, {@code judge}, {@code none} (graded wrong: no answer, or
 *                    an answer that no recorded flag of a flag-graded task can verify), or {@value #UNGRADED} (nothing
 *                    grades the task: no gold, no recorded flag, no judge verdict): such an episode is counted but kept
 *                    out of accuracies and out of training's loss
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
        @JsonIgnore EpisodeNotes notes) {

    public EpisodeResult {
        // a trace line read back has no notes (they are never written)
        notes = notes == null ? EpisodeNotes.NONE : notes;
    }

    /** {@link #gradedBy} of an episode nothing could grade. */
    public static final String UNGRADED = "ungraded";

    public boolean correct() {
        return grade >= 0.5;
    }

    /** Whether the grade means something (see {@link #UNGRADED}). */
    public boolean graded() {
        return !UNGRADED.equals(gradedBy);
    }

    /**
     * Calls whose expert gave no answer ({@link dev.maestro.expert.ExpertError.Kind#expertFailure()}): timeouts,
     * HTTP errors, an open circuit, a missing record... Refused calls and failed tools are not counted.
     */
    public int expertFailures() {
        int n = 0;
        for (Step s : steps) {
            for (Observation o : s.observations()) {
                if (o.error().isPresent() && o.error().get().kind().expertFailure()) {
                    n++;
                }
            }
        }
        return n;
    }

    public long decisionNanosTotal() {
        return steps.stream().mapToLong(Step::decisionNanos).sum();
    }
}
