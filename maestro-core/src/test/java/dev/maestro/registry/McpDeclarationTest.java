package dev.maestro.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maestro.skill.tool.ProvidedTools;
import dev.maestro.skill.tool.ToolProviders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code mcp:} key of SKILL.md and the {@code arguments:} of MCP tool steps, as the registry reads and checks them. */
class McpDeclarationTest {
    @TempDir
    Path tmp;

    Path registry(String... skills) throws IOException {
        Path reg = tmp.resolve("reg");
        Files.createDirectories(reg.resolve("skills"));
        Files.writeString(reg.resolve("models.yaml"), "name: mcp\nmodels:\n  - id: tools\n    backend: none\n"
                + "    description: no model\n");
        for (String s : skills) {
            String name = s.lines().filter(l -> l.startsWith("name: ")).findFirst().orElseThrow().substring(6);
            Files.createDirectories(reg.resolve("skills").resolve(name));
            Files.writeString(reg.resolve("skills").resolve(name).resolve("SKILL.md"), s);
        }
        return reg;
    }

    static String skill(String name, String front) {
        return "---\nname: " + name + "\nlevel: 1\ndescription: uses MCP tools\n" + front + "---\n{input}\n";
    }

    List<String> problems(Path reg, Map<String, String> env) {
        return RegistryLoader.builder().env(env).build().check(reg).stream().map(RegistryProblem::toString).toList();
    }

