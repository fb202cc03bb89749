package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.TraceSink;
import dev.maestro.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished episodes in SQLite: id, time, question, policy, answer, grade (when known), steps as JSON, cost, latency.
 * Writes are queued and done in batches by one background thread so serving never waits on the disk; when the
 * queue is full the trace is dropped and counted ({@link #dropped()}) rather than slowing requests down.
 */
public final class TraceStore implements TraceSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraceStore.class);
    private static final int QUEUE = 10_000;

    private record Row(String id, long createdMs, String question, String taskId, EpisodeResult result) {
    }

    private final Connection db;
    private final BlockingQueue<Row> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    private TraceStore(Connection db) {
        this.db = db;
        this.writer = new Thread(this::writeLoop, "trace-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Opens (creating if needed) the database file; {@code :memory:} keeps traces in memory. */
    public static TraceStore open(Path file) {
        try {
            String target = file.toString();
            if (!target.equals(":memory:")) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + target);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS traces (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, task_id TEXT NOT NULL,"
                        + " question TEXT NOT NULL, policy TEXT NOT NULL, answer TEXT, grade REAL, graded_by TEXT NOT NULL,"
                        + " calls INTEGER NOT NULL, errors INTEGER NOT NULL, cost_usd REAL NOT NULL, latency_ms REAL NOT NULL,"
                        + " steps TEXT NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS traces_created ON traces(created_ms DESC)");
            }
            return new TraceStore(c);
        } catch (SQLException | java.io.IOException e) {
            throw new MaestroException("cannot open trace store " + file + ": " + e.getMessage());
        }
    }

    /** Stores an episode run outside the server (no question known); the id is generated. */
    @Override
    public void accept(EpisodeResult result) {
        enqueue(new Row(UUID.randomUUID().toString(), System.currentTimeMillis(), "", result.taskId(), result));
    }

    /** Stores an episode under {@code id} with its task's question. */
    public void record(String id, Task task, EpisodeResult result) {
        enqueue(new Row(id, System.currentTimeMillis(), task.question(), task.id(), result));
    }

    private void enqueue(Row r) {
        if (closed || !queue.offer(r)) {
            dropped.incrementAndGet();
            return;
        }
        enqueued.incrementAndGet();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Waits until everything queued so far is written (tests, shutdown). */
    public void flush() {
        long target = enqueued.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (written.get() < target && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeLoop() {
        List<Row> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Row first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 499);
                write(batch);
            } catch (InterruptedException e) {
                if (closed) {
                    queue.drainTo(batch);
                    write(batch);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warn("trace write failed: {}", e.toString());
            } finally {
                written.addAndGet(batch.size());
                batch.clear();
            }
        }
    }

    private void write(List<Row> batch) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (db) {
            try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO traces (id, created_ms, task_id, question, policy,"
                    + " answer, grade, graded_by, calls, errors, cost_usd, latency_ms, steps) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                db.setAutoCommit(false);
                for (Row r : batch) {
                    EpisodeResult e = r.result();
                    p.setString(1, r.id());
                    p.setLong(2, r.createdMs());
                    p.setString(3, r.taskId());
                    p.setString(4, r.question());
                    p.setString(5, e.policy());
                    if (e.answer().isPresent()) {
                        p.setString(6, e.answer().get());
                    } else {
                        p.setNull(6, Types.VARCHAR);
                    }
                    if (!e.graded() || e.gradedBy().equals("none")) {
                        p.setNull(7, Types.REAL); // no gold, no flag, no judge: the grade is unknown, not 0
                    } else {
                        p.setDouble(7, e.grade());
                    }
                    p.setString(8, e.gradedBy());
                    p.setInt(9, e.calls());
                    p.setInt(10, e.errors());
                    p.setDouble(11, e.costUsd());
                    p.setDouble(12, e.latencyMs());
                    p.setString(13, EpisodeJson.MAPPER.writeValueAsString(EpisodeJson.steps(e)));
                    p.addBatch();
                }
                p.executeBatch();
                db.commit();
            } catch (SQLException | JsonProcessingException ex) {
                try {
                    db.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; the next batch reports it again
                }
                throw new MaestroException("writing " + batch.size() + " traces failed: " + ex.getMessage());
            } finally {
                try {
                    db.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    /** The most recent episodes, newest first, without their steps. */
    public ArrayNode recent(int limit) {
        ArrayNode out = EpisodeJson.MAPPER.createArrayNode();
        synchronized (db) {
            try (PreparedStatement p = db.prepareStatement("SELECT id, created_ms, task_id, question, policy, answer, grade, graded_by,"
                    + " calls, errors, cost_usd, latency_ms FROM traces ORDER BY created_ms DESC, rowid DESC LIMIT ?")) {
                p.setInt(1, limit);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(summary(rs));
                    }
                }
            } catch (SQLException e) {
                throw new MaestroException("reading traces failed: " + e.getMessage());
            }
        }
        return out;
    }

    /** One episode with its steps. */
    public Optional<ObjectNode> get(String id) {
        synchronized (db) {
            try (PreparedStatement p = db.prepareStatement("SELECT id, created_ms, task_id, question, policy, answer, grade, graded_by,"
                    + " calls, errors, cost_usd, latency_ms, steps FROM traces WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    ObjectNode n = summary(rs);
                    n.set("steps", EpisodeJson.MAPPER.readTree(rs.getString("steps")));
                    return Optional.of(n);
                }
            } catch (SQLException | JsonProcessingException e) {
                throw new MaestroException("reading trace " + id + " failed: " + e.getMessage());
            }
        }
    }

    private static ObjectNode summary(ResultSet rs) throws SQLException {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        n.put("id", rs.getString("id"));
        n.put("created_ms", rs.getLong("created_ms"));
        n.put("time", java.time.Instant.ofEpochMilli(rs.getLong("created_ms")).toString());
        n.put("task_id", rs.getString("task_id"));
        n.put("question", rs.getString("question"));
        n.put("policy", rs.getString("policy"));
        String answer = rs.getString("answer");
        if (answer == null) {
            n.putNull("answer");
        } else {
            n.put("answer", answer);
        }
        double grade = rs.getDouble("grade");
        if (rs.wasNull()) {
            n.putNull("grade");
        } else {
            n.put("grade", grade);
        }
        n.put("graded_by", rs.getString("graded_by"));
        n.put("calls", rs.getInt("calls"));
        n.put("errors", rs.getInt("errors"));
        n.put("cost_usd", rs.getDouble("cost_usd"));
        n.put("latency_ms", rs.getDouble("latency_ms"));
        return n;
    }

    @Override
    public void close() {
        flush();
        closed = true;
        writer.interrupt();
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (db) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
