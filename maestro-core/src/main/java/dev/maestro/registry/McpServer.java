package dev.maestro.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An MCP server a {@code SKILL.md} declares under {@code mcp:}, whose tools skills call as {@code SERVER/TOOL}
 * (see docs/mcp.md). The registry only reads and checks the declaration; the {@code maestro-mcp} module connects.
 *
 * <p>Every text value ({@code command}, {@code args}, {@code env}, {@code url}, {@code headers}) is kept as
 * written, with its {@code ${VAR}} references unresolved: they are resolved with {@link EnvTemplate} only when the
 * server is connected, because values read from the environment are secrets and must not sit in a card that may be
 * printed or logged.
 *
 * @param name           the server's name in the registry (dash-case), the {@code SERVER} of {@code SERVER/TOOL}
 * @param command        the program of a stdio server (run in {@link #folder})
 * @param args           its arguments
 * @param env            variables given to the stdio process (besides PATH, HOME and a few other basics)
 * @param url            the endpoint of a streamable-HTTP server
 * @param headers        HTTP headers sent to it (e.g. {@code Authorization: "Bearer ${TOKEN}"})
 * @param timeout        bound on each tool call
 * @param connectTimeout bound on starting or reaching the server and its handshake (listing tools is a call)
 * @param maxResultBytes largest tool result (its text, UTF-8) accepted; a larger one is a failed call
 * @param memoize        whether results may be remembered per (tool, arguments) like the built-in tools'
 * @param folder         the declaring skill's folder: the stdio process's working directory
 * @param file           the declaring SKILL.md, relative to the registry folder (for messages)
 * @param line           the line of the declaration in that file
 */
public record McpServer(
        String name,
        Optional<String> command,
        List<String> args,
        Map<String, String> env,
        Optional<String> url,
        Map<String, String> headers,
        Duration timeout,
        Duration connectTimeout,
        long maxResultBytes,
        boolean memoize,
        Path folder,
        String file,
        int line) {

    /** Call timeout when the declaration gives none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Connect timeout when the declaration gives none: starting a JVM or an npx package can take seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Result cap when the declaration gives none: 256 KiB of text is far more than a policy can read. */
    public static final long DEFAULT_MAX_RESULT_BYTES = 256L << 10;
    /** The separator of {@code SERVER/TOOL}; MCP tool names never contain it. */
    public static final char SEPARATOR = '/';

    public McpServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(file, "file");
        args = List.copyOf(args);
        env = Map.copyOf(env);
        headers = Map.copyOf(headers);
        if (command.isPresent() == url.isPresent()) {
            throw new IllegalArgumentException("an MCP server has either a command (stdio) or a url (HTTP)");
        }
    }

    /** Whether it is started as a process speaking MCP over stdin/stdout (else it is reached over HTTP). */
    public boolean stdio() {
        return command.isPresent();
    }

    /** How it is reached, for messages: the command line as written or the URL as written (no resolved values). */
    public String describe() {
        return command.map(c -> "command '" + String.join(" ", prepend(c, args)) + "'").orElseGet(() -> "url " + url.get());
    }

    private static List<String> prepend(String first, List<String> rest) {
        ArrayList<String> out = new ArrayList<>(rest.size() + 1);
        out.add(first);
        out.addAll(rest);
        return out;
    }

    /** {@code file:line}, for messages. */
    public String location() {
        return line > 0 ? file + ":" + line : file;
    }

    /** Whether a tool name has the {@code SERVER/TOOL} form of an MCP tool. */
    public static boolean isMcpTool(String toolName) {
        int at = toolName.indexOf(SEPARATOR);
        return at > 0 && at < toolName.length() - 1;
    }

    /** The {@code SERVER} of {@code SERVER/TOOL}. */
    public static String serverOf(String toolName) {
        return toolName.substring(0, toolName.indexOf(SEPARATOR));
    }

    /** The {@code TOOL} of {@code SERVER/TOOL}. */
    public static String toolOf(String toolName) {
        return toolName.substring(toolName.indexOf(SEPARATOR) + 1);
    }
}
