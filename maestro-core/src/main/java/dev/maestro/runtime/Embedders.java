package dev.maestro.runtime;

import dev.maestro.MaestroException;
import dev.maestro.policy.embed.BgeSmallEmbedder;
import dev.maestro.policy.embed.CachingEmbedder;
import dev.maestro.policy.embed.HashingEmbedder;
import dev.maestro.policy.embed.TextEmbedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text embedders by name, each behind a persistent cache so a text is embedded once per machine.
 *
 * <p>Names round-trip: every name {@link #open} accepts gives an embedder whose {@link TextEmbedder#name()} (the
 * name a checkpoint stores) {@link #open} accepts too and resolves to the same embedder. The short names offered
 * to users are {@link #names()}; {@code hashing-384} is stored in checkpoints as {@code hashing-d384-n2}
 * (dimension and n-gram size), and both resolve to the same hashing embedder.
 */
public final class Embedders {
    /** The default embedder: the BGE-small sentence encoder shipped inside the jar. */
    public static final String DEFAULT = BgeSmallEmbedder.NAME;
    /** The hashing embedder offered by name (dependency-free, a microsecond per sentence). */
    public static final String HASHING = "hashing-384";

    private static final Pattern SHORT_HASHING = Pattern.compile("hashing-(\\d{1,5})");
    private static final Pattern FULL_HASHING = Pattern.compile("hashing-d(\\d{1,5})-n(\\d)");
    private static final int MAX_HASHING_DIMENSION = 4096;

    private final Path cacheDir;
    private final Path shippedDir;
    private final int threads;

    private Embedders(Path cacheDir, Path shippedDir, int threads) {
        this.cacheDir = cacheDir;
        this.shippedDir = shippedDir;
        this.threads = threads;
    }

    /** Embedders caching under {@code home/.cache} and seeded from {@code home/data/embeddings}. */
    public static Embedders of(MaestroHome home) {
        return new Embedders(home.cacheDir(), home.dir().resolve("data/embeddings"),
                Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** Embedders caching in {@code cacheDir}, with no shipped embeddings to seed from. */
    public static Embedders caching(Path cacheDir) {
        return new Embedders(cacheDir, cacheDir.resolve("no-shipped-embeddings"), Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** The names offered to users, default first. */
    public static List<String> names() {
        return List.of(DEFAULT, HASHING);
    }

    /** The embedder a name stands for (uncached), or a {@link MaestroException} naming the valid names. */
    public TextEmbedder base(String name) {
        if (name.equals(BgeSmallEmbedder.NAME)) {
            return BgeSmallEmbedder.create(threads);
        }
        Matcher s = SHORT_HASHING.matcher(name);
        if (s.matches()) {
            return HashingEmbedder.create(dimension(name, s.group(1)));
        }
        Matcher f = FULL_HASHING.matcher(name);
        if (f.matches()) {
            int n = Integer.parseInt(f.group(2));
            if (n < 1 || n > 5) {
                throw unknown(name);
            }
            return HashingEmbedder.create(dimension(name, f.group(1)), n);
        }
        throw unknown(name);
    }

    private static int dimension(String name, String digits) {
        int d = Integer.parseInt(digits);
        if (d < 1 || d > MAX_HASHING_DIMENSION) {
            throw new MaestroException("embedder '" + name + "': a hashing dimension must be 1.." + MAX_HASHING_DIMENSION);
        }
        return d;
    }

    private static MaestroException unknown(String name) {
        return new MaestroException("unknown embedder '" + name + "'; valid: " + String.join(", ", names())
                + " (checkpoints may also name hashing-dDIM-nN)");
    }

    /**
     * The named embedder behind its persistent cache ({@code embeddings-NAME.bin} by the embedder's own name, so
     * the short and the stored name share one file). The first open of the default embedder copies the shipped
     * embeddings of the shipped suites into the cache.
     */
    public CachingEmbedder open(String name) {
        TextEmbedder base = base(name);
        Path file = cacheDir.resolve("embeddings-" + base.name() + ".bin");
        Path shipped = shippedDir.resolve(base.name() + ".bin");
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
