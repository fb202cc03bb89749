package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.collect.ArithmeticModels;
import dev.maestro.episode.EpisodeConfig;
import dev.maestro.mcp.server.MaestroMcpServer;
import dev.maestro.runtime.Embedders;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.testkit.FakeOpenAiServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code maestro mcp} as its own process (this test class path), driven by the MCP Java SDK's stdio client: the tool
 * list, {@code ask} with its ledger, images as a data URL and as a local path, and bad arguments.
 */
class McpCommandTest {
    @TempDir
    Path tmp;

    /** A registry without models or keys: a calculator skill and an image skill, both tool-only. */
    static Path registry(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("skills/calc"));
        Files.createDirectories(dir.resolve("skills/look"));
        Files.writeString(dir.resolve("models.yaml"), """
                name: calc-demo
                description: deterministic programs, no model
                models:
                  - id: tools
                    backend: none
                    description: "deterministic programs, no model"
                    price: {input-per-1m: 0, output-per-1m: 0}
                """);
        Files.writeString(dir.resolve("skills/calc/SKILL.md"), """
                ---
                name: calc
                level: 1
                description: Evaluates an arithmetic expression exactly.
                tools: [calculator]
                steps:
                  - tool: calculator
                    argument: "{input}"
                  - answer: tool:calculator
                ---
                """);
        Files.writeString(dir.resolve("skills/look/SKILL.md"), """
                ---
                name: look
                level: 1
                description: Says how large the image is.
                tools: [zoom]
                steps:
                  - tool: zoom
                    argument: "0,0,1,1"
                  - answer: tool:zoom
                ---
                """);
        return dir;
    }

    static McpSyncClient client(String... args) {
        List<String> command = new ArrayList<>(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "mcp"));
        command.addAll(List.of(args));
        // ServerParameters.Builder.args(List) replaces the arguments given so far: pass them all at once
        ServerParameters p = ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args(command).build();
        StdioClientTransport t = new StdioClientTransport(p, MaestroMcpServer.json());
        t.setStdErrorHandler(line -> System.err.println("[maestro mcp] " + line));
        return McpClient.sync(t).requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60)).build();
    }

    static String text(McpSchema.CallToolResult r, int i) {
        return ((McpSchema.TextContent) r.content().get(i)).text();
    }

    @Test
    void should_answer_ask_over_stdio_for_the_sdk_client() throws Exception {
        Path reg = registry(tmp.resolve("reg"));
        Path image = tmp.resolve("photo.png");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        try (McpSyncClient calc = client("--registry", reg.toString(), "--policy", "fixed:tools@@calc")) {
            // given
            McpSchema.InitializeResult init = calc.initialize();
            // when
            List<McpSchema.Tool> tools = calc.listTools().tools();
            McpSchema.CallToolResult r = calc.callTool(new McpSchema.CallToolRequest("ask", Map.of("question", "12 * (3 + 4)")));
            McpSchema.CallToolResult none = calc.callTool(new McpSchema.CallToolRequest("ask", Map.of("question", "what is love")));
            McpSchema.CallToolResult bad = calc.callTool(new McpSchema.CallToolRequest("ask", Map.of("question", "1+1",
                    "max_calls", 1000)));
            // then
            assertThat(init.serverInfo().name()).isEqualTo("maestro");
            assertThat(tools).extracting(McpSchema.Tool::name).containsExactly("ask");
            assertThat(r.isError()).isFalse();
            assertThat(text(r, 0)).isEqualTo("84");
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) r.structuredContent();
            assertThat(s).containsEntry("answer", "84").containsEntry("calls", 1).containsEntry("pairs", List.of("tools@@calc"))
                    .containsEntry("cost_usd", 0.0).containsEntry("policy", "fixed:tools@@calc");
            assertThat(s.get("ledger").toString()).contains("[calculator] 12 * (3 + 4) = 84");
            @SuppressWarnings("unchecked")
            Map<String, Object> n = (Map<String, Object>) none.structuredContent();
            assertThat(none.isError()).as("an unanswered question is a result, not a tool error").isFalse();
            assertThat(n).containsEntry("answered", false);
            assertThat(text(none, 0)).startsWith("(no answer: ").contains("tools@@calc: ");
            assertThat(bad.isError()).isTrue();
            assertThat(text(bad, 0)).isEqualTo("'max_calls' must be an integer in [0, 64]");
        }
        try (McpSyncClient look = client("--registry", reg.toString(), "--policy", "fixed:tools@@look")) {
            look.initialize();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), "png", png);
            String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
            McpSchema.CallToolResult byPath = look.callTool(new McpSchema.CallToolRequest("ask",
                    Map.of("question", "how large?", "images", List.of(image.toString()))));
            McpSchema.CallToolResult byData = look.callTool(new McpSchema.CallToolRequest("ask",
                    Map.of("question", "how large?", "images", List.of(dataUrl))));
            McpSchema.CallToolResult notImage = look.callTool(new McpSchema.CallToolRequest("ask",
                    Map.of("question", "how large?", "images", List.of(reg.resolve("models.yaml").toString()))));
            assertThat(text(byPath, 0)).contains("of 40x30");
            assertThat(text(byData, 0)).contains("of 64x48");
            assertThat(notImage.isError()).isTrue();
            assertThat(text(notImage, 0)).isEqualTo("images[0]: not an image (PNG, JPEG, GIF, WebP or BMP expected)");
        }
    }

    @Test
    void should_end_with_one_line_and_status_2_for_a_bad_registry_or_policy() throws IOException {
        Path reg = registry(tmp.resolve("reg"));
        Run noRegistry = runInProcess("mcp", "--registry", tmp.resolve("nowhere").toString());
        Run badPolicy = runInProcess("mcp", "--registry", reg.toString(), "--policy", "fixed:tools@@nope");
        assertThat(noRegistry.status()).isEqualTo(2);
        assertThat(noRegistry.lines()).singleElement().asString()
                .startsWith("maestro mcp: no registry '" + tmp.resolve("nowhere") + "'");
        assertThat(badPolicy.status()).isEqualTo(2);
        assertThat(badPolicy.lines()).singleElement().asString().startsWith("maestro mcp: ").contains("tools@@nope");
    }

    @Test
    void should_answer_a_checkpoint_under_the_limits_it_was_trained_with_unless_max_calls_says_otherwise() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(new ArithmeticModels())) {
            // given a checkpoint from a short `maestro train` (4 turns, 4 calls by default; an episode allows 8 calls)
            Path suite = ArithmeticModels.writeSuite(tmp.resolve("my-suite"), 40);
            Map<String, String> env = new HashMap<>(ArithmeticModels.env(server));
            env.put("MAESTRO_HOME", tmp.resolve("home").toString());
            LivePathTest.Result train = LivePathTest.run(env, List.of("train", "--suite", suite.toString(), "--out",
                    tmp.resolve("runs/x").toString(), "--epochs", "1", "--min-steps", "1", "--embedder", Embedders.HASHING,
                    "--no-progress"));
            assertThat(train.exit()).as(train.out()).isZero();
            String reg = suite.resolve("registry").toString();
            String ckpt = tmp.resolve("runs/x/policy.ckpt").toString();
            // then 'ask' runs it under those limits, --max-calls wins over them, and other policies keep the defaults
            EpisodeConfig trained = askLimits(env, "--registry", reg, "--policy", ckpt);
            assertThat(trained.maxCalls()).isEqualTo(4);
            assertThat(trained.maxTurns()).isEqualTo(4);
            EpisodeConfig six = askLimits(env, "--registry", reg, "--policy", ckpt, "--max-calls", "6");
            assertThat(six.maxCalls()).isEqualTo(6);
            assertThat(six.maxTurns()).isEqualTo(4);
            assertThat(askLimits(env, "--registry", reg, "--policy", "fixed:calc@@direct")).isEqualTo(EpisodeConfig.DEFAULT);
        }
    }

    /** The limits 'ask' runs the --policy under (before a call's own max_calls, max_turns), as the command wires it. */
    static EpisodeConfig askLimits(Map<String, String> env, String... args) {
        McpCommand cmd = new McpCommand();
        new CommandLine(cmd).parseArgs(args);
        return CliEnv.with(env, () -> {
            try (MaestroRuntime rt = cmd.runtime()) {
                return McpCommand.backend(rt, cmd.resolveNow(rt).orElseThrow()).environment().config();
            }
        });
    }

    record Run(int status, List<String> lines) {
    }

    /** Runs the command in this JVM; only its own lines of standard error (another test's client may log there). */
    static Run runInProcess(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.run(args);
        } finally {
            System.setErr(before);
        }
        return new Run(status, err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("maestro ")).toList());
    }
}
