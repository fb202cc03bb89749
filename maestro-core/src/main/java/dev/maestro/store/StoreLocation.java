package dev.maestro.store;

import dev.maestro.MaestroException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A store as the user names it: a SQLite file (the embedded default) or a PostgreSQL server.
 *
 * <p>Accepted forms: a file path or {@code sqlite:PATH}; {@code postgresql://[USER[:${VAR}]@]HOST[:PORT][/DB][?k=v&...]}
 * (also {@code postgres://} and {@code jdbc:postgresql://}). The password is never written in the URL: it comes from
 * the variable named by {@code ?password-env=VAR}, from {@code ${VAR}} in the password position, else from
 * {@code PGPASSWORD}, else from the driver's {@code ~/.pgpass}. A literal password is refused, because it would be
 * visible in process lists and shell history. Unset parts default to {@code PGUSER}, {@code PGHOST}, {@code PGPORT},
 * {@code PGDATABASE} (then {@code localhost:5432}). {@code ?pool-size=N} (1..64, default 8) sizes the connection pool;
 * other query parameters (e.g. {@code sslmode}) go to the JDBC driver.
 *
 * <p>{@link #toString()} and {@link #describe()} never contain the password.
 */
public final class StoreLocation {
    /** Query parameters the JDBC driver may receive from a store URL. */
    private static final Set<String> DRIVER_PARAMS = Set.of("sslmode", "sslrootcert", "sslcert", "sslkey", "connectTimeout",
            "socketTimeout", "loginTimeout", "tcpKeepAlive", "targetServerType", "ApplicationName", "currentSchema", "options",
            "reWriteBatchedInserts");
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    static final int DEFAULT_POOL = 8;

    /** The kinds of store. */
    public enum Kind { SQLITE, POSTGRESQL }

    private final Kind kind;
    private final Optional<Path> file;
    private final String jdbcUrl;
    private final Optional<String> user;
    private final Optional<String> password;
    private final String describe;
    private final int poolSize;

    private StoreLocation(Kind kind, Optional<Path> file, String jdbcUrl, Optional<String> user, Optional<String> password,
                          String describe, int poolSize) {
        this.kind = kind;
        this.file = file;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.describe = describe;
        this.poolSize = poolSize;
    }

    /** A SQLite file ({@code :memory:} for a private in-memory database). */
    public static StoreLocation sqlite(Path file) {
        String target = file.toString().equals(":memory:") ? ":memory:" : file.toAbsolutePath().toString();
        return new StoreLocation(Kind.SQLITE, Optional.of(file), "jdbc:sqlite:" + target, Optional.empty(), Optional.empty(),
                file.toString(), 1);
    }

    /** Parses a store given on the command line; {@code env} supplies passwords and the {@code PG*} defaults. */
    public static StoreLocation parse(String text, Map<String, String> env) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new MaestroException("empty store: give a SQLite file path or postgresql://USER@HOST:PORT/DB");
        }
        String lower = t.toLowerCase(Locale.ROOT);
        for (String scheme : new String[] {"jdbc:postgresql://", "postgresql://", "postgres://"}) {
            if (lower.startsWith(scheme)) {
                return postgres(t, t.substring(scheme.length()), env);
            }
        }
        if (lower.startsWith("sqlite:")) {
            t = t.substring("sqlite:".length());
        } else if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            throw new MaestroException("store '" + t.replaceAll("//[^@/]*@", "//…@") + "': unknown scheme; valid: a SQLite file path, "
                    + "sqlite:PATH, or postgresql://USER@HOST:PORT/DB?password-env=VAR");
        }
        try {
            return sqlite(Path.of(t));
        } catch (InvalidPathException e) {
            throw new MaestroException("store '" + t + "' is not a valid file path: " + e.getReason());
        }
    }

    private static StoreLocation postgres(String original, String rest, Map<String, String> env) {
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String database = slash >= 0 ? decode(rest.substring(slash + 1)) : "";
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = info.indexOf(':');
            String u = decode(colon >= 0 ? info.substring(0, colon) : info);
            if (!u.isEmpty()) {
                user = Optional.of(u);
            }
            if (colon >= 0) {
                String p = info.substring(colon + 1);
                Matcher m = VAR.matcher(p);
                if (!m.matches()) {
                    throw new MaestroException("store URL: a password written in the URL would show in process lists and shell "
                            + "history; put it in an environment variable and write postgresql://USER:${VAR}@HOST/DB, "
                            + "postgresql://USER@HOST/DB?password-env=VAR, or set PGPASSWORD");
                }
                password = Optional.of(variable(m.group(1), env));
            }
        }
        Map<String, String> driver = new LinkedHashMap<>();
        int pool = DEFAULT_POOL;
        for (String kv : query.isEmpty() ? new String[0] : query.split("&")) {
            int eq = kv.indexOf('=');
            String k = decode(eq >= 0 ? kv.substring(0, eq) : kv);
            String v = eq >= 0 ? decode(kv.substring(eq + 1)) : "";
            switch (k) {
                case "password-env" -> {
                    if (password.isPresent()) {
                        throw new MaestroException("store URL: give the password once, either ${VAR} or ?password-env=VAR");
                    }
                    password = Optional.of(variable(v, env));
                }
                case "password" -> throw new MaestroException("store URL: ?password= would show in process lists and shell "
                        + "history; use ?password-env=VAR (the name of an environment variable holding it) or PGPASSWORD");
                case "pool-size" -> pool = poolSize(v);
                default -> {
                    if (!DRIVER_PARAMS.contains(k)) {
                        throw new MaestroException("store URL: unknown parameter '" + k + "'; valid: password-env, pool-size, "
                                + String.join(", ", DRIVER_PARAMS.stream().sorted().toList()));
                    }
                    driver.put(k, v);
                }
            }
        }
        if (password.isEmpty()) {
            password = Optional.ofNullable(env.get("PGPASSWORD")).filter(s -> !s.isEmpty());
        }
        if (user.isEmpty()) {
            user = Optional.ofNullable(env.get("PGUSER")).filter(s -> !s.isBlank());
        }
        String host = authority;
        String port = "";
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && !authority.endsWith("]")) {
            host = authority.substring(0, colon);
            port = authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            host = env.getOrDefault("PGHOST", "localhost");
        }
        if (port.isEmpty()) {
            port = env.getOrDefault("PGPORT", "5432");
        }
        if (!port.matches("\\d{1,5}")) {
            throw new MaestroException("store URL: port '" + port + "' is not a number");
        }
        if (database.isEmpty()) {
            database = env.getOrDefault("PGDATABASE", user.orElse("postgres"));
        }
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/')
                .append(URLEncoder.encode(database, StandardCharsets.UTF_8));
        driver.putIfAbsent("ApplicationName", "maestro");
        // one multi-row INSERT per batch of traces instead of one round trip per row
        driver.putIfAbsent("reWriteBatchedInserts", "true");
        char sep = '?';
        for (Map.Entry<String, String> e : driver.entrySet()) {
            url.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        String describe = "postgresql://" + user.map(u -> u + "@").orElse("") + host + ":" + port + "/" + database;
        return new StoreLocation(Kind.POSTGRESQL, Optional.empty(), url.toString(), user, password, describe, pool);
    }

    private static String variable(String name, Map<String, String> env) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new MaestroException("store URL: '" + name + "' is not an environment variable name");
        }
        String v = env.get(name);
        if (v == null || v.isEmpty()) {
            throw new MaestroException("store URL: the password variable " + name + " is not set");
        }
        return v;
    }

    private static int poolSize(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 64) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MaestroException("store URL: pool-size must be a whole number 1..64, got '" + v + "'");
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MaestroException("store URL: bad %-escape in '" + s + "'");
        }
    }

    public Kind kind() { return kind; }

    public boolean isPostgres() { return kind == Kind.POSTGRESQL; }

    /** The SQLite file, for a SQLite store. */
    public Optional<Path> file() { return file; }

    /** The JDBC URL (it never holds the password: that is passed separately). */
    public String jdbcUrl() { return jdbcUrl; }

    Optional<String> user() { return user; }

    Optional<String> password() { return password; }

    /** Connections a PostgreSQL store may hold open (1 for SQLite). */
    public int poolSize() { return poolSize; }

    /** The store for messages and logs: file path, or {@code postgresql://USER@HOST:PORT/DB} (never the password). */
    public String describe() { return describe; }

    /** The file name of a SQLite store, else {@link #describe()}: for compact descriptions. */
    public String shortName() {
        return file.map(f -> f.getFileName() == null ? f.toString() : f.getFileName().toString()).orElse(describe);
    }

    @Override
    public String toString() {
        return describe;
    }
}
