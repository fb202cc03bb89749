package dev.maestro.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A tiny MCP server built with the same Java SDK, for tests: run as its own process over stdio
 * ({@code java -cp TEST_CLASSPATH dev.maestro.mcp.TestMcpServer}), or in-process over streamable HTTP
 * ({@link #http}, on the JDK's HttpServer at 127.0.0.1, stateless). Its tools:
 * <ul>
 *   <li>{@code add} (a, b: integer) → the sum;</li>
 *   <li>{@code echo} (text: string) → the text;</li>
 *   <li>{@code getenv} (name: string) → that environment variable of the server process, or {@code (unset)};</li>
 *   <li>{@code fail} → an error result;</li>
 *   <li>{@code big} (bytes: integer) → that many 'x';</li>
 *   <li>{@code slow} (ms: integer) → sleeps, then {@code done};</li>
 *   <li>{@code count} → how many times it was called;</li>
 *   <li>{@code crash} → the process exits (stdio) without answering.</li>
 * </ul>
 */
public final class TestMcpServer {
    static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());
    private static final AtomicInteger COUNT = new AtomicInteger();

    private TestMcpServer() {
    }

    record ToolDef(McpSchema.Tool tool, Function<Map<String, Object>, McpSchema.CallToolResult> call) {
    }

    static List<ToolDef> tools() {
        List<ToolDef> out = new ArrayList<>();
        out.add(new ToolDef(tool("add", "Adds two integers.", Map.of("a", "integer", "b", "integer"), List.of("a", "b")),
                a -> text(String.valueOf(((Number) a.get("a")).longValue() + ((Number) a.get("b")).longValue()))));
        out.add(new ToolDef(tool("echo", "Returns its text.", Map.of("text", "string"), List.of("text")),
                a -> text(String.valueOf(a.get("text")))));
        out.add(new ToolDef(tool("getenv", "Reads an environment variable of the server.", Map.of("name", "string"), List.of("name")),
                a -> {
                    String v = System.getenv(String.valueOf(a.get("name")));
                    return text(v == null ? "(unset)" : v);
                }));
        out.add(new ToolDef(tool("fail", "Always fails.", Map.of(), List.of()),
                a -> McpSchema.CallToolResult.builder().addTextContent("the tool is broken on purpose").isError(true).build()));
        out.add(new ToolDef(tool("big", "Returns that many bytes.", Map.of("bytes", "integer"), List.of("bytes")),
                a -> text("x".repeat(((Number) a.get("bytes")).intValue()))));
        out.add(new ToolDef(tool("slow", "Sleeps.", Map.of("ms", "integer"), List.of("ms")), a -> {
            try {
                Thread.sleep(((Number) a.get("ms")).longValue());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return text("done");
        }));
        out.add(new ToolDef(tool("count", "Counts its calls.", Map.of(), List.of()),
                a -> text(String.valueOf(COUNT.incrementAndGet()))));
        out.add(new ToolDef(tool("crash", "Exits the process.", Map.of(), List.of()), a -> {
            Runtime.getRuntime().halt(3);
            return text("unreachable");
        }));
        return out;
    }

    private static McpSchema.Tool tool(String name, String description, Map<String, String> props, List<String> required) {
        Map<String, Object> p = new LinkedHashMap<>();
        props.forEach((k, t) -> p.put(k, Map.of("type", t)));
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", p);
        schema.put("required", required);
        return McpSchema.Tool.builder().name(name).description(description).inputSchema(schema).build();
    }

    private static McpSchema.CallToolResult text(String t) {
        return McpSchema.CallToolResult.builder().addTextContent(t).isError(false).build();
    }

    /** Stdio mode: serves until standard input closes. */
    public static void main(String[] args) throws Exception {
        CountDownLatch forever = new CountDownLatch(1);
        List<McpServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
        for (ToolDef d : tools()) {
            specs.add(new McpServerFeatures.SyncToolSpecification(d.tool(), (ex, req) -> d.call().apply(req.arguments())));
        }
        System.err.println("test MCP server starting");
        McpServer.sync(new StdioServerTransportProvider(JSON)).serverInfo("test-server", "1.0").tools(specs).build();
        forever.await();
    }

    /** An in-process streamable-HTTP server (stateless) at http://127.0.0.1:PORT/mcp, requiring the bearer token. */
    static Http http(String token) throws IOException {
        return new Http(token);
    }

    static final class Http implements AutoCloseable {
        final HttpServer server;
        final McpStatelessSyncServer mcp;
        final AtomicInteger unauthorized = new AtomicInteger();
        private McpStatelessServerHandler handler;

        Http(String token) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            McpStatelessServerTransport transport = new McpStatelessServerTransport() {
                @Override
                public void setMcpHandler(McpStatelessServerHandler h) {
                    handler = h;
                }

                @Override
                public Mono<Void> closeGracefully() {
                    return Mono.empty();
                }
            };
            List<McpStatelessServerFeatures.SyncToolSpecification> specs = new ArrayList<>();
            for (ToolDef d : tools()) {
                specs.add(new McpStatelessServerFeatures.SyncToolSpecification(d.tool(), (ctx, req) -> d.call().apply(req.arguments())));
            }
            mcp = McpServer.sync(transport).serverInfo("test-http-server", "1.0").tools(specs).build();
            server.createContext("/mcp", ex -> {
                try (ex) {
                    if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                        unauthorized.incrementAndGet();
                        ex.sendResponseHeaders(401, -1);
                        return;
                    }
                    if (!ex.getRequestMethod().equals("POST")) {
                        ex.sendResponseHeaders(405, -1);
                        return;
                    }
                    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    McpSchema.JSONRPCMessage msg = McpSchema.deserializeJsonRpcMessage(JSON, body);
                    if (msg instanceof McpSchema.JSONRPCRequest r) {
                        McpSchema.JSONRPCResponse resp = handler.handleRequest(McpTransportContext.EMPTY, r).block();
                        byte[] out = JSON.writeValueAsBytes(resp);
                        ex.getResponseHeaders().set("Content-Type", "application/json");
                        ex.sendResponseHeaders(200, out.length);
                        try (OutputStream os = ex.getResponseBody()) {
                            os.write(out);
                        }
                    } else {
                        ex.sendResponseHeaders(202, -1);
                    }
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
        }

        @Override
        public void close() {
            server.stop(0);
            mcp.close();
        }
    }

    /** The java launcher of this JVM and this test class path, to start the stdio server as a process. */
    static Map<String, String> launchEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TEST_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("TEST_CP", System.getProperty("java.class.path"));
        return env;
    }
}
