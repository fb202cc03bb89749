package dev.maestro.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.maestro.AtomicFiles;
import dev.maestro.MaestroException;
import dev.maestro.io.LineReader;
import dev.maestro.registry.Backend;
import dev.maestro.registry.ModelCard;
import dev.maestro.registry.Pair;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.registry.SkillCard;
import dev.maestro.task.Split;
import dev.maestro.task.Task;
import dev.maestro.task.TaskReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a collection as a suite that runs offline: {@code recorded.jsonl} (the replay format), {@code registry/}
 * (models.yaml with {@code backend: replay} for every collected model, tool-only models as they were, every skill
 * folder copied), {@code tasks.jsonl} (the collected tasks' lines as they were in the source file, with their
 * images) and {@code suite.yaml} (same split salt and fractions, so every task stays in its split).
 *
 * <p>Only complete tasks are written: those with every selected pair collected. A task with a failed or not yet
 * made call is left out until a resumed run completes it, so the replay suite never answers "not recorded".
 */
public final class CollectedSuite {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    /** The replay file inside the output folder. */
    public static final String RECORDED = "recorded.jsonl";

    private CollectedSuite() {
    }

    /**
     * What suite.yaml says besides tasks and registry.
     *
     * @param leaveOneOut models of the generalization experiment (kept when collected)
     */
    public record Spec(String name, String splitSalt, double testFraction, double validationFraction, double tolerance,
                       Map<String, List<String>> keywords, List<String> leaveOneOut) {
        public Spec {
            keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
            leaveOneOut = List.copyOf(leaveOneOut);
        }

        /** The standard split, exact grading, no keyword rules. */
        public static Spec defaults(String name) {
            Split s = Split.standard();
            return new Spec(name, s.salt(), s.testFraction(), s.validationFraction(), 0, Map.of(), List.of());
        }
    }

    /**
     * The written suite.
     *
     * @param folder        the suite folder (use it as {@code --suite})
     * @param completeTasks tasks written
     * @param rows          recorded replies written
     * @param models        models of the replay registry that were collected
     */
    public record Written(Path folder, int completeTasks, int rows, List<String> models) {
        public Written {
            models = List.copyOf(models);
        }
    }

    static Written write(Path out, Registry reg, List<Pair> pairs, List<Task> tasks, List<CollectJournal.Entry> entries,
                         Path tasksFile, Spec spec) {
        Set<String> ok = new HashSet<>();
        Map<String, List<RecordedRow>> rowsByTask = new HashMap<>();
        for (CollectJournal.Entry e : entries) {
            if (e.ok()) {
                ok.add(CollectJournal.key(e.taskId(), e.pair()));
                rowsByTask.computeIfAbsent(e.taskId(), k -> new ArrayList<>()).addAll(e.rows());
            }
        }
        List<Task> complete = tasks.stream()
                .filter(t -> pairs.stream().allMatch(p -> ok.contains(CollectJournal.key(t.id(), p.id())))).toList();
        // Rows in task order, then model and skill, each (task, model, skill) once: the replay index is unique.
        StringBuilder recorded = new StringBuilder();
        Set<String> seen = new HashSet<>();
        int rows = 0;
        for (Task t : complete) {
            List<RecordedRow> rs = new ArrayList<>(rowsByTask.getOrDefault(t.id(), List.of()));
            rs.sort(Comparator.comparing(RecordedRow::model).thenComparing(RecordedRow::skill));
            for (RecordedRow r : rs) {
                if (seen.add(r.key())) {
                    recorded.append(r.toJson(JSON)).append('\n');
                    rows++;
                }
            }
        }
        AtomicFiles.write(out.resolve(RECORDED), recorded.toString());
        List<String> models = writeRegistry(out.resolve("registry"), reg, pairs);
        writeTasks(out, tasksFile, complete);
        writeSuite(out, spec, models);
        Path suiteDir = out.toAbsolutePath().normalize();
        // What we wrote must load: a failure here is a bug of this class, reported with the file that is wrong.
        RegistryLoader.load(suiteDir.resolve("registry"));
        TaskReader.read(suiteDir.resolve("tasks.jsonl"));
        return new Written(suiteDir, complete.size(), rows, models);
    }

