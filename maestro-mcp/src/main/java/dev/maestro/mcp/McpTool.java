package dev.maestro.mcp;

import dev.maestro.io.Limit;
import dev.maestro.registry.McpServer;
import dev.maestro.skill.tool.Tool;
import dev.maestro.skill.tool.ToolInput;
import dev.maestro.skill.tool.ToolResult;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A tool of an MCP server as a Level-2 {@link Tool} named {@code SERVER/TOOL}. A call maps the step's inputs to the
 * tool's arguments ({@link ArgumentMapper}), calls the server within its timeout, and turns the result into text:
 * text parts as they are, embedded text resources by their text, structured content as JSON when there is no text,
 * other parts (images, audio, links) as a one-line note. A result the server marks as an error, one larger than the
 * server's {@code max-result-bytes}, and any failure to call become a failed {@link ToolResult} whose message names
 * the server and the tool, so the policy sees them as error observations.
 *
 * <p>A tool whose server could not be reached when the registry was loaded still exists (so a step naming it is not
 * also reported as an unknown tool), and a call fails saying so; the server itself is reported as unreachable, which
 * keeps a runtime from being built on it.
 */
final class McpTool implements Tool {
    private final String server;
    private final String tool;
    private final McpServer spec;
    private final Optional<McpConnection> connection;
    private final ArgumentMapper.Schema schema;
    private final String description;

    McpTool(McpServer spec, String tool, Optional<McpConnection> connection, Optional<McpSchema.Tool> listed) {
        this.server = spec.name();
        this.tool = tool;
        this.spec = spec;
        this.connection = connection;
        this.schema = ArgumentMapper.Schema.of(listed.map(McpSchema.Tool::inputSchema).orElse(Map.of()));
        this.description = listed.map(t -> t.description() != null ? t.description() : t.title() != null ? t.title() : "")
                .orElse("") + " (MCP server '" + server + "')";
    }

    @Override
    public String name() {
        return server + McpServer.SEPARATOR + tool;
    }

    @Override
    public String description() {
        return description.strip();
    }

    /** MCP tools take arguments, not the task's images. */
    @Override
    public boolean readsImages() {
        return false;
    }

    /** Remote tools may change their answer (a search, the time), unless the declaration says {@code memoize: true}. */
    @Override
    public boolean deterministic() {
        return spec.memoize();
    }

    ArgumentMapper.Schema schema() {
        return schema;
    }

    @Override
    public ToolResult run(ToolInput in) {
        long t0 = System.nanoTime();
        if (connection.isEmpty()) {
            return fail("the server could not be connected when the registry was loaded (see maestro registry check)", t0);
        }
        McpConnection c = connection.get();
        ArgumentMapper.Mapped args = ArgumentMapper.map(name(), schema, in.argument(), in.arguments());
        if (args.error().isPresent()) {
            return fail(args.error().get(), t0);
        }
        McpSchema.CallToolResult r;
        try {
            r = c.call(tool, args.arguments());
        } catch (RuntimeException e) {
            return fail(c.describe(e), t0);
        }
        String text = c.secrets().redact(text(r));
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > spec.maxResultBytes()) {
            return fail("the result is " + bytes + " bytes, over the " + Limit.human(spec.maxResultBytes())
                    + " the server's 'max-result-bytes' allows", t0);
        }
        if (Boolean.TRUE.equals(r.isError())) {
            return fail("the tool reported an error: " + (text.isBlank() ? "(no message)" : text.strip()), t0);
        }
        return ToolResult.text(text.strip(), ms(t0));
    }

    private ToolResult fail(String why, long t0) {
        return ToolResult.failure("MCP server '" + server + "', tool '" + tool + "': " + why, ms(t0));
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** The result as one text: parts in order, one per line. */
    static String text(McpSchema.CallToolResult r) {
        StringBuilder sb = new StringBuilder();
        if (r.content() != null) {
            for (McpSchema.Content part : r.content()) {
                String t;
                if (part instanceof McpSchema.TextContent tc) {
                    t = tc.text() == null ? "" : tc.text();
                } else if (part instanceof McpSchema.EmbeddedResource er && er.resource() instanceof McpSchema.TextResourceContents trc) {
                    t = trc.text() == null ? "" : trc.text();
                } else if (part instanceof McpSchema.ImageContent ic) {
                    t = "[image " + ic.mimeType() + ", " + (ic.data() == null ? 0 : ic.data().length() * 3 / 4) + " bytes: not passed on]";
                } else if (part instanceof McpSchema.AudioContent ac) {
                    t = "[audio " + ac.mimeType() + ": not passed on]";
                } else if (part instanceof McpSchema.ResourceLink rl) {
                    t = "[resource " + rl.uri() + "]";
                } else {
                    t = "[" + part.type() + " content: not passed on]";
                }
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(t);
            }
        }
        if (sb.toString().isBlank() && r.structuredContent() != null) {
            try {
                return McpConnection.JSON.writeValueAsString(r.structuredContent());
            } catch (IOException e) {
                return String.valueOf(r.structuredContent());
            }
        }
        return sb.toString();
    }
}
