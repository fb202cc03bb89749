/**
 * Where Maestro keeps shared state: the record/replay cache, served traces and their feedback.
 *
 * <p>{@link dev.maestro.store.StoreLocation} parses a store given by the user (a SQLite file, the embedded default,
 * or a {@code postgresql://} URL whose password comes from the environment); {@link dev.maestro.store.Database} opens
 * it (one serialised connection for SQLite, a small pool for PostgreSQL) and applies each component's versioned
 * {@link dev.maestro.store.Migration}s at start, recorded in a {@code schema_version} table. This package knows SQL
 * and JDBC only; what is stored is decided by its users ({@code expert.SqlReplyStore}, the server's trace store).
 */
package dev.maestro.store;
