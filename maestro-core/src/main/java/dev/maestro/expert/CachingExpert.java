package dev.maestro.expert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maestro.MaestroException;
import dev.maestro.registry.Backend;
import dev.maestro.registry.RequestSettings;
import dev.maestro.task.ChatContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Record-and-replay cache of successful expert replies in a {@link ReplyStore}: a SQLite file (the default) or a
 * PostgreSQL database shared by several servers ({@link SqlReplyStore}).
 *
 * <p>The key is the SHA-256 of the model id and served model name, the skill name, the rendered
 * prompt, the SHA-256 of every image's bytes, the sampling parameters (top-p and stop sequences when set), the chat
 * history of a served conversation (roles, texts, image digests) and the model card's request settings
 * ({@link RequestSettings}: temperature, top-p, max tokens, seed, stop, system prompt, header names and value
 * templates — never a value read from the environment —, extra body), so an identical call is
 * answered from the store with zero backend calls, also after a restart and from another replica. Only successful
 * replies are stored: a failure (timeout, 5xx) is not a fact about the model worth replaying, and neither is an
 * answer a fallback deployment gave for it. A hit returns the
 * stored reply as recorded (text, usage, cost, latency), so replayed experiments report what the
 * original call cost. Identical concurrent misses in one process are collapsed into one backend call.
 *
 * <p>Several caching experts (one per model) may share one store. A broken store (disk full, locked file, database
 * down) never fails a call: it is logged and the call goes to the backend.
 */
public final class CachingExpert implements Expert {
    private static final Logger LOG = LoggerFactory.getLogger(CachingExpert.class);
    private static final String KEY_VERSION = "maestro-cache-v1";

    private final Expert delegate;
    private final ReplyStore store;
    private final boolean ownsStore;
    private final ConcurrentHashMap<String, CompletableFuture<ExpertReply>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    private CachingExpert(Expert delegate, ReplyStore store, boolean ownsStore) {
        this.delegate = delegate;
        this.store = store;
        this.ownsStore = ownsStore;
    }

    /** Opens (creating if needed) a SQLite cache file of its own; {@link #close()} closes it and the delegate. */
    public static CachingExpert open(Expert delegate, Path file) {
        return new CachingExpert(delegate, SqlReplyStore.sqlite(file), true); // its errors name the file
    }

    /** Caches in a store others share: {@link #close()} closes the delegate, not the store (its owner does). */
    public static CachingExpert create(Expert delegate, ReplyStore store) {
        return new CachingExpert(delegate, store, false);
    }

    /** Where the replies are stored (a file path, or a PostgreSQL URL without password). */
    public String storeName() {
        return store.describe();
    }

    /** The expert behind the cache (a request that must not be answered from, nor stored in, the cache goes here). */
    public Expert delegate() {
        return delegate;
    }

    /** Calls answered from the cache since this instance was opened. */
    public long hits() {
        return hits.get();
    }

    /** Calls that went to the backend. */
    public long misses() {
        return misses.get();
    }

