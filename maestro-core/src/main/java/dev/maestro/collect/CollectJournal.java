package dev.maestro.collect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.MaestroException;
import dev.maestro.io.LimitExceededException;
import dev.maestro.io.LineReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The append-only log of a collection ({@code collect.jsonl}): a header line naming the registry, then one line
 * per finished (task, pair) call, successful or failed, written whole with one {@code write} as soon as the call
 * ends. A {@code kill -9} can therefore lose at most the line being written; {@link #open} with {@code resume}
 * cuts such a torn last line off, and the calls it lists as successful are never made again. Failed calls are
 * listed for the record and tried again on resume.
 */
final class CollectJournal implements AutoCloseable {
    static final String FILE = "collect.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    /**
     * One finished (task, pair) call.
     *
     * @param rows      the expert replies it produced, in the recorded-outputs format (empty when it failed)
     * @param costUsd   what its replies cost
     * @param calls     expert requests the skill made (a workflow step each; retries not included)
     * @param errorKind the failure's kind, when it failed
     */
    record Entry(String taskId, String pair, boolean ok, List<RecordedRow> rows, double costUsd, int calls,
                 Optional<String> errorKind, Optional<String> errorMessage) {
        Entry {
            rows = List.copyOf(rows);
        }
    }

    private final Path file;
    private final OutputStream out;
    private final List<Entry> entries;
    private final int repairedBytes;

    private CollectJournal(Path file, OutputStream out, List<Entry> entries, int repairedBytes) {
        this.file = file;
        this.out = out;
        this.entries = Collections.synchronizedList(entries);
        this.repairedBytes = repairedBytes;
    }

    /**
     * Opens the journal in {@code dir}. Without {@code resume}, an existing journal is refused (a collection is
     * continued explicitly, never overwritten by accident); with it, the journal is read back and a torn last line
     * is cut off.
     */
    static CollectJournal open(Path dir, boolean resume, String registryName) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            List<Entry> entries = new ArrayList<>();
            int repaired = 0;
            boolean exists = Files.isRegularFile(file) && Files.size(file) > 0;
            if (exists && !resume) {
                throw new MaestroException(dir + " already holds a collection (" + FILE + "); continue it with --resume, "
                        + "or give another --out folder");
            }
            if (exists) {
                repaired = repairTail(file);
                entries.addAll(read(file, registryName));
            }
            OutputStream out = new FileOutputStream(file.toFile(), true);
            CollectJournal j = new CollectJournal(file, out, entries, repaired);
            if (Files.size(file) == 0) {
                ObjectNode h = JSON.createObjectNode();
                h.put("collect", FORMAT);
                h.put("registry", registryName);
                j.writeLine(h);
            }
            return j;
        } catch (IOException e) {
            throw new MaestroException("cannot open the collection journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** Cuts the file after its last newline (the rest is a line a kill interrupted); returns the bytes cut. */
    private static int repairTail(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (pos > 0) {
                one.clear();
                ch.read(one, pos - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                pos--;
            }
            if (pos < size) {
                ch.truncate(pos);
                ch.force(true);
            }
            return (int) (size - pos);
        }
    }

    private static List<Entry> read(Path file, String registryName) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (LineReader lines = LineReader.open(file)) { // lines capped
            while (lines.next()) {
                String line = lines.text();
                int lineNo = lines.lineNumber();
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new MaestroException(file + ":" + lineNo + ": corrupt journal line (" + e.getOriginalMessage()
                            + "); only a torn last line is repaired: move the file away to start over");
                }
                if (n.has("collect")) {
                    String reg = n.path("registry").asText();
                    if (!reg.equals(registryName)) {
                        throw new MaestroException(file + " collects registry '" + reg + "', not '" + registryName
                                + "'; resume with the same registry, or give another --out folder");
                    }
                    continue;
                }
                out.add(entry(n, file, lineNo));
            }
        } catch (LimitExceededException e) {
            throw new MaestroException(e.getMessage(), e);
        }
        return out;
    }

    private static Entry entry(JsonNode n, Path file, int lineNo) {
        if (!n.hasNonNull("task_id") || !n.hasNonNull("pair") || !n.has("ok")) {
            throw new MaestroException(file + ":" + lineNo + ": journal line lacks task_id, pair or ok");
        }
        List<RecordedRow> rows = new ArrayList<>();
        for (JsonNode r : n.path("rows")) {
            rows.add(new RecordedRow(r.path("task_id").asText(), r.path("model").asText(), r.path("skill").asText(),
                    text(r, "response"), text(r, "answer"),
                    r.hasNonNull("correct") ? Optional.of(r.get("correct").asBoolean()) : Optional.empty(),
                    r.path("tokens").has("input") ? OptionalLong.of(r.path("tokens").path("input").asLong()) : OptionalLong.empty(),
                    r.path("tokens").has("output") ? OptionalLong.of(r.path("tokens").path("output").asLong()) : OptionalLong.empty(),
                    r.path("cost_usd").asDouble(0), r.has("latency_ms") ? OptionalDouble.of(r.path("latency_ms").asDouble()) : OptionalDouble.empty()));
        }
        return new Entry(n.get("task_id").asText(), n.get("pair").asText(), n.get("ok").asBoolean(), rows,
                n.path("cost_usd").asDouble(0), n.path("calls").asInt(0), text(n, "error_kind"), text(n, "error"));
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
    }

    /** Entries read back from an earlier run, then those appended since. */
    List<Entry> entries() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }

    /** (task id, pair id) of every successful entry. */
    Set<String> done() {
        Set<String> s = new HashSet<>();
        for (Entry e : entries()) {
            if (e.ok()) {
                s.add(key(e.taskId(), e.pair()));
            }
        }
        return s;
    }

    static String key(String taskId, String pair) {
        return taskId + "\u0000" + pair;
    }

    /** Bytes of a torn last line cut off when the journal was opened. */
    int repairedBytes() {
        return repairedBytes;
    }

    Path file() {
        return file;
    }

    /** Appends one finished call, whole, with a single write (so a kill leaves no half line but the last). */
    void append(Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("task_id", e.taskId());
        n.put("pair", e.pair());
        n.put("ok", e.ok());
        n.put("calls", e.calls());
        n.put("cost_usd", e.costUsd());
        e.errorKind().ifPresent(k -> n.put("error_kind", k));
        e.errorMessage().ifPresent(m -> n.put("error", m));
        ArrayNode rows = n.putArray("rows");
        e.rows().forEach(r -> rows.add(r.toJson(JSON)));
        writeLine(n);
        entries.add(e);
    }

    private void writeLine(ObjectNode n) {
        try {
            byte[] b = (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (out) {
                out.write(b);
                out.flush();
            }
        } catch (IOException e) {
            throw new MaestroException("cannot append to the collection journal " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            synchronized (out) {
                out.close();
            }
        } catch (IOException e) {
            throw new MaestroException("cannot close the collection journal " + file + ": " + e.getMessage(), e);
        }
    }
}
