package dev.maestro.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.maestro.episode.EpisodeResult;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One system's line in a report (DESIGN §4.3). Accuracies are fractions in [0,1].
 *
 * @param name            system name
 * @param kind            {@code learned}, {@code baseline}, {@code llm} or {@code upper-bound}
 * @param pair            the pair for single-pair systems, else null (omitted in JSON)
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
        String note) {

    public static SystemResult of(String name, String kind, String pair, List<EpisodeResult> results, String note) {
        int n = results.size();
        double correct = 0;
        double calls = 0;
        double cost = 0;
        double latency = 0;
        Map<String, double[]> groups = new TreeMap<>();
        double[] decisionUs = results.stream().flatMap(r -> r.steps().stream())
                .mapToDouble(s -> s.decisionNanos() / 1000.0).toArray();
        for (EpisodeResult r : results) {
            correct += r.grade();
            calls += r.calls();
            cost += r.costUsd();
            latency += r.latencyMs();
            double[] g = groups.computeIfAbsent(r.group(), k -> new double[2]);
            g[0] += r.grade();
            g[1]++;
        }
        Map<String, Double> byGroup = new TreeMap<>();
        groups.forEach((k, v) -> byGroup.put(k, Stats.round(v[0] / v[1], 4)));
        double[] ci = Stats.wilson95(correct, n);
        return new SystemResult(name, kind, pair, n, Stats.round(n == 0 ? 0 : correct / n, 4),
                new double[] {Stats.round(ci[0], 4), Stats.round(ci[1], 4)}, byGroup,
                Stats.round(n == 0 ? 0 : calls / n, 3), Stats.round(n == 0 ? 0 : cost / n, 6),
                Stats.round(n == 0 ? 0 : latency / n, 1),
                decisionUs.length == 0 ? null : Stats.round(Stats.percentile(decisionUs, 0.5), 3), note);
    }
}
