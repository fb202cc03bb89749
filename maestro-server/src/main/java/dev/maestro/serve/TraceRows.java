package dev.maestro.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.store.Database;
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
 * Writes a batch of trace rows with multi-row {@code INSERT}s: up to {@link #ROWS_PER_STATEMENT} rows per statement
 * instead of one statement per row. On PostgreSQL each statement is parsed, planned and executed once by the server
 * process, so a busy server's trace writes cost the database a fraction of the CPU (the serving benchmark measured it
 * per request). The rows end up exactly as one statement per row in order would leave them.
 */
final class TraceRows {
    /** 14 parameters a row: 700 per statement, far below SQLite's (999) and PostgreSQL's (65,535) limits. */
    static final int ROWS_PER_STATEMENT = 50;
    private static final String COLUMNS = " (id, created_ms, task_id, question, policy, answer, grade, graded_by, calls, errors,"
            + " cost_usd, latency_ms, steps, image_count) VALUES ";
    private static final String ROW = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    private static final String PG_UPSERT = " ON CONFLICT (id) DO UPDATE SET"
            + " created_ms = EXCLUDED.created_ms, task_id = EXCLUDED.task_id, question = EXCLUDED.question, policy = EXCLUDED.policy,"
            + " answer = EXCLUDED.answer, grade = EXCLUDED.grade, graded_by = EXCLUDED.graded_by, calls = EXCLUDED.calls,"
            + " errors = EXCLUDED.errors, cost_usd = EXCLUDED.cost_usd, latency_ms = EXCLUDED.latency_ms, steps = EXCLUDED.steps,"
            + " image_count = EXCLUDED.image_count";

    /** One trace: the episode and what the request added; {@code steps}: the episode's steps as the response built them. */
    record Row(String id, long createdMs, String question, String taskId, EpisodeResult result, Optional<JsonNode> steps,
               List<TraceStore.Image> images, int imageCount, long imageBytes) {
    }

    private TraceRows() {
    }

    /** The insert of {@code rows} rows in one statement. */
    static String insert(Database.Dialect dialect, int rows) {
        StringBuilder sb = new StringBuilder(dialect == Database.Dialect.SQLITE ? "INSERT OR REPLACE INTO traces" : "INSERT INTO traces")
                .append(COLUMNS);
        for (int i = 0; i < rows; i++) {
            sb.append(i > 0 ? "," : "").append(ROW);
        }
        return dialect == Database.Dialect.SQLITE ? sb.toString() : sb.append(PG_UPSERT).toString();
    }

    /**
     * The rows one statement per row would leave. PostgreSQL refuses a multi-row upsert that touches one id twice, and
     * row by row the later row of an id updated the earlier one in place (keeping its position, {@code seq}): so on
     * PostgreSQL an id's last row takes its first row's place. SQLite's {@code INSERT OR REPLACE} handles repeats in
     * one statement as it did row by row (the later row replaces the earlier, at the end), so its batch is unchanged.
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

    /** Inserts (or replaces) every row, {@link #ROWS_PER_STATEMENT} per statement, in order. */
    static void write(Connection c, Database.Dialect dialect, List<Row> batch) throws SQLException {
        List<Row> rows = distinct(dialect, batch);
        int full = rows.size() / ROWS_PER_STATEMENT;
        int rest = rows.size() % ROWS_PER_STATEMENT;
        if (full > 0) {
            try (PreparedStatement p = c.prepareStatement(insert(dialect, ROWS_PER_STATEMENT))) {
                for (int s = 0; s < full; s++) {
                    for (int i = 0; i < ROWS_PER_STATEMENT; i++) {
                        bind(p, i * 14, rows.get(s * ROWS_PER_STATEMENT + i));
                    }
                    p.addBatch();
                }
                p.executeBatch();
            }
        }
        if (rest > 0) {
            try (PreparedStatement p = c.prepareStatement(insert(dialect, rest))) {
                for (int i = 0; i < rest; i++) {
                    bind(p, i * 14, rows.get(full * ROWS_PER_STATEMENT + i));
                }
                p.executeUpdate();
            }
        }
    }

    private static void bind(PreparedStatement p, int at, Row r) throws SQLException {
        EpisodeResult e = r.result();
        p.setString(at + 1, r.id());
        p.setLong(at + 2, r.createdMs());
        p.setString(at + 3, r.taskId());
        p.setString(at + 4, r.question());
        p.setString(at + 5, e.policy());
        if (e.answer().isPresent()) {
            p.setString(at + 6, e.answer().get());
        } else {
            p.setNull(at + 6, Types.VARCHAR);
        }
        if (!e.graded() || e.gradedBy().equals("none")) {
            p.setNull(at + 7, Types.DOUBLE); // no gold, no flag, no judge: the grade is unknown, not 0
        } else {
            p.setDouble(at + 7, e.grade());
        }
        p.setString(at + 8, e.gradedBy());
        p.setInt(at + 9, e.calls());
        p.setInt(at + 10, e.errors());
        p.setDouble(at + 11, e.costUsd());
        p.setDouble(at + 12, e.latencyMs());
        try {
            p.setString(at + 13, EpisodeJson.MAPPER.writeValueAsString(r.steps().orElseGet(() -> EpisodeJson.steps(e))));
        } catch (JsonProcessingException ex) {
            throw new SQLException("steps of trace " + r.id() + " do not serialise: " + ex.getOriginalMessage(), ex);
        }
        p.setInt(at + 14, r.imageCount());
    }
}
