package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Maestro's MCP tool {@code ask} driven by the official npm client ({@code @modelcontextprotocol/sdk}, pinned in
 * src/test/mcp-node/package-lock.json) through {@code src/test/mcp-node/ask.mjs}: over stdio against
 * {@code maestro mcp} as a process, and over streamable HTTP against {@code maestro serve} with an API key.
 * Skipped, saying why, when node is not installed or {@code npm ci} has not been run in that folder (.ci/run runs it).
 */
class McpNodeClientTest {
    static final Path CLIENT = Path.of("src", "test", "mcp-node");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsNode() {
        assumeTrue(onPath("node"), "node is not installed: the npm MCP client test is skipped");
        assumeTrue(Files.isDirectory(CLIENT.resolve("node_modules/@modelcontextprotocol/sdk")),
                "the npm MCP client is not installed: run `npm ci` in maestro-cli/src/test/mcp-node (.ci/run does)");
    }

    @Test
    void should_answer_the_npm_client_over_stdio() throws Exception {
        // given
        Path reg = McpCommandTest.registry(tmp.resolve("reg"));
        List<String> cmd = new ArrayList<>(List.of("--question", "12 * (3 + 4)", "stdio",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "mcp", "--registry", reg.toString(),
                "--policy", "fixed:tools@@calc"));
        // when
        JsonNode r = node(cmd, Map.of());
        // then
        assertThat(r.path("server").asText()).isEqualTo("maestro");
        assertThat(r.path("tools").toString()).isEqualTo("[\"ask\"]");
        assertThat(r.path("isError").asBoolean()).isFalse();
        assertThat(r.path("text").asText()).isEqualTo("84");
        assertThat(r.at("/structured/calls").asInt()).isEqualTo(1);
        assertThat(r.at("/structured/pairs/0").asText()).isEqualTo("tools@@calc");
        assertThat(r.at("/structured/ledger/0/text").asText()).isEqualTo("[calculator] 12 * (3 + 4) = 84");
    }

    @Test
    void should_answer_the_npm_client_over_http_with_an_api_key() throws Exception {
        // given
        Path reg = McpCommandTest.registry(tmp.resolve("reg"));
        Path keys = tmp.resolve("keys");
        Files.writeString(keys, "sk-mcp-node-test\n");
        ServeCommand c = new ServeCommand();
        new CommandLine(c).parseArgs("--registry", reg.toString(), "--policy", "fixed:tools@@calc", "--port", "0",
                "--keys-file", keys.toString());
        try (ServeCommand.Started s = c.start()) {
            String url = s.server().url() + "/mcp";
            // when
            JsonNode ok = node(List.of("--question", "2 ^ 10", "http", url), Map.of("MAESTRO_API_KEY", "sk-mcp-node-test"));
            JsonNode noKey = node(List.of("http", url), Map.of());
            JsonNode bad = node(List.of("--max-calls", "1000", "http", url), Map.of("MAESTRO_API_KEY", "sk-mcp-node-test"));
            // then
            assertThat(ok.path("tools").toString()).isEqualTo("[\"ask\"]");
            assertThat(ok.path("text").asText()).isEqualTo("1024");
            assertThat(ok.at("/structured/pairs/0").asText()).isEqualTo("tools@@calc");
            assertThat(noKey.path("error").asText()).contains("missing API key");
            assertThat(bad.path("isError").asBoolean()).isTrue();
            assertThat(bad.path("text").asText()).isEqualTo("'max_calls' must be an integer in [0, 64]");
        }
    }

    @Test
    void should_call_the_tool_of_a_node_mcp_server_from_a_workflow_skill_both_ways() throws Exception {
        // given: a skill whose step calls convert of units-server.mjs (an MCP server written with the npm SDK)
        Path reg = tmp.resolve("units-reg");
        Files.createDirectories(reg.resolve("skills/km-to-miles"));
        Files.writeString(reg.resolve("models.yaml"), """
                name: units-demo
                description: a workflow skill over a Node MCP server
                models:
                  - id: tools
                    backend: none
                    description: "deterministic programs, no model"
                    price: {input-per-1m: 0, output-per-1m: 0}
                """);
        Files.writeString(reg.resolve("skills/km-to-miles/SKILL.md"), """
                ---
                name: km-to-miles
                level: 1
                description: Converts kilometres to miles with the units MCP server.
                mcp:
                  units:
                    command: node
                    args: ["%s"]
                    timeout: 30s
                tools: [units/convert]
                steps:
                  - tool: units/convert
                    arguments: {value: "{input}", from: km, to: mi}
                  - answer: tool:units/convert
                ---
                """.formatted(CLIENT.resolve("units-server.mjs").toAbsolutePath()));
        List<String> cmd = List.of("--question", "42.195", "stdio", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "mcp", "--registry", reg.toString());
        // when: the npm client asks Maestro, whose skill calls the npm server
        JsonNode r = node(cmd, Map.of());
        // then
        assertThat(r.path("isError").asBoolean()).as(r.toString()).isFalse();
        assertThat(r.path("text").asText()).isEqualTo("26.2187574565");
        assertThat(r.at("/structured/pairs/0").asText()).isEqualTo("tools@@km-to-miles");
        assertThat(r.at("/structured/ledger/0/error").isNull()).isTrue();
    }

    /** Runs ask.mjs; its JSON line, or {"error": stderr} when the client could not connect. */
    static JsonNode node(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("node", "ask.mjs"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(CLIENT.toFile());
        pb.environment().remove("MAESTRO_API_KEY");
        pb.environment().putAll(env);
        Path err = Files.createTempFile("mcp-node", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ask.mjs did not end within 120 s");
        }
        String stderr = Files.readString(err);
        Files.delete(err);
        String last = out.lines().reduce((a, b) -> b).orElse("");
        if (p.exitValue() != 0 || !last.startsWith("{")) {
            return JSON.createObjectNode().put("error", "exit " + p.exitValue() + ": " + stderr.strip());
        }
        return JSON.readTree(last);
    }

    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
