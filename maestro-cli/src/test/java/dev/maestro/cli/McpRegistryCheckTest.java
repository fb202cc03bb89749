package dev.maestro.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code registry check} connects the MCP servers a registry declares: a reachable server's missing tool and an
 * unreachable server are errors with file and line; {@code --no-connect} checks the files only. The reachable server
 * is {@code maestro mcp} itself (this class path), so no other program is needed.
 */
class McpRegistryCheckTest {
    @TempDir
    Path tmp;

    @Test
    void should_report_a_missing_tool_and_an_unreachable_server() throws IOException {
        // given
        Path calc = McpCommandTest.registry(tmp.resolve("calc"));
        Path reg = tmp.resolve("relay");
        Files.createDirectories(reg.resolve("skills/relay"));
        Files.createDirectories(reg.resolve("skills/ghost"));
        Files.writeString(reg.resolve("models.yaml"), """
                name: relay
                description: skills over MCP servers
                models:
                  - id: tools
                    backend: none
                    description: "deterministic programs, no model"
                    price: {input-per-1m: 0, output-per-1m: 0}
                """);
        Files.writeString(reg.resolve("skills/relay/SKILL.md"), """
                ---
                name: relay
                level: 1
                description: Asks another Maestro, then a tool it does not have.
                mcp:
                  maestro:
                    command: "%s"
                    args: [-Xmx256m, -cp, "%s", dev.maestro.cli.Main, mcp, --registry, "%s", --policy, "fixed:tools@@calc"]
                    connect-timeout: 60s
                tools: [maestro/ask, maestro/tell]
                steps:
                  - tool: maestro/ask
                    argument: "{input}"
                  - tool: maestro/tell
                  - answer: tool:maestro/ask
                ---
                """.formatted(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"), calc));
        Files.writeString(reg.resolve("skills/ghost/SKILL.md"), """
                ---
                name: ghost
                level: 1
                description: A server that is not there.
                mcp:
                  ghost:
                    command: /nonexistent/bin/mcp-ghost
                tools: [ghost/boo]
                steps:
                  - tool: ghost/boo
                  - answer: tool:ghost/boo
                ---
                """);
        // when
        RegistryCommandTest.Run connected = RegistryCommandTest.run("check", reg.toString());
        RegistryCommandTest.Run files = RegistryCommandTest.run("check", "--no-connect", reg.toString());
        // then
        assertThat(connected.exit()).as(connected.out()).isEqualTo(1);
        assertThat(connected.out().lines()).containsExactly(
                reg.resolve("skills/ghost/SKILL.md") + ":7: mcp.ghost: cannot start MCP server 'ghost': no executable program at "
                        + "/nonexistent/bin/mcp-ghost (a relative command is resolved in the skill's folder)",
                reg.resolve("skills/relay/SKILL.md") + ":14: steps[1].tool: MCP server 'maestro' has no tool 'tell'; its tools: ask",
                reg + ": 2 error(s), 0 warning(s)");
        assertThat(files.exit()).as(files.out()).isZero();
        assertThat(files.out().strip()).endsWith("registry relay: 1 models, 2 skills, 2 pairs");
    }
}
