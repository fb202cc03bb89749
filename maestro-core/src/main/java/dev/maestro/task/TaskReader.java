package dev.maestro.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.io.Limit;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a tasks JSONL file, one task per line. The format is chosen per line by {@code source}:
 * <ul>
 *   <li>{@code math-v}: {@code {id, source, subject, level, question, options[], answer, image|null, split}};</li>
 *   <li>{@code vlms-are-blind}: {@code {id, source, task, question_variants{}, answer|null, answer_by_variant?,
 *       params, image|null}} — variants become the prompt slots {@code prompt-1}, {@code prompt-2} (file order) and
 *       {@code params} is dropped entirely because it reveals the gold;</li>
 *   <li>anything else (our own suites): {@code {id, source, question, options?, answer|answers, answer_type?,
 *       group?, images?, variants?, answer_by_variant?, metadata?}}.</li>
 * </ul>
 * Image paths are resolved against the file's folder and must stay inside it and exist. Corrupt rows raise a
 * {@link MaestroException} naming file:line, or are skipped and counted when reading leniently.
 */
public final class TaskReader {

    /** Prefix of the metadata keys that map a BlindTest slot to the skill name used in recorded outputs. */
    public static final String RECORDED_SKILL = "recorded-skill:";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskReader() {
    }

    /**
     * Reading limits and strictness.
     *
     * @param lenient          skip corrupt rows (and count them) instead of failing
     * @param maxLineChars     longer lines are corrupt (hostile input)
     * @param maxQuestionChars longer questions are corrupt
     */
    public record Options(boolean lenient, int maxLineChars, int maxQuestionChars) {
        public Options {
            if (maxLineChars < 1 || maxQuestionChars < 1) {
                throw new MaestroException("TaskReader limits must be positive, got maxLineChars=" + maxLineChars
                        + " maxQuestionChars=" + maxQuestionChars);
            }
        }

        /** Strict, lines up to {@link Limit#LINE} (16 MiB unless {@code MAESTRO_MAX_LINE_BYTES} says otherwise), 100,000-character questions. */
        public static Options defaults() {
            return new Options(false, (int) Math.min(Limit.LINE.bytes(), Integer.MAX_VALUE - 16), 100_000);
        }

        public Options withLenient(boolean value) {
            return new Options(value, maxLineChars, maxQuestionChars);
        }

        public Options withMaxLineChars(int value) {
            return new Options(lenient, value, maxQuestionChars);
        }

        public Options withMaxQuestionChars(int value) {
            return new Options(lenient, maxLineChars, value);
        }
    }

    /**
     * @param tasks    the tasks read, in file order
     * @param skipped  corrupt rows skipped (lenient reading only)
     * @param problems one "file:line: problem" message per skipped row
     */
    public record Result(List<Task> tasks, int skipped, List<String> problems) {
        public Result {
            tasks = List.copyOf(tasks);
            problems = List.copyOf(problems);
        }
    }

    /** Reads strictly: the first corrupt row raises a {@link MaestroException} naming file:line. */
    public static List<Task> read(Path jsonl) {
        return read(jsonl, Options.defaults()).tasks();
    }

