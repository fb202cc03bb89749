package dev.maestro.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.episode.Step;
import dev.maestro.io.LineReader;
import dev.maestro.registry.Pair;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The trainer's per-step log: kept in memory for the report's curves and, with an output folder, appended to
 * {@code train_log.jsonl} one whole line per step (so a kill never leaves a torn line behind a complete one).
 */
final class TrainLog {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false).findAndRegisterModules();

    /**
     * One optimisation step, as a line of {@code train_log.jsonl}.
     *
     * @param rewardMean          mean reward of the step's episodes (each scored at its own cost weight)
     * @param rewardGroupStd      mean within-group standard deviation of the reward (0 = nothing to learn from)
     * @param costWeightMean      mean cost weight sampled for the step's episode groups
     * @param callShare           share of the step's calls per pair
     * @param routingCollapseAlarm set when one pair takes &gt; 90% of calls while other pairs are better on some group
     * @param validationScore     mean validation reward over the validation cost weights, on validation steps
     * @param validationAccuracy  validation accuracy at the middle validation cost weight, on validation steps
     * @param validationFailed    validation episodes at the middle weight with a failed expert call (graded all the
     *                            same: an answer as answered, no answer as wrong), on validation steps
     * @param greedyReward        branched rollouts: mean reward of the greedy episodes the step branched from (how the
     *                            policy itself does on the step's training tasks)
     * @param accuracy            over the graded episodes (an ungraded one adds nothing)
     * @param calls               the failure accounting of the step's calls (see {@link StepCalls}); the remaining
     *                            components are the same figures
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record Line(long step, int epoch,
                @JsonProperty("reward_mean") double rewardMean,
                @JsonProperty("reward_group_std") double rewardGroupStd,
                double accuracy,
                @JsonProperty("calls_per_episode") double callsPerEpisode,
                @JsonProperty("cost_per_episode") double costPerEpisode,
                @JsonProperty("cost_weight_mean") double costWeightMean,
                @JsonProperty("clip_fraction") double clipFraction,
                @JsonProperty("approx_kl") double approxKl,
                double entropy,
                @JsonProperty("grad_norm") double gradNorm,
                @JsonProperty("call_share") Map<String, Double> callShare,
                @JsonProperty("routing_collapse_alarm") Optional<String> routingCollapseAlarm,
                @JsonProperty("episodes_per_s") double episodesPerSecond,
                @JsonProperty("elapsed_s") double elapsedSeconds,
                @JsonProperty("validation_score") Optional<Double> validationScore,
                @JsonProperty("validation_accuracy") Optional<Double> validationAccuracy,
                @JsonProperty("greedy_reward") Optional<Double> greedyReward,
                long calls, long errors,
                @JsonProperty("error_rate") double errorRate,
                @JsonProperty("errors_by_kind") Map<String, Long> errorsByKind,
                @JsonProperty("pair_errors") Map<String, StepCalls.PairErrors> pairErrors,
                @JsonProperty("accuracy_calls_succeeded") double accuracyCallsSucceeded,
                @JsonProperty("ungraded_episodes") int ungradedEpisodes,
                @JsonProperty("masked_episodes") int maskedEpisodes,
                @JsonProperty("validation_failed_episodes") Optional<Integer> validationFailed) {

        /** The diagnostics of one step's rollouts and update. */
        static Line of(long step, int epoch, EpisodeResult[] results, double[] rewards, double meanWeight, double spread,
                       double clipped, double kl, double entropy, int counted, double gradNorm, long episodes, long elapsed,
                       long rolloutNanos, Map<String, Pair> bestPerGroup, Optional<Double> greedyReward, StepCalls sc) {
            double reward = 0;
            double acc = 0;
            int graded = 0;
            double calls = 0;
            double cost = 0;
            Map<String, Integer> share = new TreeMap<>();
            int totalCalls = 0;
            for (int i = 0; i < results.length; i++) {
                EpisodeResult r = results[i];
                reward += rewards[i];
                acc += r.grade();
                graded += r.graded() ? 1 : 0;
                calls += r.calls();
                cost += r.costUsd();
                for (Step s : r.steps()) {
                    for (Observation o : s.observations()) {
                        share.merge(o.call().pair().id(), 1, Integer::sum);
                        totalCalls++;
                    }
                }
            }
            int n = results.length;
            Map<String, Double> shares = new LinkedHashMap<>();
            String top = null;
            double topShare = 0;
            for (Map.Entry<String, Integer> e : share.entrySet()) {
                double v = e.getValue() / (double) Math.max(1, totalCalls);
                shares.put(e.getKey(), r(v));
                if (v > topShare) {
                    topShare = v;
                    top = e.getKey();
                }
            }
            Optional<String> alarm = Optional.empty();
            if (top != null && topShare > 0.9) {
                String t = top;
                List<String> better = bestPerGroup.entrySet().stream().filter(e -> !e.getValue().id().equals(t))
                        .map(e -> e.getKey() + "→" + e.getValue().id()).sorted().toList();
                if (!better.isEmpty()) {
                    alarm = Optional.of(t + " takes " + Math.round(100 * topShare)
                            + "% of calls while other pairs are better on groups " + better);
                }
            }
            return new Line(step + 1, epoch + 1, r(reward / n), r(spread), r(graded == 0 ? 0 : acc / graded), r(calls / n), r(cost / n),
                    r(meanWeight), r(counted == 0 ? 0 : clipped / counted), r(counted == 0 ? 0 : kl / counted),
                    r(counted == 0 ? 0 : entropy / counted), r(gradNorm), shares, alarm, r(episodes / (rolloutNanos / 1e9)),
                    r(elapsed / 1e9), Optional.empty(), Optional.empty(), greedyReward.map(Line::r), sc.calls(),
                    sc.errors(), sc.errorRate(), sc.errorsByKind(), sc.pairErrors(), sc.accuracyCallsSucceeded(),
                    sc.ungradedEpisodes(), sc.maskedEpisodes(), Optional.empty());
        }

        private static double r(double v) {
            return GrpoTrainer.round(v);
        }

        Line withValidation(double score, double accuracy, int failed) {
            return new Line(step, epoch, rewardMean, rewardGroupStd, this.accuracy, callsPerEpisode, costPerEpisode,
                    costWeightMean, clipFraction, approxKl, entropy, gradNorm, callShare, routingCollapseAlarm,
                    episodesPerSecond, elapsedSeconds, Optional.of(score), Optional.of(accuracy), greedyReward, calls,
                    errors, errorRate, errorsByKind, pairErrors, accuracyCallsSucceeded, ungradedEpisodes, maskedEpisodes,
                    Optional.of(failed));
        }
    }

    private final Optional<Path> file;
    private final List<Line> steps = new ArrayList<>();

    TrainLog(Optional<Path> folder) {
        this.file = folder.map(f -> f.resolve("train_log.jsonl"));
    }

    /** A fresh run: an old log in the folder is removed. */
    void reset() {
        if (file.isPresent()) {
            try {
                Files.deleteIfExists(file.get());
            } catch (IOException e) {
                throw new MaestroException("cannot remove " + file.get() + ": " + e.getMessage(), e);
            }
        }
    }

    void append(Line s) {
        steps.add(s);
        if (file.isEmpty()) {
            return;
        }
        try (BufferedWriter w = Files.newBufferedWriter(file.get(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(JSON.writeValueAsString(s) + "\n");
        } catch (IOException e) {
            throw new MaestroException("cannot append to train_log.jsonl: " + e.getMessage(), e);
        }
    }

    /** On resume: keep the lines of steps the checkpoint covers, drop any later (and any torn) ones. */
    void truncate(long step) {
        if (file.isEmpty() || !Files.exists(file.get())) {
            return;
        }
        try (LineReader in = LineReader.open(file.get())) { // lines capped: see dev.maestro.io.Limit
            StringBuilder kept = new StringBuilder();
            while (in.next()) {
                String line = in.text();
                try {
                    Line s = JSON.readValue(line, Line.class);
                    if (s.step() <= step) {
                        kept.append(line).append('\n');
                        steps.add(s);
                    }
                } catch (IOException torn) {
                    // a line torn by a kill: dropped, the step is redone
                }
            }
            AtomicFiles.write(file.get(), kept.toString());
        } catch (IOException e) {
            throw new MaestroException("cannot read " + file.get() + ": " + e.getMessage(), e);
        }
    }

    List<Line> steps() {
        return List.copyOf(steps);
    }

    /** The report's training curves, one point per step (validation carried forward between validation steps). */
    Map<String, List<Double>> curves() {
        Map<String, Function<Line, Optional<Double>>> columns = new LinkedHashMap<>();
        columns.put("reward_mean", s -> Optional.of(s.rewardMean()));
        columns.put("accuracy", s -> Optional.of(s.accuracy()));
        columns.put("validation_score", Line::validationScore);
        columns.put("validation_accuracy", Line::validationAccuracy);
        columns.put("greedy_reward", Line::greedyReward);
        columns.put("calls_per_episode", s -> Optional.of(s.callsPerEpisode()));
        columns.put("entropy", s -> Optional.of(s.entropy()));
        columns.put("clip_fraction", s -> Optional.of(s.clipFraction()));
        Map<String, List<Double>> c = new LinkedHashMap<>();
        columns.forEach((name, f) -> {
            List<Double> v = new ArrayList<>();
            Double last = null;
            for (Line s : steps) {
                Optional<Double> x = f.apply(s);
                if (x.isPresent()) {
                    last = x.get();
                }
                if (last != null) {
                    v.add(last);
                }
            }
            c.put(name, v);
        });
        return c;
    }

    /** Per step, the share of calls of the pairs that were most called at the end (at most 6). */
    Map<String, List<Double>> callShareCurves() {
        if (steps.isEmpty()) {
            return Map.of();
        }
        Map<String, Double> lastShares = steps.get(steps.size() - 1).callShare();
        List<String> top = lastShares.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .limit(6).map(Map.Entry::getKey).toList();
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String pair : top) {
            List<Double> v = new ArrayList<>();
            for (Line s : steps) {
                v.add(s.callShare().getOrDefault(pair, 0.0));
            }
            out.put(pair, v);
        }
        return out;
    }
}
