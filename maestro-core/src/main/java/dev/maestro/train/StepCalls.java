package dev.maestro.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.maestro.episode.CallStats;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.CallCounts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The failure figures of one training step, as {@code train_log.jsonl} records them.
 *
 * @param calls                  expert calls of the step
 * @param errors                 of which failed
 * @param errorsByKind           failed calls by kind
 * @param pairErrors             per pair with at least one failed call: calls, errors, error rate, errors by kind (the
 *                               other pairs' calls are in {@code call_share})
 * @param accuracyCallsSucceeded accuracy over the graded episodes without a failed call
 * @param ungradedEpisodes       episodes nothing could grade
 * @param maskedEpisodes         episodes left out of the loss (see {@link GroupAdvantages})
 */
record StepCalls(long calls, long errors, double errorRate, Map<String, Long> errorsByKind,
                 Map<String, PairErrors> pairErrors, double accuracyCallsSucceeded, int ungradedEpisodes,
                 int maskedEpisodes) {

    /** One pair's line in {@code pair_errors}: its calls, failed calls, their rate and their kinds. */
    record PairErrors(long calls, long errors, @JsonProperty("error_rate") double errorRate,
                      @JsonProperty("errors_by_kind") Map<String, Long> errorsByKind) {
    }

    static StepCalls of(EpisodeResult[] results, int masked) {
        Map<String, CallCounts> byPair = CallStats.of(Arrays.asList(results)).counts();
        CallCounts total = byPair.values().stream().reduce(CallCounts.NONE, CallCounts::plus);
        Map<String, PairErrors> pairs = new LinkedHashMap<>();
        byPair.forEach((pair, c) -> {
            if (c.errors() > 0) {
                pairs.put(pair, new PairErrors(c.calls(), c.errors(), GrpoTrainer.round(c.errorRate()), c.errorsByKind()));
            }
        });
        double ok = 0;
        int nOk = 0;
        int ungraded = 0;
        for (EpisodeResult r : results) {
            if (!r.graded()) {
                ungraded++;
            } else if (r.expertFailures() == 0) {
                ok += r.grade();
                nOk++;
            }
        }
        return new StepCalls(total.calls(), total.errors(), GrpoTrainer.round(total.errorRate()), total.errorsByKind(),
                pairs, GrpoTrainer.round(nOk == 0 ? 0 : ok / nOk), ungraded, masked);
    }
}
