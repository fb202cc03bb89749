package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the questions a server answered (its {@link TraceStore}) into a task set: {@code tasks.jsonl} in the generic task
 * format of docs/evaluation.md plus an {@code images/} folder, for {@code maestro collect --from-traces}.
 *
 * <p>Identical questions (same text, same images) become one task whose id is the first completion's id. Feedback is the
 * gold where it says so: every served answer rated {@code correct: true} is a gold answer. Scores, comments and answers
 * rated incorrect are kept in {@code metadata}, never as gold. A question nobody rated correct has no gold and is marked
 * {@code metadata.gold = "none"}: an LLM judge (suite.yaml {@code judge:}) or a later collect, after more feedback, can
 * grade it. The output depends only on the stored rows, in time order, so every store holding the same traces gives the
 * same task set.
 */
public final class ServedTasks {
    /** Source of every task written. */
    public static final String SOURCE = "served";

    private ServedTasks() {
    }

    /**
     * What was written.
     *
     * @param tasks          tasks written
     * @param withGold       of which with a gold answer from feedback
     * @param rated          of which with any feedback
     * @param served         served questions read
     * @param merged         served questions folded into an earlier identical one
     * @param missingImages  questions left out because their images were not stored (the trace queue was full)
     * @param leftOutNoGold  questions left out by {@code goldOnly}
     * @param file           the tasks file
     */
    public record Result(int tasks, int withGold, int rated, int served, int merged, int missingImages, int leftOutNoGold, Path file) {
    }

    /**
     * Writes {@code out/tasks.jsonl} and {@code out/images/}.
     *
     * @param sinceMs  only questions served at or after this time (epoch ms; 0 for all)
     * @param goldOnly only questions whose served answer was rated correct (tasks training can grade without a judge)
     */
    public static Result write(TraceStore store, Path out, long sinceMs, boolean goldOnly) {
        List<TraceStore.Served> served = store.served(sinceMs);
        Map<String, List<TraceStore.Served>> groups = new LinkedHashMap<>();
        int missing = 0;
        for (TraceStore.Served s : served) {
            if (s.images().size() < s.imageCount()) {
                missing++;
                continue;
            }
            groups.computeIfAbsent(s.question() + "\u0000" + String.join(",", s.images().stream().map(TraceStore.ImageRef::sha256)
                    .toList()), k -> new ArrayList<>()).add(s);
        }
        StringBuilder jsonl = new StringBuilder();
        Set<TraceStore.ImageRef> images = new LinkedHashSet<>();
        int withGold = 0;
        int rated = 0;
        int leftOut = 0;
        int tasks = 0;
        for (List<TraceStore.Served> g : groups.values()) {
            ObjectNode row = row(g);
            boolean gold = row.has("answers");
            if (goldOnly && !gold) {
                leftOut++;
                continue;
            }
            tasks++;
            withGold += gold ? 1 : 0;
            rated += g.stream().anyMatch(s -> s.feedback().isPresent()) ? 1 : 0;
            images.addAll(g.get(0).images());
            try {
                jsonl.append(EpisodeJson.MAPPER.writeValueAsString(row)).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a task row of strings always serialises", e);
            }
        }
        try {
            Files.createDirectories(out);
            if (!images.isEmpty()) {
                Path dir = Files.createDirectories(out.resolve("images"));
                for (TraceStore.ImageRef ref : images) {
                    TraceStore.Image img = store.image(ref.sha256()).orElseThrow(() -> new MaestroException("image " + ref.sha256()
                            + " is referenced by a trace but missing from store " + store.describe()));
                    AtomicFiles.write(dir.resolve(fileName(ref)), img.bytes());
                }
            }
        } catch (IOException e) {
            throw new MaestroException("cannot write the task set to " + out + ": " + e.getMessage(), e);
        }
        Path file = out.resolve("tasks.jsonl");
        AtomicFiles.write(file, jsonl.toString());
        return new Result(tasks, withGold, rated, served.size(), served.size() - missing - groups.size(), missing, leftOut, file);
    }

    /** One task from every serving of one question. */
    private static ObjectNode row(List<TraceStore.Served> g) {
        TraceStore.Served first = g.get(0);
        TraceStore.Served last = g.get(g.size() - 1);
        Set<String> gold = new LinkedHashSet<>();
        Set<String> wrong = new LinkedHashSet<>();
        List<String> scores = new ArrayList<>();
        Optional<String> comment = Optional.empty();
        int correct = 0;
        int incorrect = 0;
        for (TraceStore.Served s : g) {
            if (s.feedback().isEmpty()) {
                continue;
            }
            Feedback f = s.feedback().get();
            String answer = s.answer().map(String::strip).orElse("");
            if (f.correct().isPresent()) {
                if (f.correct().get()) {
                    correct++;
                    if (!answer.isEmpty()) {
                        gold.add(answer);
                    }
                } else {
                    incorrect++;
                    if (!answer.isEmpty()) {
                        wrong.add(answer);
                    }
                }
            }
            f.score().ifPresent(v -> scores.add(String.format(Locale.ROOT, "%s", v)));
            if (f.comment().isPresent()) {
                comment = f.comment();
            }
        }
        ObjectNode row = EpisodeJson.MAPPER.createObjectNode();
        row.put("id", first.id());
        row.put("source", SOURCE);
        row.put("question", first.question());
        if (!gold.isEmpty()) {
            ArrayNode a = row.putArray("answers");
            gold.forEach(a::add);
        }
        row.put("group", SOURCE);
        if (!first.images().isEmpty()) {
            ArrayNode im = row.putArray("images");
            for (TraceStore.ImageRef ref : first.images()) {
                im.add("images/" + fileName(ref));
            }
        }
        ObjectNode m = row.putObject("metadata");
        m.put("gold", gold.isEmpty() ? "none" : "feedback");
        m.put("feedback", correct > 0 ? "correct" : incorrect > 0 ? "incorrect" : scores.isEmpty() ? "none" : "score");
        if (!scores.isEmpty()) {
            m.put("feedback_scores", String.join(",", scores));
        }
        comment.ifPresent(c -> m.put("feedback_comment", c));
        if (correct + incorrect > 0) {
            m.put("rated_correct", Integer.toString(correct));
            m.put("rated_incorrect", Integer.toString(incorrect));
        }
        if (!wrong.isEmpty()) {
            m.put("answers_rated_incorrect", String.join("\n", wrong));
        }
        last.answer().ifPresent(a -> m.put("served_answer", a));
        m.put("served_count", Integer.toString(g.size()));
        m.put("served_first", Instant.ofEpochMilli(first.createdMs()).toString());
        m.put("policy", last.policy());
        m.put("trace_ids", String.join(",", g.stream().map(TraceStore.Served::id).toList()));
        return row;
    }

    private static String fileName(TraceStore.ImageRef img) {
        return img.sha256() + extension(img.mediaType());
    }

    private static String extension(String mediaType) {
        return switch (mediaType) {
            case "image/jpeg" -> ".jpg";
            case "image/png" -> ".png";
            case "image/gif" -> ".gif";
            case "image/webp" -> ".webp";
            case "image/bmp" -> ".bmp";
            default -> ".bin";
        };
    }
}
