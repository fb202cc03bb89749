package dev.maestro.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates the {@code paper-sim} task suite: templated, seeded questions in seven families
 * (chart, geometry, counting, science, medical, ocr, perception) whose gold answers are computed
 * exactly. Each question carries the data it is about in words (the chart's values, the receipt's
 * lines, the scene's objects), so a real text model could answer it too; no images are generated.
 *
 * <p>Every task also gets {@code metadata.difficulty} (log-odds subtracted from a simulated expert's
 * ability, see {@code SimulatedExpert}) and, for free-text answers, {@code metadata.distractors}
 * (plausible wrong answers). Difficulty is metadata, never a policy feature. The same seed and
 * count give a byte-identical file.
 *
 * <p>Run: {@code java -cp ... dev.maestro.bench.SimulatedSuiteMain data/paper-sim/tasks.jsonl 7 200}. The families
 * are in {@link SimulatedFamilies}.
 */
public final class SimulatedSuite {
    /** The seven families, which are also the task groups. */
    public static final List<String> FAMILIES =
            List.of("chart", "geometry", "counting", "science", "medical", "ocr", "perception");
    /** Source name written in every task. */
    public static final String SOURCE = "paper-sim";
    /** The seed the committed {@code data/paper-sim/tasks.jsonl} was generated with. */
    public static final long DEFAULT_SEED = 7;
    public static final int DEFAULT_PER_FAMILY = 200;
    /** Fraction of each family marked {@code split: train}; the rest is {@code test}. */
    public static final double TRAIN_FRACTION = 0.7;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatedSuite() {
    }

    /** Writes the suite as JSONL to {@code out} (parent folders created). */
    public static void generate(Path out, long seed, int perFamily) {
        try {
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Files.writeString(out, render(seed, perFamily), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MaestroException("cannot write the simulated suite to " + out + ": " + e.getMessage(), e);
        }
    }

    /** The suite as JSONL text, one task per line, families in {@link #FAMILIES} order. */
    public static String render(long seed, int perFamily) {
        if (perFamily < 1 || perFamily > 100_000) {
            throw new MaestroException("perFamily must be between 1 and 100000, got " + perFamily);
        }
        StringBuilder sb = new StringBuilder();
        for (int f = 0; f < FAMILIES.size(); f++) {
            String family = FAMILIES.get(f);
            // One stream per family, so changing one family's templates leaves the others unchanged.
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + f * 7919L + 17);
            int trainCount = (int) Math.round(perFamily * TRAIN_FRACTION);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < perFamily; i++) {
                SimulatedRandom g = new SimulatedRandom(rnd);
                SimulatedItem item = null;
                // Redraw repeated questions (small templates repeat) so every task id is a distinct question.
                for (int attempt = 0; attempt < 50 && (item == null || seen.contains(item.key())); attempt++) {
                    item = SimulatedFamilies.draw(family, g);
                }
                seen.add(item.key());
                double difficulty = Math.max(-3, Math.min(3, item.baseDifficulty() + 0.7 * g.gaussian()));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", String.format(Locale.ROOT, "%s-%04d", family, i + 1));
                row.put("source", SOURCE);
                row.put("question", item.question());
                if (!item.options().isEmpty()) {
                    row.put("options", item.options());
                }
                row.put("answer", item.answer());
                row.put("answer_type", item.type().name().toLowerCase(Locale.ROOT));
                row.put("group", family);
                row.put("split", i < trainCount ? "train" : "test");
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("difficulty", Math.round(difficulty * 100) / 100.0);
                meta.put("template", item.template());
                if (!item.distractors().isEmpty()) {
                    meta.put("distractors", item.distractors());
                }
                row.put("metadata", meta);
                try {
                    sb.append(JSON.writeValueAsString(row)).append('\n');
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return sb.toString();
    }
}