    @Test
    void should_read_a_stdio_and_an_http_server_keeping_environment_references_unresolved() throws IOException {
        // given
        Path reg = registry(skill("calc", """
                mcp:
                  calc:
                    command: python3
                    args: [calc_server.py, "--mode=${CALC_MODE}"]
                    env: {CALC_TOKEN: "${CALC_TOKEN}", LEVEL: "3"}
                    timeout: 5s
                    connect-timeout: 1m
                    max-result-bytes: 4k
                    memoize: true
                  search:
                    url: "http://127.0.0.1:8931/mcp"
                    headers: {Authorization: "Bearer ${SEARCH_TOKEN}"}
                tools: [calc/add, search/query]
                steps:
                  - tool: calc/add
                    arguments: {a: "{input}", b: 2, opts: {exact: true, tags: ["{question}"]}}
                  - tool: search/query
                    argument: "{tool:calc/add}"
                  - answer: tool:search/query
                """));
        Map<String, String> env = Map.of("CALC_MODE", "fast", "CALC_TOKEN", "tok-123456", "SEARCH_TOKEN", "s-123456");
        // when
        Registry r = RegistryLoader.builder().env(env).build().load(reg);
        // then
        McpServer calc = r.mcpServers().get("calc");
        assertThat(calc.command()).contains("python3");
        assertThat(calc.args()).containsExactly("calc_server.py", "--mode=${CALC_MODE}");
        assertThat(calc.env()).containsEntry("CALC_TOKEN", "${CALC_TOKEN}").containsEntry("LEVEL", "3");
        assertThat(calc.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(calc.connectTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(calc.maxResultBytes()).isEqualTo(4096);
        assertThat(calc.memoize()).isTrue();
        assertThat(calc.folder()).isEqualTo(reg.resolve("skills/calc").toAbsolutePath().normalize());
        assertThat(calc.location()).isEqualTo("skills/calc/SKILL.md:7");
        McpServer search = r.mcpServers().get("search");
        assertThat(search.stdio()).isFalse();
        assertThat(search.url()).contains("http://127.0.0.1:8931/mcp");
        assertThat(search.headers()).containsEntry("Authorization", "Bearer ${SEARCH_TOKEN}");
        assertThat(search.timeout()).isEqualTo(McpServer.DEFAULT_TIMEOUT);
        SkillWorkflow.Step add = r.skill("calc").orElseThrow().workflow().steps().get(0);
        assertThat(add.arguments()).containsEntry("a", "{input}").containsEntry("b", 2)
                .containsEntry("opts", Map.of("exact", true, "tags", List.of("{question}")));
        // no value read from the environment sits in the card
        assertThat(r.skill("calc").orElseThrow().toString()).doesNotContain("tok-123456", "s-123456", "fast");
    }

    @Test
    void should_report_every_malformed_declaration_with_its_line() throws IOException {
        Path reg = registry(skill("bad", """
                mcp:
                  Bad_Name:
                    command: x
                  both:
                    command: x
                    url: http://h/mcp
                  neither:
                    timeout: 3s
                  typo:
                    comand: x
                  web:
                    url: ftp://h/mcp
                    env: {A: b}
                  slow:
                    command: x
                    timeout: 2h
                    max-result-bytes: lots
                    memoize: "yes"
                  leaky:
                    command: x
                    env: {API_KEY: "sk-literal-1234"}
                """));
        assertThat(problems(reg, Map.of())).containsExactly(
                "skills/bad/SKILL.md:7: mcp.Bad_Name: an MCP server name is dash-case (lower-case letters, digits, '-'; at "
                        + "most 64 characters), because tools are written SERVER/TOOL; got 'Bad_Name'",
                "skills/bad/SKILL.md:9: mcp.both: give exactly one of 'command' (a program speaking MCP over stdio) and 'url' "
                        + "(a streamable-HTTP endpoint such as http://127.0.0.1:8931/mcp)",
                "skills/bad/SKILL.md:12: mcp.neither: give exactly one of 'command' (a program speaking MCP over stdio) and "
                        + "'url' (a streamable-HTTP endpoint such as http://127.0.0.1:8931/mcp)",
                "skills/bad/SKILL.md:14: mcp.typo.comand: unknown key 'comand'; did you mean 'command'?; valid: command, "
                        + "args, env, url, headers, timeout, connect-timeout, max-result-bytes, memoize",
                "skills/bad/SKILL.md:14: mcp.typo: give exactly one of 'command' (a program speaking MCP over stdio) and "
                        + "'url' (a streamable-HTTP endpoint such as http://127.0.0.1:8931/mcp)",
                "skills/bad/SKILL.md:16: mcp.web.url: url must be an http:// or https:// address of a streamable-HTTP MCP "
                        + "endpoint, e.g. http://127.0.0.1:8931/mcp",
                "skills/bad/SKILL.md:17: mcp.web.env: env belongs to a stdio server (with 'command'); an HTTP server gets 'headers'",
                "skills/bad/SKILL.md:20: mcp.slow.timeout: timeout must be at most 10m, got PT2H",
                "skills/bad/SKILL.md:21: mcp.slow.max-result-bytes: max-result-bytes must be a positive number of bytes, "
                        + "optionally with k, m or g (e.g. 16777216 or 16m), got 'lots'",
                "skills/bad/SKILL.md:22: mcp.slow.memoize: memoize must be true (the server's tools give the same result for "
                        + "the same arguments, so results may be remembered) or false (the default), got a string",
                "skills/bad/SKILL.md:25: mcp.leaky.env.API_KEY: 'API_KEY' looks like a secret: take it from the environment, "
                        + "e.g. \"${API_KEY}\" (SKILL.md files are shared and printed; the value is not shown)");
    }

    @Test
    void should_check_tools_and_arguments_across_skills() throws IOException {
        Path reg = registry(
                skill("one", "mcp:\n  calc:\n    command: x\ntools: [calc/add, zoom]\nsteps:\n  - tool: zoom\n"
                        + "    arguments: {factor: 2}\n  - tool: calc/add\n    argument: \"1\"\n    arguments: {a: 1}\n"
                        + "  - answer: tool:calc/add\n"),
                skill("two", "mcp:\n  calc:\n    command: y\ntools: [calc/add, web/search]\nsteps:\n  - tool: calc/add\n"
                        + "    arguments: {a: \"{tool:web/search}\"}\n  - answer: tool:calc/add\n"));
        assertThat(problems(reg, Map.of())).containsExactly(
                "skills/one/SKILL.md:11: steps[0].arguments: arguments: is for MCP tools (written SERVER/TOOL); the built-in "
                        + "tool 'zoom' takes one 'argument: TEXT'",
                "skills/one/SKILL.md:14: steps[1].arguments: give either 'argument: TEXT' (for a tool with one argument) or "
                        + "'arguments:' (name: value for each), not both",
                "skills/two/SKILL.md:7: mcp.calc: MCP server 'calc' is already declared in skills/one/SKILL.md:7; declare a "
                        + "server once and use its tools from any skill",
                "skills/two/SKILL.md:8: tools: tool 'web/search' names MCP server 'web', which no SKILL.md of this registry "
                        + "declares under 'mcp:'; declared: calc",
                "skills/two/SKILL.md:11: steps[0].arguments.a: unknown placeholder {tool:web/search} in a step argument; valid "
                        + "here: {question}, {input}, {options}, {conversation}");
    }

    @Test
    void should_say_which_artefact_is_missing_when_no_mcp_provider_is_on_the_class_path() throws IOException {
        Path reg = registry(skill("one", "mcp:\n  calc:\n    command: x\ntools: [calc/add]\nsteps:\n  - tool: calc/add\n"
                + "  - answer: tool:calc/add\n"));
        Registry r = RegistryLoader.builder().env(Map.of()).build().load(reg);
        try (ProvidedTools t = ToolProviders.open(r, Map.of(), List.of())) {
            assertThat(t.tools()).isEmpty();
            assertThat(t.problems()).extracting(RegistryProblem::toString).containsExactly(
                    "skills/one/SKILL.md:7: mcp.calc: MCP server 'calc' cannot be connected: no MCP tool provider is on the "
                            + "class path (add the dev.maestro:maestro-mcp dependency; the maestro command has it)");
        }
        // a registry that declares no server needs no provider
        Path plain = tmp.resolve("plain");
        Files.createDirectories(plain.resolve("skills/direct"));
        Files.writeString(plain.resolve("models.yaml"), "name: p\nmodels:\n  - id: m\n    backend: simulated\n    description: m\n");
        Files.writeString(plain.resolve("skills/direct/SKILL.md"), skill("direct", ""));
        assertThat(ToolProviders.open(RegistryLoader.load(plain), Map.of(), List.of())).isSameAs(ProvidedTools.NONE);
        assertThat(Optional.of(McpServer.isMcpTool("calc/add"))).contains(true);
        assertThat(McpServer.isMcpTool("zoom")).isFalse();
        assertThat(McpServer.isMcpTool("/x")).isFalse();
    }
}
