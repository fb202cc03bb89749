package dev.maestro.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.maestro.MaestroException;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import dev.maestro.task.Task;

/**
 * A benchmark suite: a task file, the registry to solve it with, the split, grading options and the
 * keyword rules of the keyword-router baseline. Read from {@code suite.yaml} in a dataset folder.
 *
 * @param name              short name used in reports ({@code mathv})
 * @param folder            the suite folder
 * @param tasks             task file
 * @param registry          registry folder
 * @param splitSalt         salt of the id-hash split
 * @param testFraction      share of tasks in the test split
 * @param validationFraction share of the training split carved out for validation
 * @param relativeTolerance numeric grading tolerance (0 = exact)
 * @param keywords          label → keywords for the keyword router (first matching label wins)
 * @param leaveOneOut       experts for the leave-one-out generalization experiment (may be empty)
 * @param unseenModels      a file of extra models (a {@code models:} list) never seen in training
 * @param filter            which tasks of the task file belong to the suite ({@code filter: {has-images: true}})
 * @param judge             an LLM judge for answers to tasks without gold ({@code judge: {model: ID, rubric: "..."}})
 */
public record Suite(
        String name,
        Path folder,
        Path tasks,
        Path registry,
        String splitSalt,
        double testFraction,
        double validationFraction,
        double relativeTolerance,
        Map<String, List<String>> keywords,
        List<String> leaveOneOut,
        Optional<Path> unseenModels,
        Filter filter,
        Optional<Judge> judge) {

    public Suite {
        keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
        Objects.requireNonNull(filter);
        Objects.requireNonNull(judge);
    }

    /** A suite over every task of its file (the shape before {@code filter:} existed). */
    public Suite(String name, Path folder, Path tasks, Path registry, String splitSalt, double testFraction,
                 double validationFraction, double relativeTolerance, Map<String, List<String>> keywords) {
        this(name, folder, tasks, registry, splitSalt, testFraction, validationFraction, relativeTolerance, keywords,
                List.of(), Optional.empty(), Filter.ALL, Optional.empty());
    }

    /**
     * The LLM judge of a suite ({@code judge:} in suite.yaml; docs/evaluation.md).
     *
     * @param model     a model id of the suite's registry
     * @param rubric    what makes an answer correct, in the author's words
     * @param agreement also judge answers to tasks with gold, to report the judge's agreement with gold (default true)
     */
    public record Judge(String model, String rubric, boolean agreement) {
        static final List<String> KEYS = List.of("model", "rubric", "agreement");
    }

    /**
     * Which tasks of the task file the suite keeps. The split is still the id-hash split, so a task lands in the
     * same part whether or not a filter is applied.
     *
     * @param hasImages keep only tasks with (true) or without (false) images; empty = either
     */
    public record Filter(Optional<Boolean> hasImages) {
        public static final Filter ALL = new Filter(Optional.empty());

        public Filter {
            Objects.requireNonNull(hasImages);
        }

        public boolean test(Task t) {
            return hasImages.map(h -> h == t.hasImages()).orElse(true);
        }

        @Override
        public String toString() {
            return hasImages.map(h -> "{has-images: " + h + "}").orElse("{}");
        }
    }

    public static Suite load(Path folderOrFile) {
        Path file = Files.isDirectory(folderOrFile) ? folderOrFile.resolve("suite.yaml") : folderOrFile;
        if (!Files.isRegularFile(file)) {
            throw new MaestroException("no suite file at " + file + " (a suite folder holds suite.yaml)");
        }
        Path folder = file.toAbsolutePath().normalize().getParent();
        try {
            // size first: a huge suite.yaml is refused before the YAML parser sees it
            JsonNode n = new ObjectMapper(new YAMLFactory()).readTree(BoundedFiles.readBytes(file, Limit.CONFIG_FILE));
            String name = text(n, "name", folder.getFileName().toString());
            Path tasks = inside(folder, text(n, "tasks", "tasks.jsonl"), file, "tasks");
            Path registry = inside(folder, text(n, "registry", "registry"), file, "registry");
            JsonNode split = n.path("split");
            Map<String, List<String>> kw = new LinkedHashMap<>();
            n.path("router-keywords").fields().forEachRemaining(e -> {
                List<String> words = new ArrayList<>();
                e.getValue().forEach(w -> words.add(w.asText()));
                kw.put(e.getKey(), List.copyOf(words));
            });
            JsonNode gen = n.path("generalization");
            List<String> loo = new ArrayList<>();
            gen.path("leave-one-out").forEach(x -> loo.add(x.asText()));
            Optional<Path> unseen = gen.hasNonNull("unseen-models")
                    ? Optional.of(inside(folder, gen.get("unseen-models").asText(), file, "generalization.unseen-models"))
                    : Optional.empty();
            return new Suite(name, folder, tasks, registry, split.path("salt").asText("maestro-v1"),
                    split.path("test").asDouble(0.5), split.path("validation").asDouble(0.2),
                    n.path("grading").path("relative-tolerance").asDouble(0), kw, List.copyOf(loo), unseen,
                    filter(n.path("filter"), file), judge(n.path("judge"), file));
        } catch (LimitExceededException e) {
            throw new MaestroException(e.getMessage(), e);
        } catch (IOException e) {
            throw new MaestroException("cannot read suite file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Filter filter(JsonNode f, Path file) {
        if (f.isMissingNode() || f.isNull()) {
            return Filter.ALL;
        }
        if (!f.isObject()) {
            throw new MaestroException(file + ": filter: must be a mapping such as {has-images: true}, got " + f);
        }
        Optional<Boolean> images = Optional.empty();
        var it = f.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getKey().equals("has-images")) {
                throw new MaestroException(file + ": filter." + e.getKey() + ": unknown filter key; valid: has-images");
            }
            if (!e.getValue().isBoolean()) {
                throw new MaestroException(file + ": filter.has-images: must be true or false, got " + e.getValue());
            }
            images = Optional.of(e.getValue().asBoolean());
        }
        return new Filter(images);
    }

    private static Optional<Judge> judge(JsonNode j, Path file) {
        if (j.isMissingNode() || j.isNull()) {
            return Optional.empty();
        }
        String shape = "judge: must be a mapping such as {model: MODEL_ID, rubric: \"...\"}";
        if (!j.isObject()) {
            throw new MaestroException(file + ": " + shape + ", got " + j);
        }
        var it = j.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!Judge.KEYS.contains(k)) {
                throw new MaestroException(file + ": judge." + k + ": unknown key; valid: " + String.join(", ", Judge.KEYS));
            }
        }
        if (!j.path("model").isTextual() || j.get("model").asText().isBlank()) {
            throw new MaestroException(file + ": judge.model is required: the id of a model of the suite's registry");
        }
        if (!j.path("rubric").isTextual() || j.get("rubric").asText().isBlank()) {
            throw new MaestroException(file + ": judge.rubric is required: what makes an answer correct, in words");
        }
        JsonNode a = j.path("agreement");
        if (!a.isMissingNode() && !a.isBoolean()) {
            throw new MaestroException(file + ": judge.agreement: must be true or false, got " + a);
        }
        return Optional.of(new Judge(j.get("model").asText().strip(), j.get("rubric").asText(), a.asBoolean(true)));
    }

    private static String text(JsonNode n, String field, String dflt) {
        return n.hasNonNull(field) ? n.get(field).asText() : dflt;
    }

    private static Path inside(Path folder, String rel, Path file, String field) {
        Path p = folder.resolve(rel).normalize();
        if (!p.startsWith(folder)) {
            throw new MaestroException(file + ": " + field + ": path '" + rel + "' leaves the suite folder " + folder);
        }
        return p;
    }
}
