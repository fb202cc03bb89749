package dev.maestro.store;

import dev.maestro.MaestroException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open store: SQLite through one connection used by one thread at a time (SQLite has one writer anyway, and WAL
 * lets other processes read meanwhile), PostgreSQL through a small pool of connections so concurrent requests do not
 * queue behind each other. Several users may share one database ({@link #share()}); it closes when the last of them
 * closes it.
 *
 * <p>Errors are {@link SQLException}s to the caller, who decides whether a failure is fatal (a migration) or only
 * logged (a cache lookup). A connection that failed with a connection-class error (SQLState 08…, or no longer valid)
 * is discarded instead of going back to the pool, so a restarted PostgreSQL server is reconnected to transparently.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final long BORROW_TIMEOUT_S = 30;

    /** SQL dialects the stores are written for. */
    public enum Dialect { SQLITE, POSTGRESQL }

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final StoreLocation location;
    private final Dialect dialect;
    private final LinkedBlockingDeque<Connection> idle = new LinkedBlockingDeque<>();
    private final Semaphore permits;
    private final AtomicInteger users = new AtomicInteger(1);
    private volatile boolean closed;

    private Database(StoreLocation location) {
        this.location = location;
        this.dialect = location.isPostgres() ? Dialect.POSTGRESQL : Dialect.SQLITE;
        this.permits = new Semaphore(location.poolSize(), true);
    }

    /** Opens a store (creating a SQLite file and its folder if needed) and checks that it can be reached. */
    public static Database open(StoreLocation location) {
        if (location.file().isPresent() && !location.file().get().toString().equals(":memory:")) {
            try {
                Path parent = location.file().get().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (IOException e) {
                throw new MaestroException("cannot create the folder of store " + location + ": " + e.getMessage(), e);
            }
        }
        Database db = new Database(location);
        try {
            db.withConnection(c -> null); // fail now, with a clear message, rather than on the first request
        } catch (SQLException e) {
            db.close();
            throw new MaestroException("cannot open store " + location + ": " + e.getMessage()
                    + (location.isPostgres() ? " (is PostgreSQL running there, and are the user, database and password right?)" : ""), e);
        }
        return db;
    }

    /** Opens a SQLite file. */
    public static Database sqlite(Path file) {
        return open(StoreLocation.sqlite(file));
    }

    public Dialect dialect() { return dialect; }

    public StoreLocation location() { return location; }

    /** One more user of this database; each user calls {@link #close()} once. */
    public Database share() {
        if (users.getAndUpdate(n -> n == 0 ? 0 : n + 1) == 0) {
            throw new IllegalStateException("store " + location + " is closed");
        }
        return this;
    }

    /** Runs {@code work} on a connection of its own (auto-commit on). */
    public <T> T withConnection(Work<T> work) throws SQLException {
        Connection c = borrow();
        boolean broken = false;
        try {
            return work.run(c);
        } catch (SQLException e) {
            broken = isConnectionError(e, c);
            throw e;
        } finally {
            giveBack(c, broken);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        return withConnection(c -> {
            c.setAutoCommit(false);
            try {
                T r = work.run(c);
                c.commit();
                return r;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    private Connection borrow() throws SQLException {
        if (closed) {
            throw new SQLException("store " + location + " is closed", "08003");
        }
        try {
            if (!permits.tryAcquire(BORROW_TIMEOUT_S, TimeUnit.SECONDS)) {
                throw new SQLException("no free connection to " + location + " within " + BORROW_TIMEOUT_S + " s (pool of "
                        + location.poolSize() + ")", "08001");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a connection to " + location, "08001");
        }
        Connection c = idle.pollFirst();
        if (c != null) {
            return c;
        }
        try {
            return connect();
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void giveBack(Connection c, boolean broken) {
        try {
            if (broken || closed) {
                closeQuietly(c);
            } else {
                idle.offerFirst(c);
            }
        } finally {
            permits.release();
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        location.user().ifPresent(u -> p.setProperty("user", u));
        location.password().ifPresent(pw -> p.setProperty("password", pw));
        Connection c = DriverManager.getConnection(location.jdbcUrl(), p);
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA synchronous=NORMAL");
            } catch (SQLException e) {
                closeQuietly(c);
                throw e;
            }
        }
        return c;
    }

    private static boolean isConnectionError(SQLException e, Connection c) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("08")) {
            return true;
        }
        try {
            return c.isClosed() || !c.isValid(2);
        } catch (SQLException ignored) {
            return true;
        }
    }

    /**
     * Brings {@code component}'s tables to the newest of {@code migrations} in one transaction, recording the version in
     * {@code schema_version}. A store whose schema is newer than the code knows is refused: the code would misread it.
     * Concurrent starts (two replicas) are serialised by an advisory lock (PostgreSQL) or an immediate transaction (SQLite).
     *
     * @return the version the store had before (0 for a new store)
     */
    public int migrate(String component, List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException(component + ": migration " + (i + 1) + " has version " + migrations.get(i).version());
            }
        }
        int known = migrations.size();
        try {
            return withConnection(c -> {
                boolean sqlite = dialect == Dialect.SQLITE;
                try (Statement s = c.createStatement()) {
                    if (sqlite) {
                        s.execute("BEGIN IMMEDIATE");
                    } else {
                        c.setAutoCommit(false);
                        s.execute("SELECT pg_advisory_xact_lock(" + lockKey(component) + ")");
                    }
                    try {
                        s.execute("CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                                + " applied_ms BIGINT NOT NULL)");
                        int current = 0;
                        try (PreparedStatement p = c.prepareStatement("SELECT version FROM schema_version WHERE component = ?")) {
                            p.setString(1, component);
                            try (ResultSet rs = p.executeQuery()) {
                                if (rs.next()) {
                                    current = rs.getInt(1);
                                }
                            }
                        }
                        if (current > known) {
                            throw new SchemaTooNew(component + " schema version " + current + " in store " + location
                                    + " is newer than this Maestro knows (" + known + "): it was written by a newer Maestro;"
                                    + " upgrade Maestro, or use another store");
                        }
                        for (Migration m : migrations.subList(current, known)) {
                            for (String sql : m.statements(dialect)) {
                                s.execute(sql);
                            }
                            LOG.info("store {}: {} schema {} -> {} ({})", location, component, m.version() - 1, m.version(), m.description());
                        }
                        if (current < known) {
                            try (PreparedStatement p = c.prepareStatement(current == 0
                                    ? "INSERT INTO schema_version (version, applied_ms, component) VALUES (?, ?, ?)"
                                    : "UPDATE schema_version SET version = ?, applied_ms = ? WHERE component = ?")) {
                                p.setInt(1, known);
                                p.setLong(2, System.currentTimeMillis());
                                p.setString(3, component);
                                p.executeUpdate();
                            }
                        }
                        if (sqlite) {
                            s.execute("COMMIT");
                        } else {
                            c.commit();
                        }
                        return current;
                    } catch (SQLException | RuntimeException e) {
                        try {
                            if (sqlite) {
                                s.execute("ROLLBACK");
                            } else {
                                c.rollback();
                            }
                        } catch (SQLException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                        throw e;
                    }
                } finally {
                    if (!sqlite) {
                        c.setAutoCommit(true);
                    }
                }
            });
        } catch (SchemaTooNew e) {
            throw new MaestroException(e.getMessage());
        } catch (SQLException e) {
            throw new MaestroException("cannot prepare the " + component + " tables of store " + location + ": " + e.getMessage(), e);
        }
    }

    /** Thrown inside the migration transaction so that it rolls back, then turned into a MaestroException. */
    private static final class SchemaTooNew extends RuntimeException {
        SchemaTooNew(String message) {
            super(message, null, false, false);
        }
    }

    /** A stable 63-bit key per component for pg_advisory_xact_lock. */
    static long lockKey(String component) {
        long h = 1125899906842597L;
        for (byte b : ("maestro-schema:" + component).getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return h & Long.MAX_VALUE;
    }

    /** Closes it for this user; the connections close when the last user closes. */
    @Override
    public void close() {
        int left = users.updateAndGet(n -> Math.max(0, n - 1));
        if (left > 0 || closed) {
            return;
        }
        closed = true;
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a store connection failed: {}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Database[" + location + "]";
    }
}
