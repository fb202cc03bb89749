package dev.maestro.registry;

import dev.maestro.MaestroException;
import dev.maestro.io.Limit;
import dev.maestro.registry.Fields.Ctx;
import dev.maestro.registry.SkillsReader.ParsedSkill;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the {@code mcp:} key of a SKILL.md into {@link McpServer} declarations, and checks what spans skills: a
 * server name is declared once per registry, and a tool {@code SERVER/TOOL} names a declared server. Whether the
 * server answers and has the tool is checked when it is connected (the {@code maestro-mcp} module), not here.
 *
 * <p>Values are not substituted here (see {@link McpServer}): a {@code ${VAR}} that is not set is a warning, since
 * the server is only started by a runtime, and secrets must come from the environment, so a literal value of a
 * secret-looking variable or of an Authorization header is an error.
 */
final class McpServersReader {
    static final List<String> SERVER_KEYS = List.of("command", "args", "env", "url", "headers", "timeout",
            "connect-timeout", "max-result-bytes", "memoize");
    private static final Pattern SERVER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(key|token|secret|password|passwd|credential|auth).*");
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    private final ReadContext ctx;
    private final Fields fields;

    McpServersReader(ReadContext ctx, Fields fields) {
        this.ctx = ctx;
        this.fields = fields;
    }

