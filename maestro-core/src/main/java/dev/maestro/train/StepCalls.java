package dev.maestro.train;

import dev.maestro.episode.CallStats;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.CallCounts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The failure figures of one training step, as {@code train_log.jsonl} records them. */
final class StepCalls {
    private StepCalls() {
    }

    /**
     * Adds {@code calls}, {@code errors}, {@code error_rate}, {@code errors_by_kind}, {@code pair_errors} (per pair
     * with at least one failed call: calls, errors, error rate, errors by kind; the other pairs' calls are in
     * {@code call_share}), {@code accuracy_calls_succeeded} (over the graded episodes without a failed call),
     * {@code ungraded_episodes} and {@code masked_episodes} (left out of the loss, see {@link GroupAdvantages}).
     */
    static void addTo(Map<String, Object> log, EpisodeResult[] results, int masked) {
        Map<String, CallCounts> byPair = CallStats.of(Arrays.asList(results)).counts();
        CallCounts total = byPair.values().stream().reduce(CallCounts.NONE, CallCounts::plus);
        log.put("calls", total.calls());
        log.put("errors", total.errors());
        log.put("error_rate", GrpoTrainer.round(total.errorRate()));
        log.put("errors_by_kind", total.errorsByKind());
        Map<String, Object> pairs = new LinkedHashMap<>();
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
        log.put("pair_errors", pairs);
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
        log.put("accuracy_calls_succeeded", GrpoTrainer.round(nOk == 0 ? 0 : ok / nOk));
        log.put("ungraded_episodes", ungraded);
        log.put("masked_episodes", masked);
    }
}
