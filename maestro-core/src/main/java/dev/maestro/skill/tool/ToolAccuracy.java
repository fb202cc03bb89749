package dev.maestro.skill.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.io.LineReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures the BlindTest image tools on the shipped puzzles ({@code data/blind/tasks.jsonl} rows with an image).
 *
 * <p>Only the image, the question text and the gold ({@code answer}, {@code answer_by_variant}) are read;
 * {@code params} (which leak the gold) are not. Puzzles of each type are split by id order: the first half is
 * the development half the tools were tuned on, the second half is held out. TouchingCircle puzzles are
 * scored once per prompt variant, since the gold differs between "touching" and "overlapping".
 *
 * <p>Run: {@code java -cp ... dev.maestro.skill.tool.ToolAccuracy [data/blind] [--misses|--items]}.
 */
public final class ToolAccuracy {

    /** BlindTest task type → the tool that answers it. */
    public static final Map<String, String> TOOL_FOR_TASK = Map.of(
            "CountingCircles", "count-circles",
            "NestedSquares", "nested-squares",
            "CountingRowsAndColumns", "grid-size",
            "LineIntersection", "line-intersections",
            "TouchingCircle", "touching-circles");

    /** One scored item: a puzzle (and prompt variant), the tool's answer and the gold. */
    public record Item(String taskId, String variant, String gold, String answer, boolean correct, boolean devHalf,
                       double millis, String detail) {
    }

    /** Accuracy of one tool on its task type. */
    public record Row(String tool, String task, int n, int devN, double devAccuracy, int heldOutN, double heldOutAccuracy,
                      double accuracy, double medianMillis, List<Item> items) {

        public List<Item> misses() {
            return items.stream().filter(i -> !i.correct()).toList();
        }
    }

    private ToolAccuracy() {
    }

    /** Runs every BlindTest image tool on every shipped puzzle of its type under {@code blindDir}. */
    public static List<Row> measure(Path blindDir, Tools tools) {
        Path tasksFile = blindDir.resolve("tasks.jsonl");
        Map<String, List<JsonNode>> byTask = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (LineReader r = LineReader.open(tasksFile)) {
            while (r.next()) {
                String line = r.text();
                int lineNo = r.lineNumber();
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = json.readTree(line);
                } catch (IOException e) {
                    throw new MaestroException(tasksFile + " line " + lineNo + ": not JSON: " + e.getMessage());
                }
                String task = row.path("task").asText();
                if (TOOL_FOR_TASK.containsKey(task) && row.hasNonNull("image")) {
                    byTask.computeIfAbsent(task, k -> new ArrayList<>()).add(row);
                }
            }
        } catch (IOException e) {
            throw new MaestroException("cannot read " + tasksFile + ": " + e.getMessage(), e);
        }
        List<Row> rows = new ArrayList<>();
        for (var e : byTask.entrySet()) {
            rows.add(measureTask(blindDir, e.getKey(), e.getValue(), tools.require(TOOL_FOR_TASK.get(e.getKey()))));
        }
        return rows;
    }

    private static Row measureTask(Path blindDir, String task, List<JsonNode> puzzles, Tool tool) {
        puzzles.sort(Comparator.comparing(n -> n.path("id").asText()));
        int half = (puzzles.size() + 1) / 2;
        List<Item> items = new ArrayList<>();
        for (int k = 0; k < puzzles.size(); k++) {
            JsonNode row = puzzles.get(k);
            Path image = blindDir.resolve(row.path("image").asText());
            JsonNode byVariant = row.path("answer_by_variant");
            Iterator<Map.Entry<String, JsonNode>> variants = row.path("question_variants").fields();
            while (variants.hasNext()) {
                var v = variants.next();
                boolean perVariant = byVariant.isObject() && byVariant.has(v.getKey());
                String gold = perVariant ? byVariant.get(v.getKey()).asText() : row.path("answer").asText();
                ToolResult res = tool.run(new ToolInput(List.of(image), "", v.getValue().asText()));
                String answer = res.answer().orElse("");
                boolean correct = answer.strip().equalsIgnoreCase(gold.strip());
                items.add(new Item(row.path("id").asText(), v.getKey(), gold, answer, correct, k < half, res.millis(),
                        res.observation()));
                if (!perVariant) {
                    break; // the other prompt asks the same thing with the same gold: score the puzzle once
                }
            }
        }
        double[] ms = items.stream().mapToDouble(Item::millis).sorted().toArray();
        double median = ms.length == 0 ? 0 : ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
        List<Item> dev = items.stream().filter(Item::devHalf).toList();
        List<Item> held = items.stream().filter(i -> !i.devHalf()).toList();
        return new Row(tool.name(), task, items.size(), dev.size(), acc(dev), held.size(), acc(held), acc(items), median,
                items);
    }

    private static double acc(List<Item> items) {
        return items.isEmpty() ? 0 : items.stream().filter(Item::correct).count() / (double) items.size();
    }

    /** The accuracy table as Markdown. */
    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| tool | task | n | dev half acc (n) | held-out half acc (n) | all | median ms/image |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f (%d) | %.3f (%d) | %.3f | %.1f |%n", r.tool(), r.task(),
                    r.n(), r.devAccuracy(), r.devN(), r.heldOutAccuracy(), r.heldOutN(), r.accuracy(), r.medianMillis()));
        }
        return sb.toString();
    }

}
