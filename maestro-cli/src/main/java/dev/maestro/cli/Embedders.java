package dev.maestro.cli;

import dev.maestro.MaestroException;
import dev.maestro.policy.embed.BgeSmallEmbedder;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.policy.embed.HashingEmbedder;
import dev.maestro.policy.embed.TextEmbedder;
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
        return CachingEmbedder.open(base, file);
    }
}
