package dev.maestro.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.TraceSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
            return new TraceFile(Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new MaestroException("cannot open trace file " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void accept(EpisodeResult r) {
        try {
            w.write(JSON.writeValueAsString(r.memo().isEmpty() ? r : withoutMemo(r)) + "\n");
            w.flush();
        } catch (IOException e) {
            throw new MaestroException("cannot write trace: " + e.getMessage(), e);
        }
    }

    private static EpisodeResult withoutMemo(EpisodeResult r) {
        return new EpisodeResult(r.taskId(), r.group(), r.policy(), r.seed(), r.answer(), r.grade(), r.gradedBy(), r.reward(),
                r.calls(), r.costUsd(), r.latencyMs(), r.usage(), r.malformed(), r.errors(), r.simulated(), r.steps(),
                java.util.List.of());
    }

    @Override
    public synchronized void close() throws IOException {
        w.close();
    }
}
