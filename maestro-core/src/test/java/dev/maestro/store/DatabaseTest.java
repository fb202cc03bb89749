package dev.maestro.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versioned migrations on both dialects: SQLite files and a real PostgreSQL (embedded). */
class DatabaseTest {
    @TempDir
    Path dir;

    private static final List<Migration> V1 = List.of(Migration.both(1, "notes", "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)"));
    private static final List<Migration> V2 = List.of(V1.get(0), Migration.both(2, "notes.stars",
            "ALTER TABLE notes ADD COLUMN stars INTEGER"));

    private void migrates_and_refuses_newer(Supplier<Database> open) throws Exception {
        try (Database db = open.get()) {
            assertThat(db.migrate("notes", V1)).isZero();
            db.withConnection(c -> c.createStatement().executeUpdate("INSERT INTO notes (id, body) VALUES ('a', 'kept')"));
        }
        try (Database db = open.get()) {
            assertThat(db.migrate("notes", V2)).as("the version found before").isEqualTo(1);
            assertThat(db.migrate("notes", V2)).as("nothing left to apply").isEqualTo(2);
            String body = db.withConnection(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT body, stars FROM notes WHERE id = 'a'")) {
                    rs.next();
                    return rs.getString(1) + "/" + rs.getObject(2);
                }
            });
            assertThat(body).isEqualTo("kept/null");
        }
        try (Database db = open.get()) {
            assertThatThrownBy(() -> db.migrate("notes", V1)).isInstanceOf(MaestroException.class)
                    .hasMessageContaining("notes schema version 2").hasMessageContaining("newer than this Maestro knows (1)");
        }
    }

    @Test
    void should_apply_migrations_once_and_refuse_a_newer_schema_on_sqlite() throws Exception {
        migrates_and_refuses_newer(() -> Database.sqlite(dir.resolve("s.db")));
    }

    @Test
    void should_apply_migrations_once_and_refuse_a_newer_schema_on_postgresql() throws Exception {
        StoreLocation loc = EmbeddedPg.newLocation();
        migrates_and_refuses_newer(() -> Database.open(loc));
    }

    @Test
    void should_roll_back_a_failing_migration_entirely() throws Exception {
        StoreLocation loc = EmbeddedPg.newLocation();
        List<Migration> broken = List.of(V1.get(0), Migration.both(2, "broken", "ALTER TABLE notes ADD COLUMN x INTEGER",
                "THIS IS NOT SQL"));
        try (Database db = Database.open(loc)) {
            assertThatThrownBy(() -> db.migrate("notes", broken)).isInstanceOf(MaestroException.class)
                    .hasMessageContaining("cannot prepare the notes tables");
            // neither the table of migration 1 nor a version row survived
            int tables = db.withConnection(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'notes'")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(tables).isZero();
            assertThat(db.migrate("notes", V1)).isZero();
        }
    }

    @Test
    void should_let_concurrent_starts_migrate_once_on_postgresql() throws Exception {
        StoreLocation loc = EmbeddedPg.newLocation();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(pool.submit(() -> {
                    try (Database db = Database.open(loc)) {
                        return db.migrate("notes", V2);
                    }
                }));
            }
            List<Integer> before = new ArrayList<>();
            for (Future<Integer> f : starts) {
                before.add(f.get());
            }
            assertThat(before).containsOnlyOnce(0).containsOnly(0, 2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void should_refuse_a_wrong_password_with_a_message_without_it() {
        String url = EmbeddedPg.newDatabase();
        StoreLocation wrong = StoreLocation.parse(url, Map.of(EmbeddedPg.PASSWORD_VAR, "not-the-password"));
        assertThatThrownBy(() -> Database.open(wrong)).isInstanceOf(MaestroException.class)
                .hasMessageContaining("cannot open store postgresql://maestro@127.0.0.1:")
                .hasMessageNotContaining("not-the-password").hasMessageNotContaining(EmbeddedPg.password());
    }
}
