package dev.maestro.collect;

import dev.maestro.expert.ExpertError;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a collection run did.
 *
 * @param tasks          tasks selected
 * @param pairs          pairs selected
 * @param jobs           tasks × pairs
 * @param alreadyDone    (task, pair) calls an earlier run already collected (not made again)
 * @param succeeded      calls of this run that succeeded (after the experts' own retries)
 * @param failed         calls of this run that still failed at its end (after one more try); a resumed run tries
 *                       them again
 * @param retried        calls that failed in the first pass and were tried once more at the end of the run
 * @param notStarted     calls not made because the budget was reached
 * @param requests       expert requests this run made (one per workflow model step; retries inside the expert
 *                       are not counted here)
 * @param spentUsd       what this run's replies cost
 * @param totalSpentUsd  what the whole collection cost so far (earlier runs included)
 * @param budgetUsd      the budget, for the whole collection
 * @param budgetReached  whether the run stopped at the budget
 * @param completeTasks  tasks with every selected pair collected: the tasks of the written suite
 * @param byPair         per pair: this run's successful and failed attempts, and the failures by kind
 * @param repairedBytes  bytes of a torn last journal line (a killed run) cut off on resume
 * @param written        the replay suite written
 */
public record CollectResult(int tasks, int pairs, int jobs, int alreadyDone, int succeeded, int failed, int retried,
                            int notStarted,
                            long requests, double spentUsd, double totalSpentUsd, double budgetUsd, boolean budgetReached,
                            int completeTasks, Map<String, PairStats> byPair, int repairedBytes, CollectedSuite.Written written) {
    public CollectResult {
        byPair = Collections.unmodifiableMap(new TreeMap<>(byPair));
    }

    /** Every selected pair collected on every selected task. */
    public boolean complete() {
        return completeTasks == tasks;
    }

    /**
     * One pair's calls in this run.
     *
     * @param errorsByKind failures by {@link ExpertError.Kind} (lower case)
     * @param lastError    the last failure's message
     */
    public record PairStats(int ok, int failed, Map<String, Integer> errorsByKind, Optional<String> lastError) {
        public PairStats {
            errorsByKind = Collections.unmodifiableMap(new TreeMap<>(errorsByKind));
        }

        static PairStats of(Optional<ExpertError> error) {
            return error.map(e -> new PairStats(0, 1, Map.of(e.kind().name().toLowerCase(Locale.ROOT), 1), Optional.of(e.message())))
                    .orElseGet(() -> new PairStats(1, 0, Map.of(), Optional.empty()));
        }

        PairStats plus(PairStats o) {
            Map<String, Integer> k = new TreeMap<>(errorsByKind);
            o.errorsByKind.forEach((x, n) -> k.merge(x, n, Integer::sum));
            return new PairStats(ok + o.ok, failed + o.failed, k, o.lastError.or(() -> lastError));
        }

        /** Failed share of this run's calls of the pair (0 when none were made). */
        public double errorRate() {
            int n = ok + failed;
            return n == 0 ? 0 : failed / (double) n;
        }
    }
}
