package dev.maestro.serve;

import dev.maestro.episode.EpisodeResult;
import dev.maestro.serve.TraceRows.Row;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Trace rows into PostgreSQL with {@code COPY ... FROM STDIN} (text format, UTF-8, which the driver sets as the client
 * encoding): the rows {@link TraceRows} would upsert, with the same column values. COPY only inserts, so a batch
 * holding an id already stored fails as a whole; it is rolled back to a savepoint and the caller writes the batch with
 * its upserts instead.
 */
final class TraceCopy {
    static final String SQL = "COPY traces (id, created_ms, task_id, question, policy, answer, grade, graded_by, calls, errors,"
            + " cost_usd, latency_ms, steps, image_count) FROM STDIN";
    /** PostgreSQL's unique_violation: an id of the batch is stored already. */
    private static final String UNIQUE_VIOLATION = "23505";
    private static final byte[] NULL = {'\\', 'N'};

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
        ByteArrayOutputStream data = new ByteArrayOutputStream(rows.size() * 1024);
        for (Row r : rows) {
            line(data, r);
        }
        Savepoint sp = c.setSavepoint();
        try {
            pg.getCopyAPI().copyIn(SQL, new ByteArrayInputStream(data.toByteArray()));
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
    static void line(ByteArrayOutputStream out, Row r) {
        EpisodeResult e = r.result();
        text(out, r.id());
        plain(out, r.createdMs());
        text(tab(out), r.taskId());
        text(tab(out), r.question());
        text(tab(out), e.policy());
        out.write('\t');
        if (e.answer().isPresent()) {
            text(out, e.answer().get());
        } else {
            out.writeBytes(NULL);
        }
        out.write('\t');
        if (!e.graded() || e.gradedBy().equals("none")) {
            out.writeBytes(NULL); // no gold, no flag, no judge: the grade is unknown, not 0
        } else {
            out.writeBytes(Double.toString(e.grade()).getBytes(StandardCharsets.US_ASCII));
        }
        text(tab(out), e.gradedBy());
        plain(out, e.calls());
        plain(out, e.errors());
        plain(out, e.costUsd());
        plain(out, e.latencyMs());
        out.write('\t');
        escape(out, TraceRows.steps(r));
        plain(out, r.imageCount());
        out.write('\n');
    }

    /** A tab, then a number (Java's text of a double reads back as the same double in PostgreSQL). */
    private static void plain(ByteArrayOutputStream out, Object number) {
        out.write('\t');
        out.writeBytes(number.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteArrayOutputStream tab(ByteArrayOutputStream out) {
        out.write('\t');
        return out;
    }

    private static void text(ByteArrayOutputStream out, String s) {
        escape(out, s.getBytes(StandardCharsets.UTF_8));
    }

    /** UTF-8 bytes with COPY's escapes; a multi-byte character never holds a byte below 0x80, so bytes are safe to scan. */
    private static void escape(ByteArrayOutputStream out, byte[] b) {
        int from = 0;
        for (int i = 0; i < b.length; i++) {
            byte x = b[i];
            char esc = switch (x) {
                case '\\' -> '\\';
                case '\t' -> 't';
                case '\n' -> 'n';
                case '\r' -> 'r';
                default -> 0;
            };
            if (esc != 0) {
                out.write(b, from, i - from);
                out.write('\\');
                out.write(esc);
                from = i + 1;
            }
        }
        out.write(b, from, b.length - from);
    }
}
