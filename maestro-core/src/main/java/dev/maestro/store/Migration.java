package dev.maestro.store;

import java.util.List;

/**
 * One step of a component's schema: the statements that take it from {@code version - 1} to {@code version}, per
 * dialect. Migrations are applied in order at start, in one transaction, and never edited once released: a change
 * is a new migration.
 *
 * @param version     1, 2, … without gaps
 * @param description what it changes (logged)
 * @param sqlite      statements for SQLite
 * @param postgres    statements for PostgreSQL
 */
public record Migration(int version, String description, List<String> sqlite, List<String> postgres) {
    public Migration {
        if (version < 1) {
            throw new IllegalArgumentException("migration versions start at 1, got " + version);
        }
        sqlite = List.copyOf(sqlite);
        postgres = List.copyOf(postgres);
    }

    /** The same statements for both dialects. */
    public static Migration both(int version, String description, String... statements) {
        return new Migration(version, description, List.of(statements), List.of(statements));
    }

    List<String> statements(Database.Dialect d) {
        return d == Database.Dialect.SQLITE ? sqlite : postgres;
    }
}
