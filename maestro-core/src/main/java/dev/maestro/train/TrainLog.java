package dev.maestro.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import dev.maestro.io.LineReader;
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

/**
 * A training run's {@code train_log.jsonl} (one JSON line per step, appended whole) and the curves read back from
 * the lines in memory. Without a run folder the lines are kept in memory only.
 */
final class TrainLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<Path> out;
    private final List<Map<String, Object>> lines = new ArrayList<>();

    TrainLog(Optional<Path> out) {
        this.out = out;
    }

    void append(Map<String, Object> log) {
        lines.add(log);
        if (out.isEmpty()) {
            return;
        }
        try (BufferedWriter w = Files.newBufferedWriter(out.get().resolve("train_log.jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            // One write of a whole line, so a crash never leaves a torn line behind a complete one.
            w.write(JSON.writeValueAsString(log) + "\n");
        } catch (IOException e) {
            throw new MaestroException("cannot append to train_log.jsonl: " + e.getMessage(), e);
        }
    }

    /** On resume: keep the log lines of steps the checkpoint covers, drop any later (and any torn) ones. */
    @SuppressWarnings("unchecked")
    void truncate(long step) {
        Path log = out.get().resolve("train_log.jsonl");
        if (!Files.exists(log)) {
            return;
        }
        try (LineReader in = LineReader.open(log)) { // lines capped: see dev.maestro.io.Limit
            StringBuilder kept = new StringBuilder();
            while (in.next()) {
                String line = in.text();
                try {
                    Map<String, Object> m = JSON.readValue(line, Map.class);
                    if (((Number) m.get("step")).longValue() <= step) {
                        kept.append(line).append('\n');
                        lines.add(m);
                    }
                } catch (IOException torn) {
                    // a line torn by a kill: dropped, the step is redone
                }
            }
            AtomicFiles.write(log, kept.toString());
        } catch (IOException e) {
            throw new MaestroException("cannot read " + log + ": " + e.getMessage(), e);
        }
    }

    Map<String, List<Double>> curves() {
        Map<String, List<Double>> c = new LinkedHashMap<>();
        for (String k : List.of("reward_mean", "accuracy", "validation_accuracy", "calls_per_episode", "entropy", "clip_fraction")) {
            List<Double> v = new ArrayList<>();
            Double last = null;
            for (Map<String, Object> m : lines) {
                Object x = m.get(k);
                if (x instanceof Number num) {
                    last = num.doubleValue();
                }
                // Validation is measured every few steps: carry the last value so every curve has one point per step.
                if (last != null) {
                    v.add(last);
                }
            }
            c.put(k, v);
        }
        return c;
    }

    Map<String, List<Double>> callShareCurves() {
        return callShareCurves(lines);
    }

    /** Per step, the share of calls of the pairs that were most called at the end (at most 6). */
    @SuppressWarnings("unchecked")
    static Map<String, List<Double>> callShareCurves(List<Map<String, Object>> log) {
        if (log.isEmpty()) {
            return Map.of();
        }
        Map<String, Number> lastShares = (Map<String, Number>) log.get(log.size() - 1).get("call_share");
        List<String> top = lastShares.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue().doubleValue(), a.getValue().doubleValue()))
                .limit(6).map(Map.Entry::getKey).toList();
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String pair : top) {
            List<Double> v = new ArrayList<>();
            for (Map<String, Object> m : log) {
                Object share = ((Map<String, Object>) m.get("call_share")).get(pair);
                v.add(share instanceof Number n ? n.doubleValue() : 0.0);
            }
            out.put(pair, v);
        }
        return out;
    }

    /** Top call shares of the last step (for reports). */
    @SuppressWarnings("unchecked")
    Map<String, Double> lastCallShare() {
        return lines.isEmpty() ? Map.of() : (Map<String, Double>) lines.get(lines.size() - 1).get("call_share");
    }
}
