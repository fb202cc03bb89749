package dev.maestro.expert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.maestro.MaestroException;
import dev.maestro.io.BoundedFiles;
import dev.maestro.io.Limit;
import dev.maestro.io.LimitExceededException;
import dev.maestro.io.LineReader;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recorded outputs of real models, read from a JSONL or gzip-compressed JSONL file with rows
 * {@code {task_id, model, skill, response?, answer?, correct?, tokens?, cost_usd?, latency_ms?}}
 * and indexed by (task id, model, skill).
 *
 * <p>The index is columnar (one array per field, strings de-duplicated) because replay files are
 * large and shared: MATH-V has 45,600 rows and every replay expert of a registry reads the same
 * file. {@link #load(Path)} therefore caches loaded files per path (and reloads when the file's
 * size or modification time changes). Instances are immutable and thread-safe.
 *
 * <p>{@code tokens} is an object {@code {input, output}} (aliases {@code prompt_tokens},
 * {@code completion_tokens}); a bare integer is read as output tokens with no input count.
 * Unknown fields are ignored so that newer writers stay readable.
 */
public final class RecordedOutputs {

    /** How corrupt rows are handled. */
    public enum Mode {
        /** The first corrupt or duplicate row fails the load with a message naming file:line. */
        STRICT,
        /** Corrupt and duplicate rows are skipped and counted; see {@link #skipped()} and {@link #problems()}. */
        LENIENT
    }

    /**
     * One recorded row.
     *
     * @param inputTokens  recorded prompt tokens, if any
     * @param outputTokens recorded completion tokens, if any
     */
    public record Row(
            String taskId,
            String model,
            String skill,
            Optional<String> response,
            Optional<String> answer,
            Optional<Boolean> correct,
            OptionalLong inputTokens,
            OptionalLong outputTokens,
            OptionalDouble costUsd,
            OptionalDouble latencyMs) {
    }

    private static final int MAX_PROBLEMS_KEPT = 20;
    private static final byte NO_FLAG = -1;
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<CacheKey, CacheEntry> CACHE = new ConcurrentHashMap<>();

    private final String source;
    private final Map<String, Map<String, Map<String, Integer>>> index; // model -> skill -> task id -> row
    private final String[] taskIds;
    private final String[] models;
    private final String[] skills;
    private final String[] responses;
    private final String[] answers;
    private final byte[] correct;
    private final long[] inputTokens;
    private final long[] outputTokens;
    private final double[] costUsd;
    private final double[] latencyMs;
    private final int size;
    private final int skipped;
    private final List<String> problems;

    private RecordedOutputs(Builder b) {
        this.source = b.source;
        this.index = b.index;
        this.size = b.size;
        this.taskIds = Arrays.copyOf(b.taskIds, size);
        this.models = Arrays.copyOf(b.models, size);
        this.skills = Arrays.copyOf(b.skills, size);
        this.responses = Arrays.copyOf(b.responses, size);
        this.answers = Arrays.copyOf(b.answers, size);
        this.correct = Arrays.copyOf(b.correct, size);
        this.inputTokens = Arrays.copyOf(b.inputTokens, size);
        this.outputTokens = Arrays.copyOf(b.outputTokens, size);
        this.costUsd = Arrays.copyOf(b.costUsd, size);
        this.latencyMs = Arrays.copyOf(b.latencyMs, size);
        this.skipped = b.skipped;
        this.problems = List.copyOf(b.problems);
    }

    /** Loads (strictly) or returns the cached index for this file. */
    public static RecordedOutputs load(Path file) {
        return load(file, Mode.STRICT);
    }

    /**
     * Loads or returns the cached index for this file and mode. Several replay experts pointing at
     * the same file share one index.
     */
    public static RecordedOutputs load(Path file, Mode mode) {
        Path abs = file.toAbsolutePath().normalize();
        BasicFileAttributes attrs = attributes(abs);
        CacheKey key = new CacheKey(abs, mode);
        CacheEntry cached = CACHE.get(key);
        if (cached != null && cached.matches(attrs)) {
            return cached.outputs;
        }
        // compute under the map's per-key lock so concurrent first calls read the file once
        return CACHE.compute(key, (k, old) -> old != null && old.matches(attrs)
                ? old
                : new CacheEntry(attrs.size(), attrs.lastModifiedTime().toMillis(), read(abs, mode))).outputs;
    }

    /** Drops every cached index (tests, or to release memory). */
    public static void clearCache() {
        CACHE.clear();
    }

