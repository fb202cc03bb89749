package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.policy.embed.BgeSmallEmbedder;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.policy.embed.HashingEmbedder;
import dev.maestro.policy.embed.TextEmbedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text embedders by name, with a persistent cache so each text is embedded once per machine. */
final class Embedders {
    static final String DEFAULT = BgeSmallEmbedder.NAME;

    private Embedders() {
    }

    static CachingEmbedder open(String name) {
        TextEmbedder base = switch (name) {
            case BgeSmallEmbedder.NAME -> BgeSmallEmbedder.create(Math.max(1, Runtime.getRuntime().availableProcessors()));
            case "hashing-384" -> HashingEmbedder.create(384);
            default -> throw new MaestroException("unknown embedder '" + name + "'; valid: " + BgeSmallEmbedder.NAME + ", hashing-384");
        };
        Path file = Home.cacheDir().resolve("embeddings-" + name + ".bin");
        Path shipped = Home.dir().resolve("data/embeddings/" + name + ".bin");
        if (!Files.exists(file) && Files.exists(shipped)) {
            // Seed the writable cache with the shipped embeddings of the shipped suites (see data/embeddings/README.md).
            try {
                Files.createDirectories(file.getParent());
                Files.copy(shipped, file);
            } catch (IOException e) {
                throw new MaestroException("cannot seed the embedding cache " + file + ": " + e.getMessage(), e);
            }
        }
        return CachingEmbedder.open(base, file);
    }
}
