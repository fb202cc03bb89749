package dev.maestro.serve;

import dev.maestro.episode.EpisodeResult;
import dev.maestro.serve.TraceRows.Row;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Trace rows into PostgreSQL with {@code COPY ... FROM STDIN} (text format): the rows {@link TraceRows} would upsert,
 * with the same column values. COPY only inserts, so a batch holding an id already stored fails as a whole; it is
 * rolled back to a savepoint and the caller writes the batch with its upserts instead.
 */
final class TraceCopy {
    static final String SQL = "COPY traces (id, created_ms, task_id, question, policy, answer, grade, graded_by, calls, errors,"
            + " cost_usd, latency_ms, steps, image_count) FROM STDIN";
    /** PostgreSQL's unique_violation: an id of the batch is stored already. */
    private static final String UNIQUE_VIOLATION = "23505";

    private TraceCopy() {
    }

    /** Copies {@code rows} in the caller's transaction; false (nothing written) when an id was stored already. */
    static boolean tryCopy(Connection c, List<Row> rows) throws SQLException {
        PGConnection pg;
        try {
            pg = c.unwrap(PGConnection.class);
        } catch (SQLException e) {
            return false; // not the PostgreSQL driver's connection: the upserts work everywhere
        }
        StringBuilder text = new StringBuilder(rows.size() * 1024);
        for (Row r : rows) {
            line(text, r);
        }
        Savepoint sp = c.setSavepoint();
        try {
            pg.getCopyAPI().copyIn(SQL, new StringReader(text.toString()));
            c.releaseSavepoint(sp);
            return true;
        } catch (SQLException e) {
            c.rollback(sp);
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        } catch (IOException e) {
            c.rollback(sp);
            throw new SQLException("copying " + rows.size() + " traces failed: " + e.getMessage(), e);
        }
    }

    /** One row in COPY's text format: tab-separated, {@code \N} for null, backslash escapes. */
    static void line(StringBuilder sb, Row r) {
        EpisodeResult e = r.result();
        text(sb, r.id()).append('\t').append(r.createdMs()).append('\t');
        text(sb, r.taskId()).append('\t');
        text(sb, r.question()).append('\t');
        text(sb, e.policy()).append('\t');
        if (e.answer().isPresent()) {
            text(sb, e.answer().get());
        } else {
            sb.append("\\N");
        }
        sb.append('\t');
        if (!e.graded() || e.gradedBy().equals("none")) {
            sb.append("\\N"); // no gold, no flag, no judge: the grade is unknown, not 0
        } else {
            sb.append(e.grade());
        }
        sb.append('\t');
        text(sb, e.gradedBy()).append('\t').append(e.calls()).append('\t').append(e.errors()).append('\t')
                .append(e.costUsd()).append('\t').append(e.latencyMs()).append('\t');
        text(sb, r.steps().orElseGet(() -> ChatJson.steps(e))).append('\t').append(r.imageCount()).append('\n');
    }

    private static StringBuilder text(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(ch);
            }
        }
        return sb;
    }
}