    /**
     * Reads a file without the cache. Gzip is recognised by its magic bytes, not the file name. Lines longer than
     * {@link Limit#LINE} and gzip data inflating beyond {@link Limit#INFLATED} fail the read (in both modes) with a
     * message naming the limit and how to raise it.
     */
    public static RecordedOutputs read(Path file, Mode mode) {
        return read(file, mode, Limit.LINE.bytes(), Limit.INFLATED.bytes());
    }

    /** {@link #read(Path, Mode)} with explicit caps. */
    static RecordedOutputs read(Path file, Mode mode, long maxLineBytes, long maxInflatedBytes) {
        try (InputStream in = BoundedFiles.openMaybeGzip(file, maxInflatedBytes)) {
            return read(in, file.toString(), mode, maxLineBytes);
        } catch (NoSuchFileException e) {
            throw new MaestroException("recorded outputs file not found: " + file);
        } catch (IOException e) {
            throw new MaestroException("cannot read recorded outputs " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads UTF-8 rows from a stream; {@code sourceName} names the source in error messages. Lines
     * are split on bytes and handed to Jackson as bytes: decoding to Java strings first doubled
     * the load time.
     */
    public static RecordedOutputs read(InputStream in, String sourceName, Mode mode) {
        return read(in, sourceName, mode, Limit.LINE.bytes());
    }

    private static RecordedOutputs read(InputStream in, String sourceName, Mode mode, long maxLineBytes) {
        Builder b = new Builder(sourceName, mode);
        LineReader lines = LineReader.of(in, maxLineBytes, sourceName);
        try {
            while (lines.next()) {
                b.addLine(lines.buffer(), lines.offset(), lines.length(), lines.lineNumber());
            }
        } catch (LimitExceededException e) {
            // a line or the inflated data beyond its cap: the file as a whole is unusable, in either mode
            throw new MaestroException(e.getMessage().startsWith(sourceName) ? e.getMessage()
                    : sourceName + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MaestroException("cannot read recorded outputs " + sourceName + ": " + e.getMessage(), e);
        }
        return new RecordedOutputs(b);
    }

    /** Reads rows from text (tests, in-memory sources); {@code sourceName} names the source in error messages. */
    public static RecordedOutputs read(Reader reader, String sourceName, Mode mode) {
        try (BufferedReader br = reader instanceof BufferedReader r ? r : new BufferedReader(reader, 1 << 16)) {
            StringBuilder sb = new StringBuilder();
            char[] cbuf = new char[1 << 14];
            int n;
            while ((n = br.read(cbuf)) > 0) {
                sb.append(cbuf, 0, n);
            }
            return read(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)), sourceName, mode);
        } catch (IOException e) {
            throw new MaestroException("cannot read recorded outputs " + sourceName + ": " + e.getMessage(), e);
        }
    }

    /** The recorded row for (task, model, skill), if there is one. */
    public Optional<Row> find(String taskId, String model, String skill) {
        Map<String, Map<String, Integer>> bySkill = index.get(model);
        if (bySkill == null) {
            return Optional.empty();
        }
        Map<String, Integer> byTask = bySkill.get(skill);
        if (byTask == null) {
            return Optional.empty();
        }
        Integer i = byTask.get(taskId);
        return i == null ? Optional.empty() : Optional.of(row(i));
    }

    private Row row(int i) {
        return new Row(taskIds[i], models[i], skills[i], Optional.ofNullable(responses[i]),
                Optional.ofNullable(answers[i]),
                correct[i] == NO_FLAG ? Optional.empty() : Optional.of(correct[i] == 1),
                inputTokens[i] < 0 ? OptionalLong.empty() : OptionalLong.of(inputTokens[i]),
                outputTokens[i] < 0 ? OptionalLong.empty() : OptionalLong.of(outputTokens[i]),
                Double.isNaN(costUsd[i]) ? OptionalDouble.empty() : OptionalDouble.of(costUsd[i]),
                Double.isNaN(latencyMs[i]) ? OptionalDouble.empty() : OptionalDouble.of(latencyMs[i]));
    }

    /** All rows in file order (materialised on demand). */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(row(i));
        }
        return out;
    }

    /** The file (or source name) the rows came from. */
    public String source() { return source; }

    /** Number of indexed rows. */
    public int size() { return size; }

    /** Rows skipped in lenient mode (corrupt or duplicate). */
    public int skipped() { return skipped; }

    /** The first few skip reasons, each naming source:line. */
    public List<String> problems() { return problems; }

    /** Model names that have at least one row. */
    public Set<String> models() { return Collections.unmodifiableSet(index.keySet()); }