    public static Result read(Path jsonl, Options options) {
        Path file = jsonl.toAbsolutePath().normalize();
        Path folder = file.getParent();
        List<Task> tasks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            // strict reading stops at the first over-long line; lenient reading skips to its end
            CappedLines lines = new CappedLines(in, options.maxLineChars(), !options.lenient());
            int lineNo = 0;
            CappedLines.Line line;
            while ((line = lines.next()) != null) {
                lineNo++;
                try {
                    if (line.tooLong()) {
                        throw new RowException("line longer than " + options.maxLineChars() + " characters (the limit"
                                + " for " + Limit.LINE.what() + "); " + Limit.LINE.raiseHint(options.maxLineChars()));
                    }
                    if (line.text().isBlank()) {
                        continue;
                    }
                    Task task = parse(line.text(), folder, options);
                    if (!ids.add(task.id())) {
                        throw new RowException("duplicate id '" + task.id() + "'");
                    }
                    tasks.add(task);
                } catch (RowException e) {
                    String message = file + ":" + lineNo + ": " + e.getMessage();
                    if (!options.lenient()) {
                        throw new MaestroException(message);
                    }
                    problems.add(message);
                }
            }
        } catch (IOException e) {
            throw new MaestroException("cannot read tasks file " + file + ": " + e.getMessage(), e);
        }
        return new Result(tasks, problems.size(), problems);
    }

    /** A corrupt row; turned into a file:line message by the caller. */
    private static final class RowException extends Exception {
        RowException(String message) {
            super(message, null, false, false);
        }
    }

    private static Task parse(String line, Path folder, Options options) throws RowException {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new RowException("bad JSON: " + e.getOriginalMessage());
        }
        if (row == null || !row.isObject()) {
            throw new RowException("expected a JSON object per line");
        }
        String id = scalar(row, "id").orElseThrow(() -> new RowException("missing 'id'"));
        if (id.isBlank()) {
            throw new RowException("empty 'id'");
        }
        String source = scalar(row, "source").orElse("");
        Task task = switch (source) {
            case "math-v" -> mathV(row, id, folder);
            case "vlms-are-blind" -> blind(row, id, folder);
            default -> generic(row, id, source, folder);
        };
        if (task.question().isBlank()) {
            throw new RowException("task '" + id + "': empty question");
        }
        if (task.question().length() > options.maxQuestionChars()) {
            throw new RowException("task '" + id + "': question longer than " + options.maxQuestionChars() + " characters");
        }
        return task;
    }

    private static Task mathV(JsonNode row, String id, Path folder) throws RowException {
        String question = required(row, "question", id);
        List<String> options = strings(row, "options", id);
        String gold = required(row, "answer", id);
        AnswerType type;
        if (!options.isEmpty()) {
            if (AnswerText.letter(gold, options.size()).isEmpty()) {
                throw new RowException("task '" + id + "': answer '" + gold + "' is not an option letter A-"
                        + (char) ('A' + options.size() - 1));
            }
            type = AnswerType.CHOICE;
        } else {
            type = AnswerText.number(gold).isPresent() ? AnswerType.NUMBER : AnswerType.TEXT;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        scalar(row, "level").ifPresent(v -> metadata.put("level", v));
        scalar(row, "split").ifPresent(v -> metadata.put("split", v));
        String group = scalar(row, "subject").orElse("");
        List<Path> images = new ArrayList<>();
        Optional<String> image = scalar(row, "image");
        if (image.isPresent()) {
            images.add(image(folder, image.get(), id));
        }
        return new Task(id, "math-v", question, options, List.of(gold), type, group, images, Map.of(), Map.of(), metadata);
    }

    private static Task blind(JsonNode row, String id, Path folder) throws RowException {
        JsonNode variantsNode = row.get("question_variants");
        if (variantsNode == null || !variantsNode.isObject() || variantsNode.size() == 0) {
            throw new RowException("task '" + id + "': missing 'question_variants' (an object of prompt texts)");
        }
        Map<String, String> variants = new LinkedHashMap<>();
        Map<String, String> slotOf = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        int slot = 0;
        for (Map.Entry<String, JsonNode> e : variantsNode.properties()) {
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                throw new RowException("task '" + id + "': question_variants." + e.getKey() + " must be a non-empty string");
            }
            String key = "prompt-" + (++slot);
            variants.put(key, e.getValue().asText());
            slotOf.put(e.getKey(), key);
            metadata.put(RECORDED_SKILL + key, e.getKey());
        }
        String question = variants.get("prompt-1");
        Optional<String> gold = scalar(row, "answer");
        Map<String, String> byVariant = new LinkedHashMap<>();
        JsonNode byVariantNode = row.get("answer_by_variant");
        if (byVariantNode != null && !byVariantNode.isNull()) {
            if (!byVariantNode.isObject()) {
                throw new RowException("task '" + id + "': answer_by_variant must be an object");
            }
            for (Map.Entry<String, JsonNode> e : byVariantNode.properties()) {
                String key = slotOf.get(e.getKey());
                if (key == null) {
                    throw new RowException("task '" + id + "': answer_by_variant." + e.getKey()
                            + " names no question variant; valid: " + slotOf.keySet());
                }
                byVariant.put(key, e.getValue().asText());
            }
        }
        AnswerType type;
        if (gold.isEmpty() && byVariant.isEmpty()) {
            type = AnswerType.UNKNOWN;
        } else {
            String sample = gold.orElseGet(() -> byVariant.values().iterator().next());
            type = sample.strip().matches("\\d+") ? AnswerType.NUMBER : AnswerType.TEXT;
        }
        List<Path> images = new ArrayList<>();
        Optional<String> image = scalar(row, "image");
        if (image.isPresent()) {
            images.add(image(folder, image.get(), id));
        }
        // `params` (generation parameters, image size, source file name) is deliberately never read: it reveals the gold.
        String group = scalar(row, "task").orElse("");
        return new Task(id, "vlms-are-blind", question, List.of(), gold.map(List::of).orElse(List.of()), type, group,
                images, variants, byVariant, metadata);
    }

    private static Task generic(JsonNode row, String id, String source, Path folder) throws RowException {
        if (source.isBlank()) {
            throw new RowException("task '" + id + "': missing 'source'");
        }
        String question = required(row, "question", id);
        List<String> options = strings(row, "options", id);
        List<String> answers = new ArrayList<>();
        scalar(row, "answer").ifPresent(answers::add);
        answers.addAll(strings(row, "answers", id));
        AnswerType type;
        Optional<String> declared = scalar(row, "answer_type");
        if (declared.isPresent()) {
            try {
                type = AnswerType.valueOf(declared.get().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new RowException("task '" + id + "': answer_type '" + declared.get()
                        + "' is not one of choice, number, text, unknown");
            }
        } else if (answers.isEmpty()) {
            type = AnswerType.UNKNOWN;
        } else if (!options.isEmpty()) {
            type = AnswerType.CHOICE;
        } else {
            type = answers.stream().allMatch(a -> AnswerText.number(a).isPresent()) ? AnswerType.NUMBER : AnswerType.TEXT;
        }
        if (type == AnswerType.CHOICE && options.isEmpty()) {
            throw new RowException("task '" + id + "': answer_type choice needs a non-empty 'options' list");
        }
        List<Path> images = new ArrayList<>();
        for (String image : strings(row, "images", id)) {
            images.add(image(folder, image, id));
        }
        return new Task(id, source, question, options, answers, type, scalar(row, "group").orElse(source), images,
                stringMap(row, "variants", id), stringMap(row, "answer_by_variant", id), stringMap(row, "metadata", id));
    }

    private static Path image(Path folder, String relative, String id) throws RowException {
        Path p;
        try {
            p = Path.of(relative);
        } catch (RuntimeException e) {
            throw new RowException("task '" + id + "': image path '" + relative + "' is not a valid path");
        }
        if (p.isAbsolute()) {
            throw new RowException("task '" + id + "': image path '" + relative
                    + "' is absolute; use a path relative to " + folder);
        }
        Path resolved = folder.resolve(p).normalize();
        if (!resolved.startsWith(folder)) {
            throw new RowException("task '" + id + "': image path '" + relative + "' escapes the folder " + folder);
        }
        if (!Files.isRegularFile(resolved)) {
            throw new RowException("task '" + id + "': image file '" + relative + "' not found in " + folder);
        }
        // a symlink inside the folder must not lead outside it either
        if (!realPathInside(resolved, folder)) {
            throw new RowException("task '" + id + "': image path '" + relative + "' escapes the folder " + folder
                    + " through a symbolic link");
        }
        return resolved;
    }

    /** Whether {@code file}, with every symbolic link followed, still lies inside {@code folder} (also followed). */
    static boolean realPathInside(Path file, Path folder) {
        try {
            return file.toRealPath().startsWith(folder.toRealPath());
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static String required(JsonNode row, String field, String id) throws RowException {
        String v = scalar(row, field).orElseThrow(() -> new RowException("task '" + id + "': missing '" + field + "'"));
        if (v.isBlank()) {
            throw new RowException("task '" + id + "': empty '" + field + "'");
        }
        return v;
    }

    private static Optional<String> scalar(JsonNode row, String field) throws RowException {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw new RowException("field '" + field + "' must be a string or number, got " + v.getNodeType());
        }
        return Optional.of(v.asText());
    }

    private static List<String> strings(JsonNode row, String field, String id) throws RowException {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new RowException("task '" + id + "': '" + field + "' must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isValueNode() || e.isNull()) {
                throw new RowException("task '" + id + "': '" + field + "' must be a list of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static Map<String, String> stringMap(JsonNode row, String field, String id) throws RowException {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw new RowException("task '" + id + "': '" + field + "' must be an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
        }
        return out;
    }

    /** Line reader that never buffers more than {@code cap} characters of one line. */
    private static final class CappedLines {
        record Line(String text, boolean tooLong) {
        }

        private final Reader in;
        private final int cap;
        private final boolean stopAtTooLong;
        private final char[] buf = new char[8192];
        private int pos;
        private int len;

        CappedLines(Reader in, int cap, boolean stopAtTooLong) {
            this.in = in;
            this.cap = cap;
            this.stopAtTooLong = stopAtTooLong;
        }

        Line next() throws IOException {
            StringBuilder sb = new StringBuilder();
            boolean tooLong = false;
            boolean any = false;
            while (true) {
                if (pos == len) {
                    len = in.read(buf);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        return any ? new Line(tooLong ? "" : sb.toString(), tooLong) : null;
                    }
                }
                any = true;
                char c = buf[pos++];
                if (c == '\n') {
                    String s = tooLong ? "" : sb.toString();
                    return new Line(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s, tooLong);
                }
                if (!tooLong) {
                    if (sb.length() >= cap) {
                        if (stopAtTooLong) { // the caller stops here: no need to read the rest of a huge line
                            return new Line("", true);
                        }
                        tooLong = true;
                        sb.setLength(0);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
