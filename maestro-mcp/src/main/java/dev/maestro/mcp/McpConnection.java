package dev.maestro.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maestro.expert.Secrets;
import dev.maestro.registry.EnvTemplate;
import dev.maestro.registry.McpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.File;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One connection to one declared MCP server, made with the official Java SDK: a stdio process started in the
 * declaring skill's folder, or a streamable-HTTP endpoint. Opened when a registry is loaded, shared by every call,
 * closed with the runtime. A call that fails at the transport (the process died, the connection dropped) drops the
 * connection, and the next call connects again; a timeout or an error the server answered keeps it.
 *
 * <p>{@code ${VAR}} in the declaration are resolved here, from the environment the runtime was given. A stdio process
 * gets only the variables the declaration lists plus a few basics ({@link #BASE_ENV}), not Maestro's whole
 * environment, so the keys of other providers never reach a tool server. Values taken from the environment for
 * {@code headers}, and for {@code env} variables whose names look secret (KEY, TOKEN, SECRET, PASSWORD, ...), are
 * secrets: they are removed from every text this connection hands back.
 */
final class McpConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpConnection.class);
    static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());
    /** Variables a stdio server inherits besides the ones its declaration lists (locating programs, temp, locale). */
    static final List<String> BASE_ENV = List.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL",
            "LC_CTYPE", "TMPDIR", "TEMP", "TMP", "JAVA_HOME", "SYSTEMROOT", "PATHEXT", "COMSPEC", "USERPROFILE",
            "APPDATA", "LOCALAPPDATA");
    /** Variables whose values are secrets (header values always are). */
    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(key|token|secret|password|passwd|credential|auth).*");
    private static final int MAX_TOOL_PAGES = 100;
    private static final int STDERR_LINES = 5;

    private final McpServer spec;
    private final Map<String, String> env;
    private final Secrets secrets;
    private final Deque<String> stderr = new ArrayDeque<>();
    private Live client; // guarded by this
    private List<McpSchema.Tool> tools = List.of();
    private boolean closed;

    private McpConnection(McpServer spec, Map<String, String> env, Secrets secrets) {
        this.spec = spec;
        this.env = env;
        this.secrets = secrets;
    }

    /**
     * A connected client, and for a stdio server a signal that errors when its process exits (a watcher thread waits
     * for it), so a call pending on a dead process fails at once instead of at its timeout.
     */
    private record Live(McpAsyncClient client, Sinks.One<Object> exit) {
    }

    /** Thrown when a server cannot be started, reached or initialised; the message names why (secrets removed). */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Connects and lists the server's tools, within the declaration's timeout.
     *
     * @throws Unavailable naming why it could not be reached
     */
    static McpConnection open(McpServer spec, Map<String, String> env) {
        List<String> secretValues = new ArrayList<>();
        spec.env().forEach((k, t) -> {
            if (SECRET_NAME.matcher(k).matches()) {
                secretValues.addAll(EnvTemplate.resolve(t, lookup(env)).secrets());
            }
        });
        spec.headers().values().forEach(t -> secretValues.addAll(EnvTemplate.resolve(t, lookup(env)).secrets()));
        McpConnection c = new McpConnection(spec, Map.copyOf(env), Secrets.of(secretValues));
        synchronized (c) {
            c.client = c.connect();
        }
        return c;
    }

    McpServer spec() {
        return spec;
    }

    Secrets secrets() {
        return secrets;
    }

    /** The tools the server listed when it was (last) connected. */
    synchronized List<McpSchema.Tool> tools() {
        return tools;
    }

    /**
     * Calls a tool. A {@link McpError} is the server's own answer (the connection stays); any other failure but a
     * timeout drops the connection so that the next call starts it again.
     */
    McpSchema.CallToolResult call(String tool, Map<String, Object> arguments) {
        Live c;
        synchronized (this) {
            if (closed) {
                throw new Unavailable("the runtime was closed");
            }
            if (client == null) {
                client = connect();
            }
            c = client;
        }
        try {
            // the call's own bound: the client's request timeout is the (longer) connect timeout
            Mono<McpSchema.CallToolResult> call = c.client().callTool(new McpSchema.CallToolRequest(tool, arguments));
            Mono<McpSchema.CallToolResult> died = c.exit().asMono().then(Mono.error(() -> new Unavailable(
                    "the server process exited during the call" + stderrTail())));
            return Mono.firstWithSignal(call, died).block(spec.timeout());
        } catch (McpError e) {
            throw e;
        } catch (RuntimeException e) {
            if (!isTimeout(e)) {
                drop(c);
            }
            throw e;
        }
    }

    /** A failure's cause in one line, for observations: what kind, the server's words, no secrets. */
    String describe(Throwable e) {
        return describe(e, spec.timeout(), "timeout");
    }

    private String describe(Throwable e, Duration bound, String key) {
        if (isTimeout(e)) {
            return "no response within " + seconds(bound) + " (set '" + key + ":' in the server's declaration)";
        }
        if (e instanceof Unavailable) {
            return e.getMessage();
        }
        if (e instanceof McpError m && m.getJsonRpcError() != null) {
            return secrets.redact("the server answered error " + m.getJsonRpcError().code() + ": " + m.getJsonRpcError().message());
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedChannelException
                    || t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "nothing answers there (" + t.getClass().getSimpleName() + (t.getMessage() == null ? ""
                        : ": " + secrets.redact(t.getMessage())) + ")";
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return secrets.redact(msg) + stderrTail();
    }

    private synchronized void drop(Live c) {
        if (client == c) {
            client = null;
            quietlyClose(c.client());
        }
    }

    private Live connect() {
        McpClientTransport transport = spec.stdio() ? stdio() : http();
        Duration longest = spec.timeout().compareTo(spec.connectTimeout()) > 0 ? spec.timeout() : spec.connectTimeout();
        McpAsyncClient c = McpClient.async(transport).requestTimeout(longest).initializationTimeout(spec.connectTimeout())
                .clientInfo(new McpSchema.Implementation("maestro", "0.1.0")).build();
        Live live = new Live(c, Sinks.one());
        if (transport instanceof StdioClientTransport process) {
            watch(process, live);
        }
        // a process that exits while starting (a missing script, a crash) fails the handshake at once
        Mono<Object> exited = live.exit().asMono().then(Mono.delay(Duration.ofMillis(100)))
                .then(Mono.error(() -> new Unavailable("the server process exited" + stderrTail())));
        try {
            Mono.firstWithSignal(c.initialize().map(r -> (Object) r), exited).block(spec.connectTimeout());
            List<McpSchema.Tool> listed = new ArrayList<>();
            String cursor = null;
            for (int page = 0; page < MAX_TOOL_PAGES; page++) {
                McpSchema.ListToolsResult r = (cursor == null ? c.listTools() : c.listTools(cursor)).block(spec.connectTimeout());
                listed.addAll(r.tools() == null ? List.of() : r.tools());
                cursor = r.nextCursor();
                if (cursor == null || cursor.isEmpty()) {
                    break;
                }
            }
            tools = List.copyOf(listed);
            return live;
        } catch (RuntimeException e) {
            quietlyClose(c);
            throw new Unavailable("cannot connect to MCP server '" + spec.name() + "' (" + spec.describe() + "): "
                    + describe(e, spec.connectTimeout(), "connect-timeout"));
        }
    }

    /**
     * Signals {@code live.exit()} when the server process ends, and drops the connection if it is still the current
     * one. The SDK starts the process on its own thread and keeps it private; {@code awaitForExit} is the public way
     * to wait for it, and throws (NullPointerException) while the process has not been started yet.
     */
    private void watch(StdioClientTransport process, Live live) {
        long deadline = System.nanoTime() + spec.connectTimeout().toNanos();
        Thread watcher = new Thread(() -> {
            while (true) {
                try {
                    process.awaitForExit();
                    break;
                } catch (NullPointerException notStartedYet) {
                    if (System.nanoTime() > deadline) {
                        return; // never started: the handshake times out and says so
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                } catch (RuntimeException interrupted) {
                    return;
                }
            }
            live.exit().tryEmitEmpty();
            drop(live);
        }, "maestro-mcp-" + spec.name() + "-exit");
        watcher.setDaemon(true);
        watcher.start();
    }

    private StdioClientTransport stdio() {
        String command = resolve(spec.command().orElseThrow(), "command");
        Optional<String> missing = missingProgram(command);
        if (missing.isPresent()) {
            throw new Unavailable("cannot start MCP server '" + spec.name() + "': " + missing.get());
        }
        List<String> args = new ArrayList<>();
        for (String a : spec.args()) {
            args.add(resolve(a, "args"));
        }
        Map<String, String> declared = new LinkedHashMap<>();
        spec.env().forEach((k, v) -> declared.put(k, resolve(v, "env." + k)));
        ServerParameters p = ServerParameters.builder(command).args(args)
                .env(declared).build();
        Map<String, String> base = new LinkedHashMap<>();
        for (String k : BASE_ENV) {
            String v = env.get(k);
            if (v != null) {
                base.put(k, v);
            }
        }
        long cap = Math.min(Integer.MAX_VALUE - 8, spec.maxResultBytes() * 8 + (1L << 20));
        StdioClientTransport t = new ChildProcess(p, (int) cap, spec.folder(), base);
        t.setStdErrorHandler(this::stderr);
        return t;
    }

    /** The SDK's stdio transport, started in the skill's folder with a chosen environment instead of Maestro's. */
    private static final class ChildProcess extends StdioClientTransport {
        private final Path dir;
        private final Map<String, String> base;

        ChildProcess(ServerParameters p, int maxMessageBytes, Path dir, Map<String, String> base) {
            super(p, JSON, maxMessageBytes);
            this.dir = dir;
            this.base = base;
        }

        @Override
        protected ProcessBuilder getProcessBuilder() {
            ProcessBuilder pb = new ProcessBuilder().directory(dir.toFile());
            pb.environment().clear();
            pb.environment().putAll(base);
            return pb;
        }
    }

    /**
     * Why {@code command} cannot be run, if it clearly cannot: a path (relative to the skill folder) that is not an
     * executable file, or a bare name found nowhere on PATH. Said at once instead of after the connect timeout.
     */
    private Optional<String> missingProgram(String command) {
        if (command.contains("/") || command.contains(File.separator)) {
            Path p = spec.folder().resolve(command).normalize();
            return Files.isExecutable(p) ? Optional.empty()
                    : Optional.of("no executable program at " + p + " (a relative command is resolved in the skill's folder)");
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return Optional.empty();
            }
        }
        return Optional.of("program '" + command + "' is not on the PATH (" + (path.isEmpty() ? "PATH is not set" : path)
                + "); give its full path in 'command:'");
    }

    private HttpClientStreamableHttpTransport http() {
        URI u;
        try {
            u = URI.create(resolve(spec.url().orElseThrow(), "url"));
        } catch (IllegalArgumentException e) {
            throw new Unavailable("MCP server '" + spec.name() + "': url is not a valid address: " + e.getMessage());
        }
        if (u.getScheme() == null || u.getRawAuthority() == null || !u.getScheme().matches("(?i)https?")) {
            throw new Unavailable("MCP server '" + spec.name() + "': url must be http:// or https://, e.g. http://127.0.0.1:8931/mcp");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        spec.headers().forEach((k, v) -> headers.put(k, resolve(v, "headers." + k)));
        String path = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        long cap = Math.min(Integer.MAX_VALUE - 8, spec.maxResultBytes() * 8 + (1L << 20));
        return HttpClientStreamableHttpTransport.builder(u.getScheme() + "://" + u.getRawAuthority()).endpoint(path)
                .connectTimeout(spec.connectTimeout()).maxResponseSize((int) cap)
                .httpRequestCustomizer((b, method, uri, body, ctx) -> headers.forEach(b::header)).build();
    }

    private String resolve(String template, String field) {
        EnvTemplate.Resolved r = EnvTemplate.resolve(template, lookup(env));
        if (!r.missing().isEmpty()) {
            throw new Unavailable("cannot start MCP server '" + spec.name() + "': environment variable "
                    + String.join(", ", r.missing()) + " (in " + field + ") is not set");
        }
        return r.value();
    }

    private static Function<String, Optional<String>> lookup(Map<String, String> env) {
        return k -> Optional.ofNullable(env.get(k));
    }

    private void stderr(String line) {
        String l = secrets.redact(line);
        LOG.debug("MCP server {} stderr: {}", spec.name(), l);
        synchronized (stderr) {
            stderr.addLast(l.length() > 200 ? l.substring(0, 200) + "..." : l);
            while (stderr.size() > STDERR_LINES) {
                stderr.removeFirst();
            }
        }
    }

    private String stderrTail() {
        synchronized (stderr) {
            return stderr.isEmpty() ? "" : " (its stderr: " + String.join(" | ", stderr) + ")";
        }
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException
                    || m.startsWith("Timeout on blocking read") || m.startsWith("Did not observe any item or terminal signal within")) {
                return true;
            }
        }
        return false;
    }

    private static void quietlyClose(McpAsyncClient c) {
        try {
            c.closeGracefully().block(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("closing an MCP client: {}", e.toString());
        }
        try {
            c.close();
        } catch (RuntimeException e) {
            LOG.debug("closing an MCP client: {}", e.toString());
        }
    }

    @Override
    public void close() {
        Live c;
        synchronized (this) {
            closed = true;
            c = client;
            client = null;
        }
        if (c != null) {
            quietlyClose(c.client());
        }
    }
}
