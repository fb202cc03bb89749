package dev.maestro.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary folder for the images one request brought: made on the first file (most requests bring none), removed
 * with everything in it on {@link #close()}. Not thread-safe: one request, one folder.
 */
public final class ScratchFolder implements AutoCloseable {
    private final String prefix;
    private Path dir;
    private int written;

    /** {@code prefix} starts the folder's name under the system's temporary directory. */
    public ScratchFolder(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Writes {@code bytes} to a new file {@code image-N.EXT} (N counts the files written so far).
     *
     * @throws UncheckedIOException if the folder or the file cannot be written
     */
    public Path write(String extension, byte[] bytes) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory(prefix);
            }
            Path f = dir.resolve("image-" + written++ + "." + extension);
            Files.write(f, bytes);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: the system cleans its temporary folders too
        }
    }
}