    /** Skill names recorded for a model. */
    public Set<String> skills(String model) {
        Map<String, Map<String, Integer>> bySkill = index.get(model);
        return bySkill == null ? Set.of() : Collections.unmodifiableSet(bySkill.keySet());
    }

    @Override
    public String toString() {
        return "RecordedOutputs[" + source + ", " + size + " rows, " + skipped + " skipped]";
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new MaestroException("recorded outputs file not found: " + p);
        } catch (IOException e) {
            throw new MaestroException("cannot read recorded outputs " + p + ": " + e.getMessage(), e);
        }
    }

    private record CacheKey(Path path, Mode mode) {
    }

    private record CacheEntry(long size, long mtime, RecordedOutputs outputs) {
        boolean matches(BasicFileAttributes a) {
            return a.size() == size && a.lastModifiedTime().toMillis() == mtime;
        }
    }

    /** Thrown inside the builder for one bad row; turned into a MaestroException or a skip. */
    private static final class BadRow extends Exception {
        BadRow(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Builder {
        private final String source;
        private final Mode mode;
        private final Map<String, Map<String, Map<String, Integer>>> index = new LinkedHashMap<>();
        private final Map<String, String> strings = new HashMap<>();
        private final List<String> problems = new ArrayList<>();
        private int size;
        private int skipped;
        private String[] taskIds = new String[1024];
        private String[] models = new String[1024];
        private String[] skills = new String[1024];
        private String[] responses = new String[1024];
        private String[] answers = new String[1024];
        private byte[] correct = new byte[1024];
        private long[] inputTokens = new long[1024];
        private long[] outputTokens = new long[1024];
        private double[] costUsd = new double[1024];
        private double[] latencyMs = new double[1024];
        private final Map<Integer, Integer> lineOfRow = new HashMap<>();

        Builder(String source, Mode mode) {
            this.source = source;
            this.mode = mode;
        }

        void addLine(byte[] buf, int off, int len, int lineNo) {
            if (isBlank(buf, off, len)) {
                return;
            }
            try {
                addRow(buf, off, len, lineNo);
            } catch (BadRow e) {
                String msg = source + ":" + lineNo + ": " + e.getMessage();
                if (mode == Mode.STRICT) {
                    throw new MaestroException(msg);
                }
                skipped++;
                if (problems.size() < MAX_PROBLEMS_KEPT) {
                    problems.add(msg);
                }
            }
        }

        private static boolean isBlank(byte[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                byte c = buf[i];
                if (c != ' ' && c != '\t' && c != '\r') {
                    return false;
                }
            }
            return true;
        }

        private void addRow(byte[] buf, int off, int len, int lineNo) throws BadRow {
            String taskId = null, model = null, skill = null, response = null, answer = null;
            byte flag = NO_FLAG;
            long in = -1, out = -1;
            double cost = Double.NaN, latency = Double.NaN;
            try (JsonParser p = JSON.createParser(buf, off, len)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new BadRow("expected a JSON object {task_id, model, skill, ...}");
                }
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    switch (field) {
                        case "task_id" -> taskId = idText(p, v, field);
                        case "model" -> model = requiredString(p, v, field);
                        case "skill" -> skill = requiredString(p, v, field);
                        case "response" -> response = optionalText(p, v, field);
                        case "answer" -> answer = optionalText(p, v, field);
                        case "correct" -> {
                            if (v == JsonToken.VALUE_TRUE) {
                                flag = 1;
                            } else if (v == JsonToken.VALUE_FALSE) {
                                flag = 0;
                            } else if (v != JsonToken.VALUE_NULL) {
                                throw new BadRow("field 'correct' must be true, false or null, got " + p.getText());
                            }
                        }
                        case "tokens" -> {
                            if (v == JsonToken.VALUE_NUMBER_INT) {
                                out = nonNegative(p.getLongValue(), field);
                                in = -1;
                            } else if (v == JsonToken.START_OBJECT) {
                                long[] io = tokens(p);
                                in = io[0];
                                out = io[1];
                            } else if (v != JsonToken.VALUE_NULL) {
                                throw new BadRow("field 'tokens' must be {\"input\": n, \"output\": m} or an integer, got "
                                        + p.getText());
                            }
                        }
                        case "cost_usd" -> cost = optionalNumber(p, v, field);
                        case "latency_ms" -> latency = optionalNumber(p, v, field);
                        default -> p.skipChildren();
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    throw new BadRow("malformed JSON object");
                }
                if (p.nextToken() != null) {
                    throw new BadRow("trailing content after the JSON object");
                }
            } catch (IOException e) {
                // Jackson's message includes a location inside the line; keep it short and single-line
                String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                throw new BadRow("invalid JSON: " + m);
            }
            if (taskId == null || model == null || skill == null) {
                throw new BadRow("missing required field(s)"
                        + (taskId == null ? " task_id" : "") + (model == null ? " model" : "") + (skill == null ? " skill" : "")
                        + "; each row needs task_id, model and skill");
            }
            Map<String, Integer> byTask = index.computeIfAbsent(intern(model), k -> new LinkedHashMap<>())
                    .computeIfAbsent(intern(skill), k -> new HashMap<>(4096));
            String tid = intern(taskId);
            Integer prev = byTask.get(tid);
            if (prev != null) {
                throw new BadRow("duplicate row for task " + taskId + ", model " + model + ", skill " + skill
                        + " (first at line " + lineOfRow.get(prev) + ")");
            }
            grow();
            int i = size++;
            byTask.put(tid, i);
            lineOfRow.put(i, lineNo);
            taskIds[i] = tid;
            models[i] = intern(model);
            skills[i] = intern(skill);
            responses[i] = response;
            answers[i] = answer;
            correct[i] = flag;
            inputTokens[i] = in;
            outputTokens[i] = out;
            costUsd[i] = cost;
            latencyMs[i] = latency;
        }

        private long[] tokens(JsonParser p) throws IOException, BadRow {
            long in = -1, out = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (v != JsonToken.VALUE_NUMBER_INT) {
                    throw new BadRow("field 'tokens." + f + "' must be a non-negative integer, got " + p.getText());
                }
                switch (f) {
                    case "input", "prompt_tokens" -> in = nonNegative(p.getLongValue(), "tokens." + f);
                    case "output", "completion_tokens" -> out = nonNegative(p.getLongValue(), "tokens." + f);
                    default -> { /* e.g. total: derivable, ignored */ }
                }
            }
            if (out < 0) {
                throw new BadRow("field 'tokens' needs an 'output' count, e.g. {\"input\": 812, \"output\": 95}");
            }
            return new long[] {in, out};
        }

        private static long nonNegative(long v, String field) throws BadRow {
            if (v < 0) {
                throw new BadRow("field '" + field + "' must be >= 0, got " + v);
            }
            return v;
        }

        private static String idText(JsonParser p, JsonToken v, String field) throws IOException, BadRow {
            if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT) {
                String s = p.getText();
                if (!s.isBlank()) {
                    return s;
                }
            }
            throw new BadRow("field '" + field + "' must be a non-empty string or integer, got " + describe(p, v));
        }

        private static String requiredString(JsonParser p, JsonToken v, String field) throws IOException, BadRow {
            if (v == JsonToken.VALUE_STRING && !p.getText().isBlank()) {
                return p.getText();
            }
            throw new BadRow("field '" + field + "' must be a non-empty string, got " + describe(p, v));
        }

        private static String optionalText(JsonParser p, JsonToken v, String field) throws IOException, BadRow {
            if (v == JsonToken.VALUE_NULL) {
                return null;
            }
            if (v == JsonToken.VALUE_STRING || v.isNumeric() || v.isBoolean()) {
                return p.getText();
            }
            throw new BadRow("field '" + field + "' must be a string or null, got " + describe(p, v));
        }

        private static double optionalNumber(JsonParser p, JsonToken v, String field) throws IOException, BadRow {
            if (v == JsonToken.VALUE_NULL) {
                return Double.NaN;
            }
            if (v.isNumeric()) {
                double d = p.getDoubleValue();
                if (Double.isFinite(d) && d >= 0) {
                    return d;
                }
            }
            throw new BadRow("field '" + field + "' must be a number >= 0 or null, got " + describe(p, v));
        }

        private static String describe(JsonParser p, JsonToken v) throws IOException {
            return switch (v) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_NULL -> "null";
                default -> p.getText();
            };
        }

        private String intern(String s) {
            String prior = strings.putIfAbsent(s, s);
            return prior == null ? s : prior;
        }

        private void grow() {
            if (size < taskIds.length) {
                return;
            }
            int n = taskIds.length * 2;
            taskIds = Arrays.copyOf(taskIds, n);
            models = Arrays.copyOf(models, n);
            skills = Arrays.copyOf(skills, n);
            responses = Arrays.copyOf(responses, n);
            answers = Arrays.copyOf(answers, n);
            correct = Arrays.copyOf(correct, n);
            inputTokens = Arrays.copyOf(inputTokens, n);
            outputTokens = Arrays.copyOf(outputTokens, n);
            costUsd = Arrays.copyOf(costUsd, n);
            latencyMs = Arrays.copyOf(latencyMs, n);
        }
    }
}
