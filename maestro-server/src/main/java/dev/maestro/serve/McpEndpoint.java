package dev.maestro.serve;

import dev.maestro.MaestroException;
import dev.maestro.mcp.server.AskTool;
import dev.maestro.mcp.server.ImageResolver;
import dev.maestro.mcp.server.MaestroMcpServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /mcp}: Maestro as the MCP tool {@code ask} over streamable HTTP (stateless: each POST carries one
 * JSON-RPC message and gets its answer as JSON; there is no session and no GET stream, which MCP clients accept).
 * The route sits behind the server's filters like every other one (API keys, body size, metrics) and takes one of the
 * server's concurrency slots per request. A request that carries an {@code Origin} header from anywhere but this
 * machine is refused (403): browsers send one, MCP clients do not, and a web page must not reach a local server.
 */
final class McpEndpoint implements AutoCloseable {
    static final String PATH = "/mcp";
    private static final Set<String> LOCAL = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final HttpServletStatelessServerTransport transport;
    private final McpStatelessSyncServer server;
    private final Semaphore slots;
    private final int maxConcurrent;

    McpEndpoint(Orchestrator orchestrator, ImageInputs images, long maxBodyBytes, Semaphore slots, int maxConcurrent,
                AskTool.Listener listener) {
        this.slots = slots;
        this.maxConcurrent = maxConcurrent;
        this.transport = HttpServletStatelessServerTransport.builder().jsonMapper(MaestroMcpServer.json()).messageEndpoint(PATH)
                .maxRequestSize((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes)).build();
        AskTool tool = AskTool.create(() -> new AskTool.Backend(orchestrator.name(), orchestrator.environment(),
                orchestrator.policy()), resolver(images), AskTool.Options.HTTP, listener);
        this.server = MaestroMcpServer.stateless(tool, transport);
    }

    void mount(RoutesConfig routes) {
        routes.post(PATH, this::post);
        routes.get(PATH, McpEndpoint::notAllowed);
        routes.delete(PATH, McpEndpoint::notAllowed);
    }

    private void post(Context ctx) throws Exception {
        String origin = ctx.header("Origin");
        if (origin != null && !local(origin)) {
            throw new ApiError(403, "invalid_request_error", "forbidden_origin", "requests from web pages ("
                    + ImageInputs.abbreviate(origin) + ") may not call /mcp");
        }
        if (!slots.tryAcquire()) {
            throw ApiError.overloaded("server is at its limit of " + maxConcurrent + " concurrent requests; retry later");
        }
        try {
            transport.service(ctx.req(), ctx.res());
        } finally {
            slots.release();
        }
    }

    /** There is no server-to-client stream and no session to end: only POST. */
    private static void notAllowed(Context ctx) {
        ctx.header("Allow", "POST");
        throw new ApiError(405, "invalid_request_error", "method_not_allowed", ctx.method() + " " + PATH
                + " is not served: this MCP endpoint is stateless; POST one JSON-RPC message per request");
    }

    private static boolean local(String origin) {
        try {
            String host = URI.create(origin.strip()).getHost();
            return host != null && LOCAL.contains(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Images of an HTTP client: the server's own rules (data URLs; http(s) only from allow-listed hosts). */
    private static ImageResolver resolver(ImageInputs images) {
        return () -> {
            ImageInputs.Batch batch = images.batch();
            return new ImageResolver.Scope() {
                @Override
                public Path add(String image, String field) {
                    try {
                        batch.add(image, field);
                    } catch (ApiError e) {
                        throw new MaestroException(e.getMessage());
                    }
                    List<Path> files = batch.files();
                    return files.get(files.size() - 1);
                }

                @Override
                public void close() {
                    batch.close();
                }
            };
        };
    }

    @Override
    public void close() {
        server.close();
    }
}
