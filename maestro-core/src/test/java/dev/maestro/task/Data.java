package dev.maestro.task;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's shipped data from the module folder tests run in. */
final class Data {
    private Data() {
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("data/mathv"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("data/mathv not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static Path mathv(String file) {
        return root().resolve("data/mathv").resolve(file);
    }

    static Path blind(String file) {
        return root().resolve("data/blind").resolve(file);
    }
}
