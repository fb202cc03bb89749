package dev.maestro.serve;

import dev.maestro.store.Migration;
import java.util.List;

/**
 * The trace store's tables, versioned as component {@code traces} in {@code schema_version}. Version 1 is the table
 * earlier releases created without a version (SQLite trace files written by them are adopted as they are); version 2
 * adds feedback and the images of served questions (stored once per content hash) so that
 * {@code maestro collect --from-traces} can turn them into tasks.
 */
final class TraceSchema {
    static final String COMPONENT = "traces";

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "traces table",
                    List.of("CREATE TABLE IF NOT EXISTS traces (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, task_id TEXT NOT NULL,"
                                    + " question TEXT NOT NULL, policy TEXT NOT NULL, answer TEXT, grade REAL, graded_by TEXT NOT NULL,"
                                    + " calls INTEGER NOT NULL, errors INTEGER NOT NULL, cost_usd REAL NOT NULL, latency_ms REAL NOT NULL,"
                                    + " steps TEXT NOT NULL)",
                            "CREATE INDEX IF NOT EXISTS traces_created ON traces(created_ms DESC)"),
                    // seq orders rows written in the same millisecond, as SQLite's rowid does
                    List.of("CREATE TABLE IF NOT EXISTS traces (id TEXT PRIMARY KEY, seq BIGSERIAL, created_ms BIGINT NOT NULL,"
                                    + " task_id TEXT NOT NULL, question TEXT NOT NULL, policy TEXT NOT NULL, answer TEXT,"
                                    + " grade DOUBLE PRECISION, graded_by TEXT NOT NULL, calls INTEGER NOT NULL, errors INTEGER NOT NULL,"
                                    + " cost_usd DOUBLE PRECISION NOT NULL, latency_ms DOUBLE PRECISION NOT NULL, steps TEXT NOT NULL)",
                            "CREATE INDEX IF NOT EXISTS traces_created ON traces(created_ms DESC, seq DESC)")),
            new Migration(2, "feedback and the images of served questions",
                    List.of("ALTER TABLE traces ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0",
                            "CREATE TABLE feedback (trace_id TEXT PRIMARY KEY, score REAL, correct INTEGER, comment TEXT,"
                                    + " created_ms INTEGER NOT NULL)",
                            "CREATE TABLE images (sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL, bytes BLOB NOT NULL)",
                            "CREATE TABLE trace_images (trace_id TEXT NOT NULL, idx INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                                    + " PRIMARY KEY (trace_id, idx))"),
                    List.of("ALTER TABLE traces ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0",
                            "CREATE TABLE feedback (trace_id TEXT PRIMARY KEY, score DOUBLE PRECISION, correct INTEGER, comment TEXT,"
                                    + " created_ms BIGINT NOT NULL)",
                            "CREATE TABLE images (sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL, bytes BYTEA NOT NULL)",
                            "CREATE TABLE trace_images (trace_id TEXT NOT NULL, idx INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                                    + " PRIMARY KEY (trace_id, idx))")));

    private TraceSchema() {
    }
}
