package dev.maestro.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.TraceSink;
import dev.maestro.episode.Environment;
import dev.maestro.io.LimitExceededException;
import dev.maestro.io.LineReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Appends one JSON line per finished episode; each line is written whole under a lock, so lines never interleave. */
final class TraceFile implements TraceSink, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private final BufferedWriter w;

    private TraceFile(BufferedWriter w) {
        this.w = w;
    }

    static TraceFile open(Path p) {
        try {
            if (p.toAbsolutePath().getParent() != null) {
                Files.createDirectories(p.toAbsolutePath().getParent());
            }
            dropTornTail(p);
            return new TraceFile(Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new MaestroException("cannot open trace file " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * A run killed in the middle of a write leaves a last line without its newline; appending after it would glue
     * the next record to the fragment. Cut the file back to its last complete line.
     */
    static void dropTornTail(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
        }
    }

    /**
     * The episodes recorded in a trace file, for {@code eval --resume}: keyed by (policy, task, seed), which fix an
     * episode of a given suite and registry. A line that does not parse is refused with its number.
     */
    static Recorded read(Path p) {
        Map<String, EpisodeResult> done = new HashMap<>();
        if (Files.isRegularFile(p)) {
            try (LineReader r = LineReader.of(Files.newInputStream(p), p.toString())) {
                while (r.next()) {
                    String line = r.text();
                    int n = r.lineNumber();
                    if (line.isBlank()) {
                        continue;
                    }
                    EpisodeResult e;
                    try {
                        e = JSON.readValue(line, EpisodeResult.class);
                    } catch (JsonProcessingException bad) {
                        throw new MaestroException(p + ":" + n + ": not an episode trace line (" + bad.getOriginalMessage()
                                + "); --resume needs the --traces file an interrupted `maestro eval` wrote");
                    }
                    done.putIfAbsent(key(e.policy(), e.taskId(), e.seed()), e);
                }
            } catch (LimitExceededException e) {
                throw new MaestroException(e.getMessage(), e);
            } catch (IOException e) {
                throw new MaestroException("cannot read trace file " + p + ": " + e.getMessage(), e);
            }
        }
        return new Recorded(Map.copyOf(done));
    }

    /** Episodes read back from a trace file. */
    record Recorded(Map<String, EpisodeResult> episodes) implements Environment.EpisodeMemory {
        @Override
        public Optional<EpisodeResult> find(String policy, String taskId, long seed) {
            return Optional.ofNullable(episodes.get(key(policy, taskId, seed)));
        }
    }

    private static String key(String policy, String taskId, long seed) {
        return policy + "\u0000" + taskId + "\u0000" + seed;
    }

    @Override
    public synchronized void accept(EpisodeResult r) {
        try {
            // the policy's notes (decision records, conversations) are in-memory only: EpisodeResult never serialises them
            w.write(JSON.writeValueAsString(r) + "\n");
            w.flush();
        } catch (IOException e) {
            throw new MaestroException("cannot write trace: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        w.close();
    }
}