    /** The servers a skill declares under {@code mcp:} (raw node, not substituted); problems go to the context. */
    List<McpServer> read(String file, YamlNode node, Path skillFolder) {
        List<McpServer> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isMap() || node.map().isEmpty()) {
            ctx.error(file, node.line(), "mcp", "mcp must map server names to servers, e.g. "
                    + "'mcp: {calc: {command: python3, args: [calc.py]}}' or '{search: {url: \"http://127.0.0.1:8931/mcp\"}}', got "
                    + node.kind());
            return out;
        }
        for (Map.Entry<String, YamlNode> e : node.map().entrySet()) {
            server(file, e.getKey(), e.getValue(), skillFolder).ifPresent(out::add);
        }
        return out;
    }

    private Optional<McpServer> server(String file, String name, YamlNode n, Path folder) {
        String field = "mcp." + name;
        Ctx c = new Ctx(file, field, n.line());
        boolean ok = true;
        if (!SERVER_NAME.matcher(name).matches()) {
            ctx.error(file, n.line(), field, "an MCP server name is dash-case (lower-case letters, digits, '-'; at most "
                    + "64 characters), because tools are written SERVER/TOOL; got '" + Fields.escaped(name) + "'");
            ok = false;
        }
        if (!n.isMap()) {
            ctx.error(file, n.line(), field, "a server is a mapping with 'command' (and 'args', 'env') for a stdio server "
                    + "or 'url' (and 'headers') for a streamable-HTTP server, got " + n.kind());
            return Optional.empty();
        }
        Map<String, YamlNode> m = n.map();
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            if (!SERVER_KEYS.contains(e.getKey())) {
                ctx.error(file, e.getValue().line(), c.field(e.getKey()), "unknown key '" + Fields.escaped(e.getKey()) + "'"
                        + Fields.suggestion(e.getKey(), SERVER_KEYS) + "; valid: " + String.join(", ", SERVER_KEYS));
                ok = false;
            }
        }
        Optional<String> command = text(c, m, "command");
        Optional<String> url = text(c, m, "url");
        if (command.isPresent() == url.isPresent()) {
            ctx.error(file, n.line(), field, "give exactly one of 'command' (a program speaking MCP over stdio) and "
                    + "'url' (a streamable-HTTP endpoint such as http://127.0.0.1:8931/mcp)");
            return Optional.empty();
        }
        command.ifPresent(v -> template(c, "command", v, m.get("command").line(), false));
        List<String> args = new ArrayList<>();
        YamlNode an = m.get("args");
        if (an != null && !an.isNull()) {
            if (url.isPresent()) {
                ctx.error(file, an.line(), c.field("args"), "args belong to a stdio server (with 'command')");
                ok = false;
            } else if (!an.isList() || an.list().stream().anyMatch(x -> !x.isScalar())) {
                ctx.error(file, an.line(), c.field("args"), "args must be a list of strings, e.g. [server.py, --verbose], got "
                        + an.kind());
                ok = false;
            } else {
                for (YamlNode a : an.list()) {
                    ok &= template(c, "args", a.text(), a.line(), false);
                    args.add(a.text());
                }
            }
        }
        Map<String, String> env = pairs(c, m, "env", ENV_NAME, "an environment variable name (letters, digits, '_')");
        if (!env.isEmpty() && url.isPresent()) {
            ctx.error(file, m.get("env").line(), c.field("env"), "env belongs to a stdio server (with 'command'); an HTTP "
                    + "server gets 'headers'");
            ok = false;
        }
        Map<String, String> headers = pairs(c, m, "headers", HEADER_NAME, "an HTTP header name");
        if (!headers.isEmpty() && command.isPresent()) {
            ctx.error(file, m.get("headers").line(), c.field("headers"), "headers belong to an HTTP server (with 'url'); a "
                    + "stdio server gets 'env'");
            ok = false;
        }
        if (url.isPresent()) {
            ok &= template(c, "url", url.get(), m.get("url").line(), false);
            String resolved = EnvTemplate.resolve(url.get(), k -> Optional.ofNullable(ctx.env.get(k))).value();
            String lower = resolved.toLowerCase(Locale.ROOT);
            if (!EnvTemplate.hasReference(url.get()) && !(lower.startsWith("http://") || lower.startsWith("https://"))) {
                ctx.error(file, m.get("url").line(), c.field("url"), "url must be an http:// or https:// address of a "
                        + "streamable-HTTP MCP endpoint, e.g. http://127.0.0.1:8931/mcp");
                ok = false;
            }
        }
        Optional<Duration> timeout = duration(c, m, "timeout");
        Optional<Duration> connectTimeout = duration(c, m, "connect-timeout");
        ok &= (timeout.isPresent() || !m.containsKey("timeout")) && (connectTimeout.isPresent() || !m.containsKey("connect-timeout"));
        long maxBytes = McpServer.DEFAULT_MAX_RESULT_BYTES;
        YamlNode bn = m.get("max-result-bytes");
        if (bn != null && !bn.isNull()) {
            try {
                maxBytes = Limit.parse("max-result-bytes", bn.text());
            } catch (MaestroException e) {
                ctx.error(file, bn.line(), c.field("max-result-bytes"), e.getMessage());
                ok = false;
            }
        }
        boolean memoize = false;
        YamlNode mn = m.get("memoize");
        if (mn != null && !mn.isNull()) {
            if (mn.value() instanceof Boolean b) {
                memoize = b;
            } else {
                ctx.error(file, mn.line(), c.field("memoize"), "memoize must be true (the server's tools give the same "
                        + "result for the same arguments, so results may be remembered) or false (the default), got " + mn.kind());
                ok = false;
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(new McpServer(name, command, args, env, url, headers, timeout.orElse(McpServer.DEFAULT_TIMEOUT),
                connectTimeout.orElse(McpServer.DEFAULT_CONNECT_TIMEOUT), maxBytes, memoize, folder, file, n.line()));
    }

    /** A positive duration of at most 10 minutes, if given and valid (else empty, with an error when given). */
    private Optional<Duration> duration(Ctx c, Map<String, YamlNode> m, String key) {
        if (!m.containsKey(key) || m.get(key).isNull()) {
            return Optional.empty();
        }
        Optional<Duration> t = fields.duration(c, m, key);
        if (t.isPresent() && t.get().compareTo(MAX_TIMEOUT) > 0) {
            ctx.error(c.file(), m.get(key).line(), c.field(key), key + " must be at most 10m, got " + t.get());
            return Optional.empty();
        }
        return t;
    }

    private Optional<String> text(Ctx c, Map<String, YamlNode> m, String key) {
        YamlNode v = m.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isScalar() || v.value() instanceof Boolean || v.text().isBlank()) {
            ctx.error(c.file(), v.line(), c.field(key), key + " must be a non-empty string, got " + v.kind());
            return Optional.empty();
        }
        return Optional.of(v.text().strip());
    }

    /** A mapping of names to string templates (env, headers); values are never echoed (they may be secrets). */
    private Map<String, String> pairs(Ctx c, Map<String, YamlNode> m, String key, Pattern names, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        YamlNode n = m.get(key);
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isMap()) {
            ctx.error(c.file(), n.line(), c.field(key), key + " must be a mapping of names to values, e.g. "
                    + "{TOKEN: \"${MY_TOKEN}\"}, got " + n.kind());
            return out;
        }
        for (Map.Entry<String, YamlNode> e : n.map().entrySet()) {
            String field = c.field(key) + "." + e.getKey();
            YamlNode v = e.getValue();
            if (!names.matcher(e.getKey()).matches()) {
                ctx.error(c.file(), v.line(), field, "not " + what);
                continue;
            }
            if (!v.isScalar() || v.value() instanceof Boolean) {
                ctx.error(c.file(), v.line(), field, "a value must be a string, got " + v.kind());
                continue;
            }
            String t = v.text();
            if (!EnvTemplate.hasReference(t) && SECRET_NAME.matcher(e.getKey()).matches()) {
                ctx.error(c.file(), v.line(), field, "'" + e.getKey() + "' looks like a secret: take it from the environment, "
                        + "e.g. \"${" + e.getKey().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_") + "}\" (SKILL.md "
                        + "files are shared and printed; the value is not shown)");
                continue;
            }
            if (template(c, key, t, v.line(), true)) {
                out.put(e.getKey(), t);
            }
        }
        return out;
    }

    /** Checks the {@code ${VAR}} references of a value: malformed is an error, unset is a warning. */
    private boolean template(Ctx c, String key, String value, int line, boolean secret) {
        Optional<String> bad = EnvTemplate.malformed(value);
        if (bad.isPresent()) {
            ctx.error(c.file(), line, c.field(key), "malformed environment reference; write ${NAME} or ${NAME:-default}"
                    + (secret ? " (value not shown)" : ""));
            return false;
        }
        for (String var : EnvTemplate.resolve(value, k -> Optional.ofNullable(ctx.env.get(k))).missing()) {
            ctx.warning(c.file(), line, c.field(key), "environment variable " + var + " is not set; the MCP server cannot "
                    + "be started until it is (read when the server is connected, never shown)");
        }
        return true;
    }

    /**
     * What spans skills: each server name is declared by one skill, and every {@code SERVER/TOOL} in a skill's
     * {@code tools:} names a declared server.
     */
    void checkAcrossSkills(Map<String, ParsedSkill> skills) {
        Map<String, McpServer> declared = new LinkedHashMap<>();
        for (ParsedSkill s : skills.values()) {
            for (McpServer m : s.card().workflow().mcpServers()) {
                McpServer first = declared.putIfAbsent(m.name(), m);
                if (first != null) {
                    ctx.error(m.file(), m.line(), "mcp." + m.name(), "MCP server '" + m.name() + "' is already declared in "
                            + first.location() + "; declare a server once and use its tools from any skill");
                }
            }
        }
        for (ParsedSkill s : skills.values()) {
            for (String t : s.card().tools()) {
                if (McpServer.isMcpTool(t) && !declared.containsKey(McpServer.serverOf(t))) {
                    ctx.error(s.file(), s.line("tools"), "tools", "tool '" + t + "' names MCP server '"
                            + McpServer.serverOf(t) + "', which no SKILL.md of this registry declares under 'mcp:'"
                            + (declared.isEmpty() ? "" : "; declared: " + String.join(", ", declared.keySet())));
                }
            }
        }
    }
}
