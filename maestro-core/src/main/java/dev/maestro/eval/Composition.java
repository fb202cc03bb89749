package dev.maestro.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a system composed its experts on an evaluation split: calls per task (mean, and the share of tasks with 0, 1,
 * 2 and 3+ calls, overall and per group), its most frequent call sequences, and its cost against best-single's.
 * A report section (see {@link Report}).
 *
 * @param meanCalls          calls per task
 * @param callShare          share of tasks by number of calls: "0", "1", "2", "3+"
 * @param callShareByGroup   the same per task group
 * @param topSequences       the most frequent call sequences ("A → B", calls of one turn joined by " + ") and
 *                           their share of tasks
 * @param costRatioToBestSingle mean cost per task over best-single's (absent when best-single is free)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"mean_calls", "call_share", "call_share_by_group", "top_sequences", "cost_ratio_to_best_single"})
public record Composition(@JsonProperty("mean_calls") double meanCalls,
                          @JsonProperty("call_share") Map<String, Double> callShare,
                          @JsonProperty("call_share_by_group") Map<String, Map<String, Double>> callShareByGroup,
                          @JsonProperty("top_sequences") Map<String, Double> topSequences,
                          @JsonProperty("cost_ratio_to_best_single") Double costRatioToBestSingle) {
    /** How many call sequences the section lists. */
    public static final int TOP_SEQUENCES = 8;

    public static Composition of(List<EpisodeResult> results, double bestSingleCost) {
        Map<String, int[]> byGroup = new TreeMap<>();
        int[] all = new int[4];
        Map<String, Integer> sequences = new HashMap<>();
        double calls = 0;
        double cost = 0;
        for (EpisodeResult r : results) {
            int bucket = Math.min(3, r.calls());
            all[bucket]++;
            byGroup.computeIfAbsent(r.group(), g -> new int[4])[bucket]++;
            sequences.merge(sequence(r), 1, Integer::sum);
            calls += r.calls();
            cost += r.costUsd();
        }
        int n = Math.max(1, results.size());
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        byGroup.forEach((g, c) -> groups.put(g, shares(c)));
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(sequences.entrySet());
        sorted.sort((a, b) -> b.getValue().equals(a.getValue()) ? a.getKey().compareTo(b.getKey()) : b.getValue() - a.getValue());
        Map<String, Double> top = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : sorted.subList(0, Math.min(TOP_SEQUENCES, sorted.size()))) {
            top.put(e.getKey(), Stats.round(e.getValue() / (double) n, 4));
        }
        Double ratio = bestSingleCost > 0 ? Stats.round(cost / n / bestSingleCost, 3) : null;
        return new Composition(Stats.round(calls / n, 3), shares(all), groups, top, ratio);
    }

    private static Map<String, Double> shares(int[] c) {
        int n = Math.max(1, c[0] + c[1] + c[2] + c[3]);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("0", Stats.round(c[0] / (double) n, 4));
        m.put("1", Stats.round(c[1] / (double) n, 4));
        m.put("2", Stats.round(c[2] / (double) n, 4));
        m.put("3+", Stats.round(c[3] / (double) n, 4));
        return m;
    }

    /** The pairs an episode called, in order: turns joined by " → ", parallel calls of one turn by " + ". */
    static String sequence(EpisodeResult r) {
        List<String> turns = new ArrayList<>();
        for (Step s : r.steps()) {
            if (s.observations().isEmpty()) {
                continue;
            }
            List<String> calls = new ArrayList<>();
            for (Observation o : s.observations()) {
                calls.add(o.call().pair().id());
            }
            turns.add(String.join(" + ", calls));
        }
        return turns.isEmpty() ? "(no call)" : String.join(" → ", turns);
    }
}
