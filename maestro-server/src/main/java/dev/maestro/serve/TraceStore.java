package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.TraceSink;
import dev.maestro.store.Database;
import dev.maestro.store.StoreLocation;
import dev.maestro.serve.TraceRows.Row;
import dev.maestro.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished episodes in a {@link Database} (a SQLite file by default, or PostgreSQL shared by several servers): id,
 * time, question, policy, answer, grade (when known), steps as JSON, cost, latency, the question's images, and the
 * users' {@link Feedback}. Writes are queued and done in batches by one background thread so serving never waits on
 * the database; when the queue is full the trace is dropped and counted ({@link #dropped()}) rather than slowing
 * requests down. The schema is versioned ({@link TraceSchema}).
 */
public final class TraceStore implements TraceSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraceStore.class);
    private static final int QUEUE = 10_000;
    /**
     * After the first trace of a batch arrives the writer waits this long for more, so a busy server commits a few
     * dozen large batches a second instead of one small transaction per request (each commit is a WAL flush).
     */
    private static final long LINGER_MS = 20;
    /** Image bytes waiting in the queue at most; beyond it a trace is stored without its images (counted). */
    private static final long MAX_PENDING_IMAGE_BYTES = 256L << 20;
    private static final String SUMMARY = "SELECT t.id, t.created_ms, t.task_id, t.question, t.policy, t.answer, t.grade, t.graded_by,"
            + " t.calls, t.errors, t.cost_usd, t.latency_ms, t.image_count, f.score, f.correct, f.comment, f.created_ms AS feedback_ms";

    /** An image of a served question, stored once per content hash. */
    public record Image(String sha256, String mediaType, byte[] bytes) {
    }

    /**
     * A served question as {@code collect --from-traces} reads it.
     *
     * @param imageCount the images the question had
     * @param images     the stored ones (content hash and media type; no bytes: see {@link #image})
     */
    public record Served(String id, long createdMs, String question, String policy, Optional<String> answer, int imageCount,
                         List<ImageRef> images, Optional<Feedback> feedback) {
        public Served {
            images = List.copyOf(images);
        }
    }

    /** A stored image by content hash. */
    public record ImageRef(String sha256, String mediaType) {
    }

    private final Database db;
    private final BlockingQueue<Row> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final AtomicLong pendingImageBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong imagesDropped = new AtomicLong();
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    private TraceStore(Database db) {
        this.db = db;
        this.writer = new Thread(this::writeLoop, "trace-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Opens (creating if needed) a SQLite file; {@code :memory:} keeps traces in memory. */
    public static TraceStore open(Path file) {
        return open(StoreLocation.sqlite(file));
    }

    /** Opens (creating if needed) the trace tables of a store. */
    public static TraceStore open(StoreLocation location) {
        try (Database d = Database.open(location)) { // its errors name the store
            return in(d);
        }
    }

    /** The traces of a database another owner opened (e.g. shared with the record/replay cache). */
    public static TraceStore in(Database d) {
        d.migrate(TraceSchema.COMPONENT, TraceSchema.MIGRATIONS);
        return new TraceStore(d.share());
    }

    /** Where the traces are (a file path, or a PostgreSQL URL without password). */
    public String describe() {
        return db.location().describe();
    }

    /** Stores an episode run outside the server (no question known); the id is generated. */
    @Override
    public void accept(EpisodeResult result) {
        enqueue(new Row(UUID.randomUUID().toString(), System.currentTimeMillis(), "", result.taskId(), result, Optional.empty(), List.of(),
                0, 0));
    }

    /**
     * Stores an episode under {@code id} with its task's question and images. The images are read now, while the
     * request's files still exist.
     */
    public void record(String id, Task task, EpisodeResult result) {
        record(id, System.currentTimeMillis(), task, result);
    }

    /**
     * {@link #record(String, Task, EpisodeResult)} with the episode's steps as UTF-8 JSON text ({@link ChatJson#steps})
     * written for the response, so the writer does not serialise them again.
     */
    void record(String id, Task task, EpisodeResult result, byte[] steps) {
        record(id, System.currentTimeMillis(), task, result, Optional.of(steps));
    }

    /** {@link #record(String, Task, EpisodeResult)} at a given time (copying traces between stores, tests). */
    public void record(String id, long createdMs, Task task, EpisodeResult result) {
        record(id, createdMs, task, result, Optional.empty());
    }

    private void record(String id, long createdMs, Task task, EpisodeResult result, Optional<byte[]> steps) {
        List<Image> images = new ArrayList<>();
        long bytes = 0;
        for (Path p : task.images()) {
            try {
                byte[] b = Files.readAllBytes(p);
                images.add(new Image(sha256(b), mediaType(p), b));
                bytes += b.length;
            } catch (IOException e) {
                LOG.warn("trace {}: image {} unreadable, stored without it: {}", id, p.getFileName(), e.getMessage());
            }
        }
        if (bytes > 0 && pendingImageBytes.addAndGet(bytes) > MAX_PENDING_IMAGE_BYTES) {
            pendingImageBytes.addAndGet(-bytes);
            imagesDropped.incrementAndGet();
            images.clear();
            bytes = 0;
        }
        enqueue(new Row(id, createdMs, task.question(), task.id(), result, steps, images, task.images().size(), bytes));
    }

    private void enqueue(Row r) {
        pending.add(r.id());
        if (closed || !queue.offer(r)) {
            pending.remove(r.id());
            pendingImageBytes.addAndGet(-r.imageBytes());
            dropped.incrementAndGet();
            return;
        }
        enqueued.incrementAndGet();
    }

    /** Traces not stored because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Traces stored without their images because too many image bytes were waiting to be written. */
    public long imagesDropped() {
        return imagesDropped.get();
    }

    /** Waits until everything queued so far is written (tests, shutdown, feedback on a fresh trace). */
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
                if (!closed && queue.size() < 499) {
                    Thread.sleep(LINGER_MS);
                }
                queue.drainTo(batch, 499);
                write(batch);
            } catch (InterruptedException e) {
                if (closed) {
                    queue.drainTo(batch);
                    write(batch);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warn("trace write failed: {}", e.getMessage());
            } finally {
                for (Row r : batch) {
                    pending.remove(r.id());
                    pendingImageBytes.addAndGet(-r.imageBytes());
                }
                written.addAndGet(batch.size());
                batch.clear();
            }
        }
    }

    private void write(List<Row> batch) {
        if (batch.isEmpty()) {
            return;
        }
        boolean sqlite = db.dialect() == Database.Dialect.SQLITE;
        String image = sqlite ? "INSERT OR IGNORE INTO images (sha256, media_type, bytes) VALUES (?,?,?)"
                : "INSERT INTO images (sha256, media_type, bytes) VALUES (?,?,?) ON CONFLICT (sha256) DO NOTHING";
        String link = sqlite ? "INSERT OR REPLACE INTO trace_images (trace_id, idx, sha256) VALUES (?,?,?)"
                : "INSERT INTO trace_images (trace_id, idx, sha256) VALUES (?,?,?) ON CONFLICT (trace_id, idx) DO UPDATE SET sha256 = EXCLUDED.sha256";
        try {
            db.inTransaction(c -> {
                TraceRows.write(c, db.dialect(), batch);
                if (batch.stream().allMatch(r -> r.images().isEmpty())) {
                    return null;
                }
                try (PreparedStatement pi = c.prepareStatement(image); PreparedStatement pl = c.prepareStatement(link)) {
                    for (Row r : batch) {
                        for (int i = 0; i < r.images().size(); i++) {
                            Image img = r.images().get(i);
                            pi.setString(1, img.sha256());
                            pi.setString(2, img.mediaType());
                            pi.setBytes(3, img.bytes());
                            pi.addBatch();
                            pl.setString(1, r.id());
                            pl.setInt(2, i);
                            pl.setString(3, img.sha256());
                            pl.addBatch();
                        }
                    }
                    pi.executeBatch();
                    pl.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new MaestroException("writing " + batch.size() + " traces to " + describe() + " failed: " + e.getMessage());
        }
    }

    private String order() {
        return db.dialect() == Database.Dialect.SQLITE ? "t.created_ms DESC, t.rowid DESC" : "t.created_ms DESC, t.seq DESC";
    }

    /** The most recent episodes of every server writing to this store, newest first, without their steps. */
    public ArrayNode recent(int limit) {
        try {
            return db.withConnection(c -> {
                ArrayNode out = EpisodeJson.MAPPER.createArrayNode();
                try (PreparedStatement p = c.prepareStatement(SUMMARY + " FROM traces t LEFT JOIN feedback f ON f.trace_id = t.id"
                        + " ORDER BY " + order() + " LIMIT ?")) {
                    p.setInt(1, limit);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(summary(rs));
                        }
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            throw new MaestroException("reading traces from " + describe() + " failed: " + e.getMessage());
        }
    }

    /** One episode with its steps and feedback. */
    public Optional<ObjectNode> get(String id) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement p = c.prepareStatement(SUMMARY + ", t.steps FROM traces t LEFT JOIN feedback f ON f.trace_id = t.id"
                        + " WHERE t.id = ?")) {
                    p.setString(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.empty();
                        }
                        ObjectNode n = summary(rs);
                        n.set("steps", EpisodeJson.MAPPER.readTree(rs.getString("steps")));
                        return Optional.of(n);
                    }
                } catch (JsonProcessingException e) {
                    throw new SQLException("stored steps are not JSON: " + e.getOriginalMessage(), e);
                }
            });
        } catch (SQLException e) {
            throw new MaestroException("reading trace " + id + " from " + describe() + " failed: " + e.getMessage());
        }
    }

    /**
     * Stores {@code f} with the trace of {@code id}, replacing earlier feedback for it.
     *
     * @return false when no trace has that id (nothing is stored)
     */
    public boolean feedback(String id, Feedback f) {
        if (pending.contains(id)) {
            flush(); // served a moment ago: its trace is still in the queue
        }
        String upsert = db.dialect() == Database.Dialect.SQLITE
                ? "INSERT OR REPLACE INTO feedback (trace_id, score, correct, comment, created_ms) VALUES (?,?,?,?,?)"
                : "INSERT INTO feedback (trace_id, score, correct, comment, created_ms) VALUES (?,?,?,?,?) ON CONFLICT (trace_id)"
                + " DO UPDATE SET score = EXCLUDED.score, correct = EXCLUDED.correct, comment = EXCLUDED.comment,"
                + " created_ms = EXCLUDED.created_ms";
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM traces WHERE id = ?")) {
                    q.setString(1, id);
                    try (ResultSet rs = q.executeQuery()) {
                        if (!rs.next()) {
                            return false;
                        }
                    }
                }
                try (PreparedStatement p = c.prepareStatement(upsert)) {
                    p.setString(1, id);
                    if (f.score().isPresent()) {
                        p.setDouble(2, f.score().get());
                    } else {
                        p.setNull(2, Types.DOUBLE);
                    }
                    if (f.correct().isPresent()) {
                        p.setInt(3, f.correct().get() ? 1 : 0);
                    } else {
                        p.setNull(3, Types.INTEGER);
                    }
                    p.setString(4, f.comment().orElse(null));
                    p.setLong(5, f.createdMs());
                    p.executeUpdate();
                }
                return true;
            });
        } catch (SQLException e) {
            throw new MaestroException("storing feedback for " + id + " in " + describe() + " failed: " + e.getMessage());
        }
    }

    /** Served questions (traces with a question) written at or after {@code sinceMs}, oldest first, with their feedback. */
    public List<Served> served(long sinceMs) {
        try {
            return db.withConnection(c -> {
                Map<String, List<ImageRef>> images = imagesByTrace(c, sinceMs);
                List<Served> out = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement(SUMMARY + " FROM traces t LEFT JOIN feedback f ON f.trace_id = t.id"
                        + " WHERE t.question <> '' AND t.created_ms >= ? ORDER BY t.created_ms, t.id")) {
                    p.setLong(1, sinceMs);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            String id = rs.getString("id");
                            out.add(new Served(id, rs.getLong("created_ms"), rs.getString("question"), rs.getString("policy"),
                                    Optional.ofNullable(rs.getString("answer")), rs.getInt("image_count"),
                                    images.getOrDefault(id, List.of()), feedback(rs)));
                        }
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            throw new MaestroException("reading served questions from " + describe() + " failed: " + e.getMessage());
        }
    }

    private static Map<String, List<ImageRef>> imagesByTrace(Connection c, long sinceMs) throws SQLException {
        Map<String, List<ImageRef>> out = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT i.trace_id, i.sha256, m.media_type FROM trace_images i"
                + " JOIN traces t ON t.id = i.trace_id JOIN images m ON m.sha256 = i.sha256 WHERE t.created_ms >= ?"
                + " ORDER BY i.trace_id, i.idx")) {
            p.setLong(1, sinceMs);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new ImageRef(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** A stored image by content hash. */
    public Optional<Image> image(String sha256) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement p = c.prepareStatement("SELECT media_type, bytes FROM images WHERE sha256 = ?")) {
                    p.setString(1, sha256);
                    try (ResultSet rs = p.executeQuery()) {
                        return rs.next() ? Optional.of(new Image(sha256, rs.getString(1), rs.getBytes(2))) : Optional.<Image>empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw new MaestroException("reading image " + sha256 + " from " + describe() + " failed: " + e.getMessage());
        }
    }

    private static Optional<Feedback> feedback(ResultSet rs) throws SQLException {
        long at = rs.getLong("feedback_ms");
        if (rs.wasNull()) {
            return Optional.empty();
        }
        double score = rs.getDouble("score");
        Optional<Double> s = rs.wasNull() ? Optional.empty() : Optional.of(score);
        int correct = rs.getInt("correct");
        Optional<Boolean> ok = rs.wasNull() ? Optional.empty() : Optional.of(correct == 1);
        return Optional.of(new Feedback(s, ok, Optional.ofNullable(rs.getString("comment")), at));
    }

    private static ObjectNode summary(ResultSet rs) throws SQLException {
        ObjectNode n = EpisodeJson.MAPPER.createObjectNode();
        n.put("id", rs.getString("id"));
        n.put("created_ms", rs.getLong("created_ms"));
        n.put("time", Instant.ofEpochMilli(rs.getLong("created_ms")).toString());
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
        n.put("images", rs.getInt("image_count"));
        Optional<Feedback> f = feedback(rs);
        if (f.isEmpty()) {
            n.putNull("feedback");
        } else {
            ObjectNode fb = n.putObject("feedback");
            f.get().score().ifPresentOrElse(v -> fb.put("score", v), () -> fb.putNull("score"));
            f.get().correct().ifPresentOrElse(v -> fb.put("correct", v), () -> fb.putNull("correct"));
            f.get().comment().ifPresentOrElse(v -> fb.put("comment", v), () -> fb.putNull("comment"));
            fb.put("time", Instant.ofEpochMilli(f.get().createdMs()).toString());
        }
        return n;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private static String mediaType(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = n.substring(n.lastIndexOf('.') + 1);
        return switch (ext) {
            case "jpg", "jpeg" -> "image/jpeg";
            case "png", "gif", "webp", "bmp" -> "image/" + ext;
            default -> "application/octet-stream";
        };
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
        db.close();
    }
}
