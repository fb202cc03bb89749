package dev.maestro.expert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maestro.MaestroException;
import dev.maestro.registry.RequestSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
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
 * Record-and-replay cache of successful expert replies in a SQLite file.
 *
 * <p>The key is the SHA-256 of the model id and served model name, the skill name, the rendered
 * prompt, the SHA-256 of every image's bytes, the sampling parameters and the model card's request settings
 * ({@link RequestSettings}: temperature, top-p, max tokens, seed, stop, system prompt, header names and value
 * templates — never a value read from the environment —, extra body), so an identical call is
 * answered from the file with zero backend calls, also after a restart. Only successful replies are
 * stored: a failure (timeout, 5xx) is not a fact about the model worth replaying. A hit returns the
 * stored reply as recorded (text, usage, cost, latency), so replayed experiments report what the
 * original call cost. Identical concurrent misses are collapsed into one backend call.
 *
 * <p>The file uses WAL journaling so several caching experts (one per model) may share it; access
 * to this instance's connection is serialised. A broken cache (disk full, locked file) never fails a
 * call: it is logged and the call goes to the backend.
 */
public final class CachingExpert implements Expert {
    private static final Logger LOG = LoggerFactory.getLogger(CachingExpert.class);
    private static final String KEY_VERSION = "maestro-cache-v1";

    private final Expert delegate;
    private final Path file;
    private final Connection connection;
    private final ConcurrentHashMap<String, CompletableFuture<ExpertReply>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    private CachingExpert(Expert delegate, Path file, Connection connection) {
        this.delegate = delegate;
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) the cache file; {@link #close()} closes it and the delegate. */
    public static CachingExpert open(Expert delegate, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA busy_timeout=10000");
                st.execute("PRAGMA synchronous=NORMAL");
                st.execute("CREATE TABLE IF NOT EXISTS replies ("
                        + "key TEXT PRIMARY KEY, model TEXT NOT NULL, skill TEXT NOT NULL, text TEXT, answer TEXT, "
                        + "recorded_correct INTEGER, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, "
                        + "cost_usd REAL NOT NULL, latency_ms REAL NOT NULL, simulated INTEGER NOT NULL, "
                        + "created_ms INTEGER NOT NULL)");
            }
            return new CachingExpert(delegate, file, c);
        } catch (SQLException | IOException e) {
            throw new MaestroException("cannot open expert cache " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
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
            if (reply.ok()) {
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
            MessageDigest d = MessageDigest.getInstance("SHA-256");
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
            RequestSettings rs = r.model().request();
            if (!rs.isEmpty()) {
                // only when set, so the keys of models without request settings stay those of earlier caches
                field(d, "request-settings");
                field(d, canonical(rs));
            }
            return Optional.of(HexFormat.of().formatHex(d.digest()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("request settings of plain values always serialise", e);
        }
    }

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** Length-prefixed so that ("ab","c") and ("a","bc") never collide. */
    private static void field(MessageDigest d, String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        d.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        d.update((byte) ':');
        d.update(b);
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
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
        synchronized (connection) {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT text, answer, recorded_correct, input_tokens, output_tokens, cost_usd, latency_ms, simulated "
                            + "FROM replies WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    int correct = rs.getInt(3);
                    Optional<Boolean> rc = rs.wasNull() ? Optional.empty() : Optional.of(correct == 1);
                    return Optional.of(new ExpertReply(Optional.ofNullable(rs.getString(1)),
                            Optional.ofNullable(rs.getString(2)), rc,
                            new Usage(rs.getLong(4), rs.getLong(5)), rs.getDouble(6), rs.getDouble(7),
                            Optional.empty(), rs.getInt(8) == 1));
                }
            } catch (SQLException e) {
                LOG.warn("expert cache {} lookup failed, calling the backend: {}", file, e.getMessage());
                return Optional.empty();
            }
        }
    }

    private void store(String key, ExpertRequest request, ExpertReply reply) {
        synchronized (connection) {
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT OR REPLACE INTO replies (key, model, skill, text, answer, recorded_correct, input_tokens, "
                            + "output_tokens, cost_usd, latency_ms, simulated, created_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, key);
                ps.setString(2, request.model().id());
                ps.setString(3, request.skill().name());
                ps.setString(4, reply.text().orElse(null));
                ps.setString(5, reply.answer().orElse(null));
                if (reply.recordedCorrect().isPresent()) {
                    ps.setInt(6, reply.recordedCorrect().get() ? 1 : 0);
                } else {
                    ps.setNull(6, Types.INTEGER);
                }
                ps.setLong(7, reply.usage().inputTokens());
                ps.setLong(8, reply.usage().outputTokens());
                ps.setDouble(9, reply.costUsd());
                ps.setDouble(10, reply.latencyMs());
                ps.setInt(11, reply.simulated() ? 1 : 0);
                ps.setLong(12, System.currentTimeMillis());
                ps.executeUpdate();
            } catch (SQLException e) {
                LOG.warn("expert cache {} write failed; the reply is returned uncached: {}", file, e.getMessage());
            }
        }
    }

    /** Number of stored replies. */
    public long size() {
        synchronized (connection) {
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM replies")) {
                return rs.next() ? rs.getLong(1) : 0;
            } catch (SQLException e) {
                throw new MaestroException("cannot read expert cache " + file + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (connection) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.warn("closing expert cache {} failed: {}", file, e.getMessage());
            }
        }
        delegate.close();
    }

    @Override
    public String toString() {
        return "Caching[" + file.getFileName() + "](" + delegate + ")";
    }
}
