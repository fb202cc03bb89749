package dev.maestro.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.maestro.episode.CallStats;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.expert.CallCounts;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One system's line in a report (DESIGN §4.3). Accuracies are fractions in [0,1].
 *
 * @param name            system name
 * @param kind            {@code learned}, {@code baseline}, {@code llm} or {@code upper-bound}
 * @param pair            the pair for single-pair systems, else null (omitted in JSON)
 * @param tasks           tasks evaluated, ungraded ones included
 * @param accuracy        mean grade over the graded tasks (a failed call counts as it was graded: usually wrong)
 * @param ungraded        tasks nothing could grade (no gold, no recorded flag, no judge verdict): kept out of every
 *                        accuracy here
 * @param accuracy_calls_succeeded mean grade over the graded tasks none of whose calls failed: the model's accuracy
 *                        when it answers (equal to {@code accuracy} when nothing failed)
 * @param tasks_calls_succeeded    how many graded tasks that is
 * @param calls           calls made in all
 * @param errors          calls whose expert gave no answer (timeouts, HTTP errors, an open circuit, not recorded...)
 * @param error_rate      errors / calls
 * @param errors_by_kind  errors by {@code ExpertError.Kind}
 * @param note            how it was fitted or why a number is what it is
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SystemResult(
        String name,
        String kind,
        String pair,
        int tasks,
        double accuracy,
        double[] accuracy_ci95,
        Map<String, Double> by_group,
        double mean_calls,
        double mean_cost_usd,
        double mean_latency_ms,
        Double decision_us_p50,
        int ungraded,
        double accuracy_calls_succeeded,
        int tasks_calls_succeeded,
        long calls,
        long errors,
        double error_rate,
        Map<String, Long> errors_by_kind,
        String note) {

    public static SystemResult of(String name, String kind, String pair, List<EpisodeResult> results, String note) {
        int n = 0;
        int ungraded = 0;
        double correct = 0;
        double calls = 0;
        double cost = 0;
        double latency = 0;
        double correctOk = 0;
        int nOk = 0;
        Map<String, double[]> groups = new TreeMap<>();
        double[] decisionUs = results.stream().flatMap(r -> r.steps().stream())
                .mapToDouble(s -> s.decisionNanos() / 1000.0).toArray();
        for (EpisodeResult r : results) {
            calls += r.calls();
            cost += r.costUsd();
            latency += r.latencyMs();
            if (!r.graded()) {
                ungraded++;
                continue;
            }
            n++;
            correct += r.grade();
            if (r.expertFailures() == 0) {
                correctOk += r.grade();
                nOk++;
            }
            double[] g = groups.computeIfAbsent(r.group(), k -> new double[2]);
            g[0] += r.grade();
            g[1]++;
        }
        int all = results.size();
        Map<String, Double> byGroup = new TreeMap<>();
        groups.forEach((k, v) -> byGroup.put(k, Stats.round(v[0] / v[1], 4)));
        double[] ci = Stats.wilson95(correct, n);
        CallCounts c = CallStats.of(results).total();
        return new SystemResult(name, kind, pair, all, Stats.round(n == 0 ? 0 : correct / n, 4),
                new double[] {Stats.round(ci[0], 4), Stats.round(ci[1], 4)}, byGroup,
                Stats.round(all == 0 ? 0 : calls / all, 3), Stats.round(all == 0 ? 0 : cost / all, 6),
                Stats.round(all == 0 ? 0 : latency / all, 1),
                decisionUs.length == 0 ? null : Stats.round(Stats.percentile(decisionUs, 0.5), 3),
                ungraded, Stats.round(nOk == 0 ? 0 : correctOk / nOk, 4), nOk, Math.round(calls), c.errors(),
                Stats.round(c.errorRate(), 4), c.errorsByKind(), note);
    }
}
