package dev.maestro.expert;

import dev.maestro.MaestroException;
import dev.maestro.store.Database;
import dev.maestro.store.Migration;
import dev.maestro.store.StoreLocation;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The record/replay cache's table {@code replies} in a {@link Database}: SQLite (the embedded default) or PostgreSQL
 * (shared by replicas). The schema is versioned as component {@code replies} in {@code schema_version}; version 1 is
 * the table earlier releases created without a version, so their cache files are adopted as they are.
 *
 * <p>Replies read or written are also kept in memory (least recently used first out, at most {@link #DEFAULT_MEMO_BYTES}
 * of text by default), so a hot key costs no database round trip. That is safe with several replicas: a key's reply
 * never changes meaning (the key covers everything the reply depends on), so a memorised reply is never stale; a key
 * this process has not seen yet is looked up in the database, where the other replicas' replies are.
 */
public final class SqlReplyStore implements ReplyStore {
    static final String COMPONENT = "replies";
    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "replies table",
            List.of("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT NOT NULL, skill TEXT NOT NULL, text TEXT,"
                    + " answer TEXT, recorded_correct INTEGER, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,"
                    + " cost_usd REAL NOT NULL, latency_ms REAL NOT NULL, simulated INTEGER NOT NULL, created_ms INTEGER NOT NULL)"),
            List.of("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT NOT NULL, skill TEXT NOT NULL, text TEXT,"
                    + " answer TEXT, recorded_correct INTEGER, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,"
                    + " cost_usd DOUBLE PRECISION NOT NULL, latency_ms DOUBLE PRECISION NOT NULL, simulated INTEGER NOT NULL,"
                    + " created_ms BIGINT NOT NULL)")));

    private static final String SELECT = "SELECT text, answer, recorded_correct, input_tokens, output_tokens, cost_usd, latency_ms,"
            + " simulated FROM replies WHERE key = ?";
    private static final String COLUMNS = "(key, model, skill, text, answer, recorded_correct, input_tokens, output_tokens, cost_usd,"
            + " latency_ms, simulated, created_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

    /** Text (answer + response characters, counted as two bytes each) kept in memory by default. */
    public static final long DEFAULT_MEMO_BYTES = 32L << 20;

    private final Database db;
    private final String insert;
    private final Memo memo;

    private SqlReplyStore(Database db, long memoBytes) {
        this.db = db;
        this.memo = new Memo(memoBytes);
        this.insert = db.dialect() == Database.Dialect.SQLITE ? "INSERT OR REPLACE INTO replies " + COLUMNS
                : "INSERT INTO replies " + COLUMNS + " ON CONFLICT (key) DO UPDATE SET model = EXCLUDED.model, skill = EXCLUDED.skill,"
                + " text = EXCLUDED.text, answer = EXCLUDED.answer, recorded_correct = EXCLUDED.recorded_correct,"
                + " input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cost_usd = EXCLUDED.cost_usd,"
                + " latency_ms = EXCLUDED.latency_ms, simulated = EXCLUDED.simulated, created_ms = EXCLUDED.created_ms";
    }

    /** The replies of a database another owner opened; closing this store releases its share only. */
    public static SqlReplyStore in(Database db) {
        return in(db, DEFAULT_MEMO_BYTES);
    }

    /** {@link #in(Database)} keeping at most {@code memoBytes} of replies in memory (0: none, every lookup reads the database). */
    public static SqlReplyStore in(Database db, long memoBytes) {
        if (memoBytes < 0) {
            throw new MaestroException("reply memo size must be >= 0 bytes (0: none), got " + memoBytes);
        }
        db.migrate(COMPONENT, MIGRATIONS);
        return new SqlReplyStore(db.share(), memoBytes);
    }

    /** Opens (creating if needed) a store by location. */
    public static SqlReplyStore open(StoreLocation location) {
        try (Database db = Database.open(location)) {
            return in(db);
        }
    }

    /** Opens (creating if needed) a SQLite cache file. */
    public static SqlReplyStore sqlite(Path file) {
        return open(StoreLocation.sqlite(file));
    }

    @Override
    public Optional<ExpertReply> find(String key) {
        Optional<ExpertReply> known = memo.get(key);
        if (known.isPresent()) {
            return known;
        }
        Optional<ExpertReply> found = read(key);
        found.ifPresent(r -> memo.put(key, r));
        return found;
    }

    private Optional<ExpertReply> read(String key) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(SELECT)) {
                    ps.setString(1, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.empty();
                        }
                        int correct = rs.getInt(3);
                        Optional<Boolean> rc = rs.wasNull() ? Optional.empty() : Optional.of(correct == 1);
                        return Optional.of(new ExpertReply(Optional.ofNullable(rs.getString(1)), Optional.ofNullable(rs.getString(2)),
                                rc, new Usage(rs.getLong(4), rs.getLong(5)), rs.getDouble(6), rs.getDouble(7), Optional.empty(),
                                rs.getInt(8) == 1));
                    }
                }
            });
        } catch (SQLException e) {
            throw new MaestroException("expert cache " + describe() + " lookup failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String key, String model, String skill, ExpertReply reply) {
        try {
            db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    ps.setString(1, key);
                    ps.setString(2, model);
                    ps.setString(3, skill);
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
                    return ps.executeUpdate();
                }
            });
            memo.put(key, reply);
        } catch (SQLException e) {
            throw new MaestroException("expert cache " + describe() + " write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long size() {
        try {
            return db.withConnection(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM replies")) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            });
        } catch (SQLException e) {
            throw new MaestroException("cannot read expert cache " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return db.location().describe();
    }

    @Override
    public String shortName() {
        return db.location().shortName();
    }

    @Override
    public void close() {
        db.close();
    }

    @Override
    public String toString() {
        return "SqlReplyStore[" + describe() + "]";
    }

    /** Least-recently-used replies by key, bounded by their text size. */
    private static final class Memo {
        private final long maxBytes;
        private final LinkedHashMap<String, ExpertReply> map = new LinkedHashMap<>(256, 0.75f, true);
        private long bytes;

        Memo(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        private static long size(String key, ExpertReply r) {
            return 2L * (key.length() + r.text().map(String::length).orElse(0) + r.answer().map(String::length).orElse(0)) + 200;
        }

        synchronized Optional<ExpertReply> get(String key) {
            return Optional.ofNullable(map.get(key));
        }

        synchronized void put(String key, ExpertReply r) {
            long s = size(key, r);
            if (s > maxBytes) {
                return;
            }
            ExpertReply old = map.put(key, r);
            if (old != null) {
                bytes -= size(key, old);
            }
            bytes += s;
            var it = map.entrySet().iterator();
            while (bytes > maxBytes && it.hasNext()) {
                var e = it.next();
                bytes -= size(e.getKey(), e.getValue());
                it.remove();
            }
        }
    }
}