    @Override
    public ExpertReply call(ExpertRequest request) {
        Optional<String> key = key(request);
        if (key.isEmpty()) {
            // an unreadable image: let the backend report it properly, do not cache
            misses.incrementAndGet();
            return delegate.call(request);
        }
        Optional<ExpertReply> cached = lookup(key.get());
        if (cached.isPresent()) {
            hits.incrementAndGet();
            return cached.get();
        }
        CompletableFuture<ExpertReply> mine = new CompletableFuture<>();
        CompletableFuture<ExpertReply> theirs = inFlight.putIfAbsent(key.get(), mine);
        if (theirs != null) {
            hits.incrementAndGet();
            return theirs.join();
        }
        try {
            // a racing thread may have stored it between our lookup and our claim
            Optional<ExpertReply> again = lookup(key.get());
            if (again.isPresent()) {
                hits.incrementAndGet();
                mine.complete(again.get());
                return again.get();
            }
            misses.incrementAndGet();
            ExpertReply reply = delegate.call(request);
            // a fallback's answer is not the asked model's: replaying it under this model's key would misattribute it
            if (reply.ok() && reply.fallback().isEmpty()) {
                store(key.get(), request, reply);
            }
            mine.complete(reply);
            return reply;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key.get(), mine);
        }
    }

    /** The cache key of a request, or empty when an image cannot be read. */
    public static Optional<String> key(ExpertRequest r) {
        try {
            KeyBytes d = new KeyBytes();
            field(d, KEY_VERSION);
            field(d, r.model().id());
            field(d, r.model().modelName().orElse(""));
            field(d, r.skill().name());
            field(d, r.prompt());
            field(d, Integer.toString(r.images().size()));
            for (Path image : r.images()) {
                field(d, sha256(image));
            }
            ExpertRequest.Sampling s = r.sampling();
            field(d, Double.toString(s.temperature()));
            field(d, Integer.toString(s.maxTokens()));
            field(d, s.seed().map(String::valueOf).orElse("-"));
            // Added after the first caches were written: only when set, so earlier keys stay valid.
            if (s.topP().isPresent() || !s.stop().isEmpty()) {
                field(d, "top-p-stop");
                field(d, s.topP().map(String::valueOf).orElse("-"));
                field(d, Integer.toString(s.stop().size()));
                for (String x : s.stop()) {
                    field(d, x);
                }
            }
            if (!r.history().isEmpty()) {
                field(d, "history");
                field(d, Integer.toString(r.history().size()));
                for (ChatContext.Message m : r.history()) {
                    field(d, m.role().id());
                    field(d, m.text());
                    field(d, Integer.toString(m.images().size()));
                    for (Path image : m.images()) {
                        field(d, sha256(image));
                    }
                }
            }
            if (r.model().backend() != Backend.OPENAI) {
                // only for the other backends, so the keys of openai models stay those of earlier caches
                field(d, "backend");
                field(d, r.model().backend().id());
            }
            RequestSettings rs = r.model().request();
            if (!rs.isEmpty()) {
                // only when set, so the keys of models without request settings stay those of earlier caches
                field(d, "request-settings");
                field(d, canonical(rs));
            }
            return Optional.of(HexFormat.of().formatHex(d.digest()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The settings as JSON with every map's keys sorted: equal settings, equal text. */
    static String canonical(RequestSettings rs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("temperature", rs.temperature().orElse(null));
        m.put("top_p", rs.topP().orElse(null));
        m.put("max_tokens", rs.maxTokens().orElse(null));
        m.put("seed", rs.seed().orElse(null));
        m.put("stop", rs.stop());
        m.put("system_prompt", rs.systemPrompt().orElse(null));
        m.put("headers", rs.headers());
        m.put("extra_body", rs.extraBody());
        try {
            return CANONICAL.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("request settings of plain values always serialise", e);
        }
    }

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** Length-prefixed so that ("ab","c") and ("a","bc") never collide. */
    private static void field(KeyBytes d, String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        d.writeBytes(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        d.write(':');
        d.writeBytes(b);
    }

    /**
     * The bytes a key hashes, gathered first and digested with one update: the same digest as updating field by field,
     * without some thirty small digest updates per cache lookup.
     */
    private static final class KeyBytes extends ByteArrayOutputStream {
        KeyBytes() {
            super(512); // a served question's key is a few hundred bytes; 1 KB showed among the largest allocations per request
        }

        byte[] digest() {
            MessageDigest d = sha256();
            d.update(buf, 0, count);
            return d.digest();
        }
    }

    /**
     * A fresh SHA-256 digest, cloned from one made once: {@code MessageDigest.getInstance} looks the algorithm up in
     * the security providers on every call, which profiling showed as a visible part of a cache hit's CPU.
     */
    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 digest is cloneable", e);
        }
    }

    private static final MessageDigest SHA256 = newSha256();

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private Optional<ExpertReply> lookup(String key) {
        try {
            return store.find(key);
        } catch (MaestroException e) {
            LOG.warn("{}; calling the backend", e.getMessage());
            return Optional.empty();
        }
    }

    private void store(String key, ExpertRequest request, ExpertReply reply) {
        try {
            store.put(key, request.model().id(), request.skill().name(), reply);
        } catch (MaestroException e) {
            LOG.warn("{}; the reply is returned uncached", e.getMessage());
        }
    }

    /** Number of stored replies. */
    public long size() {
        return store.size();
    }

    @Override
    public void close() {
        if (ownsStore) {
            store.close();
        }
        delegate.close();
    }

    @Override
    public String toString() {
        return "Caching[" + store.shortName() + "](" + delegate + ")";
    }
}
