package dev.maestro.serve;

import dev.maestro.episode.EpisodeResult;
import dev.maestro.store.Database;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a batch of trace rows: one upsert per row, sent as one JDBC batch in the writer's transaction. On PostgreSQL
 * the driver rewrites such a batch into multi-row {@code INSERT}s ({@code reWriteBatchedInserts}, set by
 * {@code StoreLocation}), and PostgreSQL refuses a multi-row upsert that touches one id twice: the
 * whole batch failed and every trace in it was lost. So a batch is first reduced to the rows writing them one by one
 * would have left ({@link #distinct}).
 *
 * <p>Hand-written 50-row statements were measured against the driver's rewrite (TraceWriteBench): they cut the
 * embedded PostgreSQL's CPU per trace from 25 to 20 us for three-step episodes but raised it from 14.5 to 16 us for the
 * serving benchmark's one-call episodes (the driver's statement shapes repeat, so they are prepared once per
 * connection), so the driver's rewrite stayed. A batch of more than one row now goes first as one {@code COPY}
 * ({@link TraceCopy}: 14.3-15.5 to 11-12 us per one-call trace); the upserts remain for single rows and for a batch
 * whose COPY met an id stored earlier.
 */
final class TraceRows {
    private static final String COLUMNS = " (id, created_ms, task_id, question, policy, answer, grade, graded_by, calls, errors,"
            + " cost_usd, latency_ms, steps, image_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    private static final String PG_UPSERT = " ON CONFLICT (id) DO UPDATE SET"
            + " created_ms = EXCLUDED.created_ms, task_id = EXCLUDED.task_id, question = EXCLUDED.question, policy = EXCLUDED.policy,"
            + " answer = EXCLUDED.answer, grade = EXCLUDED.grade, graded_by = EXCLUDED.graded_by, calls = EXCLUDED.calls,"
            + " errors = EXCLUDED.errors, cost_usd = EXCLUDED.cost_usd, latency_ms = EXCLUDED.latency_ms, steps = EXCLUDED.steps,"
            + " image_count = EXCLUDED.image_count";

    /**
     * One trace: the episode and what the request added; {@code steps}: the episode's steps as UTF-8 JSON text, when
     * written already ({@link #steps()} otherwise).
     */
    record Row(String id, long createdMs, String question, String taskId, EpisodeResult result, Optional<byte[]> steps,
               List<TraceStore.Image> images, int imageCount, long imageBytes) {
    }

    private TraceRows() {
    }

    /** The steps of a row as UTF-8 JSON text. */
    static byte[] steps(Row r) {
        return r.steps().orElseGet(() -> ChatJson.steps(r.result()));
    }

    /**
     * The rows writing {@code batch} one by one would leave. Row by row, a later row of an id updated the earlier one in
     * place (keeping its position, {@code seq}): so on PostgreSQL an id's last row takes its first row's place. SQLite's
     * {@code INSERT OR REPLACE} is executed row by row, so its batch is unchanged.
     */
    static List<Row> distinct(Database.Dialect dialect, List<Row> batch) {
        if (dialect == Database.Dialect.SQLITE) {
            return batch;
        }
        Map<String, Row> byId = new LinkedHashMap<>(batch.size() * 2);
        for (Row r : batch) {
            byId.put(r.id(), r); // put keeps the first insertion position and takes the later value
        }
        return byId.size() == batch.size() ? batch : new ArrayList<>(byId.values());
    }

    /**
     * Inserts (or replaces) every row, in order. On PostgreSQL the rows are first sent with one {@code COPY}, which costs
     * the server less CPU per row than the driver's multi-row upserts (TraceWriteBench); it cannot replace a row, so when
     * an id is already stored (a trace recorded twice, copied between stores) it fails as a whole, is rolled back to a
     * savepoint, and the batch is written with the upserts as before.
     */
    static void write(Connection c, Database.Dialect dialect, List<Row> batch) throws SQLException {
        List<Row> rows = distinct(dialect, batch);
        if (dialect != Database.Dialect.SQLITE && rows.size() > 1 && TraceCopy.tryCopy(c, rows)) {
            return;
        }
        String insert = dialect == Database.Dialect.SQLITE ? "INSERT OR REPLACE INTO traces" + COLUMNS : "INSERT INTO traces" + COLUMNS + PG_UPSERT;
        try (PreparedStatement p = c.prepareStatement(insert)) {
            for (Row r : rows) {
                bind(p, r);
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private static void bind(PreparedStatement p, Row r) throws SQLException {
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
            p.setNull(7, Types.DOUBLE); // no gold, no flag, no judge: the grade is unknown, not 0
        } else {
            p.setDouble(7, e.grade());
        }
        p.setString(8, e.gradedBy());
        p.setInt(9, e.calls());
        p.setInt(10, e.errors());
        p.setDouble(11, e.costUsd());
        p.setDouble(12, e.latencyMs());
        p.setString(13, new String(steps(r), StandardCharsets.UTF_8));
        p.setInt(14, r.imageCount());
    }
}
