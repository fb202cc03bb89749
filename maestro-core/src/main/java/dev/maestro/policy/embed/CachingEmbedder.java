package dev.maestro.policy.embed;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * Memoises another embedder by the SHA-256 of the text (UTF-8), in memory and optionally in a file,
 * so a suite's questions are embedded once and later runs reload them in milliseconds.
 *
 * <p>File format (little-endian): {@code int magic "MEMB", int version 1, int nameLength, name bytes
 * (UTF-8), int dimension, int count, count × (32-byte SHA-256, dimension × float32), long crc32}
 * where the CRC covers everything before it. The embedder's {@link TextEmbedder#name()} and
 * dimension are checked on load, so vectors of two different models are never mixed.
 * {@link #save()} writes a temp file in the same folder and moves it over the old one (atomically
 * where the file system can), so a crash never leaves a half-written cache.
 *
 * <p>Thread-safe. Two threads missing on the same text may both compute it; the first stored wins
 * (identical values for a deterministic delegate). Returned arrays are copies.
 */
public final class CachingEmbedder implements TextEmbedder, AutoCloseable {
    static final int MAGIC = 0x424D454D; // "MEMB" read little-endian
    static final int VERSION = 1;
    private static final int HASH_BYTES = 32;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });

    /** The 256-bit digest as four longs: cheap equals/hashCode, no string formatting. */
    record Key(long a, long b, long c, long d) {
        static Key of(byte[] digest) {
            ByteBuffer bb = ByteBuffer.wrap(digest);
            return new Key(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
        }

        void put(ByteBuffer bb) {
            bb.order(ByteOrder.BIG_ENDIAN).putLong(a).putLong(b).putLong(c).putLong(d).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private final TextEmbedder delegate;
    private final Optional<Path> file;
    private final ConcurrentHashMap<Key, float[]> cache = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private volatile boolean dirty;

    private CachingEmbedder(TextEmbedder delegate, Optional<Path> file) {
        this.delegate = delegate;
        this.file = file;
    }

    /** A cache that lives only as long as this object. */
    public static CachingEmbedder inMemory(TextEmbedder delegate) {
        return new CachingEmbedder(delegate, Optional.empty());
    }

    /**
     * A cache backed by {@code file}: loaded now if the file exists, written by {@link #save()} and
     * {@link #close()}. Throws if the file is not a cache, is corrupted, or was made by another embedder.
     */
    public static CachingEmbedder open(TextEmbedder delegate, Path file) {
        CachingEmbedder c = new CachingEmbedder(delegate, Optional.of(file));
        if (Files.exists(file)) {
            c.load(file);
        }
        return c;
    }

    static Key key(String text) {
        MessageDigest md = SHA256.get();
        return Key.of(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public float[] embed(String text) {
        Key k = key(text);
        float[] v = cache.get(k);
        if (v != null) {
            hits.incrementAndGet();
            return v.clone();
        }
        misses.incrementAndGet();
        float[] computed = checked(delegate.embed(text), text);
        float[] prior = cache.putIfAbsent(k, computed.clone());
        dirty = true;
        return prior != null ? prior.clone() : computed;
    }

    /** Looks everything up, sends only the distinct misses to the delegate in one batch. */
    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<Key> keys = new ArrayList<>(texts.size());
        Map<Key, String> missing = new LinkedHashMap<>();
        for (String t : texts) {
            Key k = key(t);
            keys.add(k);
            if (!cache.containsKey(k)) {
                missing.putIfAbsent(k, t);
            }
        }
        if (!missing.isEmpty()) {
            List<String> todo = new ArrayList<>(missing.values());
            List<float[]> vectors = delegate.embedAll(todo);
            if (vectors.size() != todo.size()) {
                throw new MaestroException("embedder " + delegate.name() + " returned " + vectors.size() + " vectors for " + todo.size() + " texts");
            }
            int i = 0;
            for (Key k : missing.keySet()) {
                cache.putIfAbsent(k, checked(vectors.get(i), todo.get(i)));
                i++;
            }
            dirty = true;
        }
        misses.addAndGet(missing.size());
        hits.addAndGet(texts.size() - missing.size());
        List<float[]> out = new ArrayList<>(texts.size());
        for (Key k : keys) {
            out.add(cache.get(k).clone());
        }
        return out;
    }

    private float[] checked(float[] v, String text) {
        if (v.length != delegate.dimension()) {
            throw new MaestroException("embedder " + delegate.name() + " returned " + v.length + " dimensions, declared "
                    + delegate.dimension() + " (text of " + text.length() + " chars)");
        }
        return v;
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    public int size() {
        return cache.size();
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    public Optional<Path> file() {
        return file;
    }

    /** Writes the cache to its file if anything was added since the last load or save. */
    public synchronized void save() {
        if (file.isEmpty() || !dirty) {
            return;
        }
        Path target = file.get().toAbsolutePath();
        dirty = false; // entries added during the write mark it dirty again
        byte[] nameBytes = delegate.name().getBytes(StandardCharsets.UTF_8);
        int dim = delegate.dimension();
        List<Map.Entry<Key, float[]>> entries = new ArrayList<>(cache.entrySet());
        long size = 4L * 4 + nameBytes.length + 4 + (long) entries.size() * (HASH_BYTES + 4L * dim) + 8;
        if (size > Integer.MAX_VALUE) {
            throw new MaestroException("embedding cache " + target + " would be " + size + " bytes; split it (limit 2 GB)");
        }
        ByteBuffer bb = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(MAGIC).putInt(VERSION).putInt(nameBytes.length).put(nameBytes).putInt(dim).putInt(entries.size());
        for (Map.Entry<Key, float[]> e : entries) {
            e.getKey().put(bb);
            bb.asFloatBuffer().put(e.getValue());
            bb.position(bb.position() + 4 * dim);
        }
        CRC32 crc = new CRC32();
        crc.update(bb.array(), 0, bb.position());
        bb.putLong(crc.getValue());
        try {
            Path dir = target.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    out.write(bb.array());
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            dirty = true;
            throw new MaestroException("could not write embedding cache " + target + ": " + e.getMessage(), e);
        }
    }

    private void load(Path path) {
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new MaestroException("could not read embedding cache " + path + ": " + e.getMessage(), e);
        }
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int magic = bb.getInt();
            if (magic != MAGIC) {
                throw new MaestroException(path + " is not an embedding cache (bad magic); delete it or choose another file");
            }
            int version = bb.getInt();
            if (version != VERSION) {
                throw new MaestroException(path + ": embedding cache version " + version + " is not supported (supported: " + VERSION + ")");
            }
            int nameLength = bb.getInt();
            if (nameLength < 0 || nameLength > 1024) {
                throw new MaestroException(path + ": corrupted embedding cache (name length " + nameLength + ")");
            }
            byte[] nameBytes = new byte[nameLength];
            bb.get(nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            int dim = bb.getInt();
            if (!name.equals(delegate.name()) || dim != delegate.dimension()) {
                throw new MaestroException(path + " holds vectors of embedder '" + name + "' (" + dim + "-d), but this cache wraps '"
                        + delegate.name() + "' (" + delegate.dimension() + "-d); use a separate file per embedder");
            }
            int count = bb.getInt();
            long expected = (long) bb.position() + (long) count * (HASH_BYTES + 4L * dim) + 8;
            if (count < 0 || expected != all.length) {
                throw new MaestroException(path + ": embedding cache truncated or corrupted (" + all.length + " bytes, header says "
                        + expected + ")");
            }
            CRC32 crc = new CRC32();
            crc.update(all, 0, all.length - 8);
            long stored = ByteBuffer.wrap(all, all.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (stored != crc.getValue()) {
                throw new MaestroException(path + ": embedding cache checksum mismatch (file corrupted); delete it to rebuild");
            }
            for (int i = 0; i < count; i++) {
                bb.order(ByteOrder.BIG_ENDIAN);
                Key k = new Key(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
                bb.order(ByteOrder.LITTLE_ENDIAN);
                float[] v = new float[dim];
                bb.asFloatBuffer().get(v);
                bb.position(bb.position() + 4 * dim);
                cache.put(k, v);
            }
        } catch (BufferUnderflowException e) {
            throw new MaestroException(path + ": embedding cache truncated", e);
        }
    }

    /** Saves (if file-backed and changed). */
    @Override
    public void close() {
        save();
    }
}
