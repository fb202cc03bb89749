package dev.maestro.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.mcp.server.MaestroMcpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /mcp}: the tool 'ask' over streamable HTTP, called with the MCP Java SDK's own client, behind API keys. */
class McpEndpointTest {
    static final String KEY = "mcp-test-key-123";
    TestRig rig;
    MaestroServer server;

    @BeforeEach
    void start() {
        rig = TestRig.fast();
        server = MaestroServer.builder(rig.orchestrator).port(0).keys(ApiKeys.of(List.of(KEY))).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    McpSyncClient client(String key) {
        HttpClientStreamableHttpTransport t = HttpClientStreamableHttpTransport.builder(server.url()).endpoint("/mcp")
                .jsonMapper(MaestroMcpServer.json())
                .httpRequestCustomizer((b, method, uri, body, ctx) -> b.header("Authorization", "Bearer " + key)).build();
        return McpClient.sync(t).requestTimeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void should_answer_ask_with_the_ledger_for_the_sdk_client() throws Exception {
        try (McpSyncClient c = client(KEY)) {
            // given
            c.initialize();
            // when
            List<McpSchema.Tool> tools = c.listTools().tools();
            McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("ask", Map.of(
                    "question", "Which company leads the chart?", "images", List.of(png(40, 30)), "max_calls", 2)));
            // then
            assertThat(tools).extracting(McpSchema.Tool::name).containsExactly("ask");
            assertThat(tools.get(0).inputSchema()).containsKey("properties");
            assertThat(r.isError()).isFalse();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("Go-Jek");
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) r.structuredContent();
            assertThat(s).containsEntry("answer", "Go-Jek").containsEntry("answered", true).containsEntry("calls", 1)
                    .containsEntry("pairs", List.of("Chart-R1@@Chart_Problem_Solver")).containsEntry("cost_usd", 0.0042)
                    .containsEntry("simulated", false);
            assertThat(rig.lastImages.get()).isEqualTo(1);
            assertThat(server.metrics().render()).contains("endpoint=\"/mcp\"");
        }
    }

    @Test
    void should_refuse_bad_arguments_as_a_tool_error() {
        try (McpSyncClient c = client(KEY)) {
            c.initialize();
            McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("ask", Map.of("question", "q",
                    "images", List.of("/etc/passwd"))));
            assertThat(r.isError()).isTrue();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text())
                    .isEqualTo("images[0]: image_url must be a data: URL (data:image/png;base64,...)");
            assertThat(rig.calls.get()).isZero();
        }
    }

    @Test
    void should_require_the_api_key_and_refuse_web_pages_and_other_methods() throws Exception {
        try (McpSyncClient c = client("wrong-key")) {
            assertThatThrownBy(c::initialize).isInstanceOf(RuntimeException.class);
        }
        HttpClient http = HttpClient.newHttpClient();
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(server.url() + "/mcp"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(init));
        assertThat(http.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> fromPage = http.send(post.header("Origin", "https://evil.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fromPage.statusCode()).isEqualTo(403);
        assertThat(fromPage.body()).contains("forbidden_origin");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/mcp"))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
    }

    static String png(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
