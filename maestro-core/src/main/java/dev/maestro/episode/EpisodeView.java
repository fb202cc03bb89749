package dev.maestro.episode;

import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.task.Task;
import java.util.List;

/**
 * What a policy may see when it decides: the task, the registry, the turn, and the observations so far.
 * Grading data (gold answers, recorded correctness flags) is not reachable from here except through
 * {@link Task#answers()}, which policies other than the oracle must not read.
 */
public interface EpisodeView {
    Task task();

    Registry registry();

    /** 0-based turn index. */
    int turn();

    int maxTurns();

    /** Calls still allowed by the budget. */
    int callsLeft();

    /** Dollars still allowed by the budget. */
    double costLeft();

    List<Observation> observations();

    /** Pairs callable now: in the registry, modality-compatible with the task, within budget. */
    List<Pair> callablePairs();

    /**
     * Per-episode notes a policy may keep, by typed key (the learned policy stores its decision records here for
     * training, the LLM policy its conversation); they are returned with the episode's result.
     */
    EpisodeNotes notes();

    default boolean lastTurn() {
        return turn() >= maxTurns() - 1;
    }
}
