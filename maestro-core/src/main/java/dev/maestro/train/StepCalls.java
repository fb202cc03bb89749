package dev.maestro.train;

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
                 Map<String, Map<String, Object>> pairErrors, double accuracyCallsSucceeded, int ungradedEpisodes,
                 int maskedEpisodes) {

    static StepCalls of(EpisodeResult[] results, int masked) {
        Map<String, CallCounts> byPair = CallStats.of(Arrays.asList(results)).counts();
        CallCounts total = byPair.values().stream().reduce(CallCounts.NONE, CallCounts::plus);
        Map<String, Map<String, Object>> pairs = new LinkedHashMap<>();
        byPair.forEach((pair, c) -> {
            if (c.errors() > 0) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("calls", c.calls());
                m.put("errors", c.errors());
                m.put("error_rate", GrpoTrainer.round(c.errorRate()));
                m.put("errors_by_kind", c.errorsByKind());
                pairs.put(pair, m);
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
