package dev.maestro.mcp.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Serves {@link AskTool} with the MCP Java SDK: over stdio ({@link #stdio}, what {@code maestro mcp} runs) or over
 * any stateless transport ({@link #stateless}; {@code maestro serve} mounts the SDK's servlet transport at
 * {@code /mcp}, behind its API keys).
 */
public final class MaestroMcpServer implements AutoCloseable {
    /** The name and version clients see in {@code initialize}. */
    public static final String SERVER_NAME = "maestro";
    public static final String VERSION = "0.1.0";
    static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());
    private static final String INSTRUCTIONS = "Call the tool 'ask' with a question (and optionally images) to get an "
            + "answer from Maestro, which orchestrates expert models and skills; the result carries the ledger of the "
            + "calls it made, their cost and latency.";

    private final McpSyncServer server;
    private final CountDownLatch ended;

    private MaestroMcpServer(McpSyncServer server, CountDownLatch ended) {
        this.server = server;
        this.ended = ended;
    }

    /**
     * Serves {@code ask} on a stdin/stdout pair (newline-delimited JSON-RPC). Nothing else may write to {@code out}:
     * give it the real standard output and send everything else (logs, progress) to standard error.
     */
    public static MaestroMcpServer stdio(AskTool tool, InputStream in, OutputStream out) {
        CountDownLatch ended = new CountDownLatch(1);
        InputStream watched = new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) {
                    ended.countDown();
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n < 0) {
                    ended.countDown();
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                ended.countDown();
                super.close();
            }
        };
        McpSyncServer s = McpServer.sync(new StdioServerTransportProvider(JSON, watched, out))
                .serverInfo(SERVER_NAME, VERSION).instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .requestTimeout(Duration.ofHours(1))
                // AskTool checks its own arguments and names the argument and its valid range in one line
                .validateToolInputs(false)
                .tools(new McpServerFeatures.SyncToolSpecification(tool.definition(), (exchange, req) -> tool.call(req.arguments())))
                .build();
        return new MaestroMcpServer(s, ended);
    }

    /** Serves {@code ask} on a stateless transport (each POST is answered on its own, no session). */
    public static McpStatelessSyncServer stateless(AskTool tool, McpStatelessServerTransport transport) {
        return McpServer.sync(transport).serverInfo(SERVER_NAME, VERSION).instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build()).validateToolInputs(false)
                .tools(new McpStatelessServerFeatures.SyncToolSpecification(tool.definition(),
                        (ctx, req) -> tool.call(req.arguments())))
                .build();
    }

    /** The JSON mapper the servers use (Jackson 2, the project's). */
    public static McpJsonMapper json() {
        return JSON;
    }

    /** Blocks until the client closes standard input. */
    public void awaitEnd() throws InterruptedException {
        ended.await();
    }

    @Override
    public void close() {
        try {
            server.closeGracefully();
        } catch (RuntimeException e) {
            server.close();
        }
    }
}