    private static List<String> writeRegistry(Path dir, Registry reg, List<Pair> pairs) {
        Map<String, Set<String>> skills = new LinkedHashMap<>();
        for (Pair p : pairs) {
            SkillCard s = reg.skill(p.skill()).orElseThrow();
            // a level-2 pair exists through its router (expose-children): the model lists the router
            String level1 = s.level() == 1 ? s.name() : s.parent().orElse(s.name());
            skills.computeIfAbsent(p.model(), k -> new LinkedHashSet<>()).add(level1);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", reg.name());
        root.put("description", "Replay of live calls recorded by `maestro collect` from registry " + reg.name()
                + " (every reply as the endpoint gave it; prices as declared there).");
        List<Map<String, Object>> models = new ArrayList<>();
        List<String> collected = new ArrayList<>();
        for (ModelCard m : reg.models()) {
            if (skills.containsKey(m.id())) {
                Map<String, Object> y = card(m, "replay");
                y.put("skills", List.copyOf(skills.get(m.id())));
                y.put("recorded", "../" + RECORDED);
                models.add(y);
                collected.add(m.id());
            } else if (m.backend() == Backend.NONE) {
                // tool-only: nothing to record, its skills run the same programs offline
                Map<String, Object> y = card(m, "none");
                if (!m.skills().isEmpty()) {
                    y.put("skills", m.skills());
                }
                models.add(y);
            }
        }
        root.put("models", models);
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(RegistryLoader.MODELS_FILE), "# Written by `maestro collect`; see docs/quickstart.md.\n"
                    + YAML.writeValueAsString(root));
            for (SkillCard s : reg.skills()) {
                String skillFile = s.source().orElseThrow(() -> new MaestroException("skill '" + s.name()
                        + "' was built in code, not read from a SKILL.md: collect copies skill folders"));
                Path src = Path.of(skillFile).toAbsolutePath().getParent();
                copyTree(src, dir.resolve(RegistryLoader.SKILLS_DIR).resolve(s.name()));
            }
        } catch (IOException e) {
            throw new MaestroException("cannot write the replay registry " + dir + ": " + e.getMessage(), e);
        }
        return collected;
    }

    private static Map<String, Object> card(ModelCard m, String backend) {
        Map<String, Object> y = new LinkedHashMap<>();
        y.put("id", m.id());
        y.put("backend", backend);
        y.put("description", m.description());
        y.put("modalities", m.modalities().stream().sorted().map(x -> x.name().toLowerCase(Locale.ROOT)).toList());
        Map<String, Object> price = new LinkedHashMap<>();
        price.put("input-per-1m", m.price().inputPerMillion());
        price.put("output-per-1m", m.price().outputPerMillion());
        y.put("price", price);
        return y;
    }

    /** The collected tasks' lines exactly as in the source file (its format and fields), and their images. */
    private static void writeTasks(Path out, Path tasksFile, List<Task> complete) {
        Set<String> ids = new HashSet<>();
        complete.forEach(t -> ids.add(t.id()));
        Path src = tasksFile.toAbsolutePath().normalize();
        Path folder = src.getParent();
        StringBuilder lines = new StringBuilder();
        try (LineReader in = LineReader.open(src)) { // lines capped
            while (in.next()) {
                String line = in.text();
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                if (n != null && n.hasNonNull("id") && ids.contains(n.get("id").asText())) {
                    lines.append(line).append('\n');
                }
            }
            for (Task t : complete) {
                for (Path image : t.images()) {
                    Path rel = folder.relativize(image.toAbsolutePath().normalize());
                    Path target = out.resolve(rel.toString()).normalize();
                    if (!target.startsWith(out.toAbsolutePath().normalize()) && !target.startsWith(out.normalize())) {
                        throw new MaestroException("task '" + t.id() + "': image " + image + " is outside " + folder);
                    }
                    if (!Files.exists(target)) {
                        Files.createDirectories(target.getParent());
                        Files.copy(image, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        } catch (IOException e) {
            throw new MaestroException("cannot copy the collected tasks from " + src + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(out.resolve("tasks.jsonl"), lines.toString());
    }

    private static void writeSuite(Path out, Spec spec, List<String> models) {
        Map<String, Object> y = new LinkedHashMap<>();
        y.put("name", spec.name());
        y.put("tasks", "tasks.jsonl");
        y.put("registry", "registry");
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("salt", spec.splitSalt());
        split.put("test", spec.testFraction());
        split.put("validation", spec.validationFraction());
        y.put("split", split);
        y.put("grading", Map.of("relative-tolerance", spec.tolerance()));
        if (!spec.keywords().isEmpty()) {
            y.put("router-keywords", spec.keywords());
        }
        List<String> loo = spec.leaveOneOut().stream().filter(models::contains).toList();
        if (!loo.isEmpty()) {
            y.put("generalization", Map.of("leave-one-out", loo));
        }
        try {
            AtomicFiles.write(out.resolve("suite.yaml"), "# Written by `maestro collect`: the collected tasks, replayed offline.\n"
                    + YAML.writeValueAsString(y));
        } catch (IOException e) {
            throw new MaestroException("cannot write " + out.resolve("suite.yaml") + ": " + e.getMessage(), e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue; // the registry loader refuses links out of a skill folder; never copy one
                }
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
