package dev.maestro.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.maestro.MaestroException;
import dev.maestro.episode.EpisodeResult;
import dev.maestro.episode.Observation;
import dev.maestro.policy.FixedPairPolicy;
import dev.maestro.registry.Pair;
import dev.maestro.registry.RegistryLoader;
import dev.maestro.registry.RegistryProblem;
import dev.maestro.runtime.MaestroRuntime;
import dev.maestro.skill.tool.ProvidedTools;
import dev.maestro.skill.tool.Tool;
import dev.maestro.skill.tool.ToolProviders;
import dev.maestro.task.AnswerType;
import dev.maestro.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workflow skills calling the tools of real MCP servers end to end: {@link TestMcpServer} started as its own process
 * over stdio (with the test class path), and in-process over streamable HTTP; the episodes run in a
 * {@link MaestroRuntime} built from a registry folder whose SKILL.md files declare the servers.
 */
class McpToolsTest {
    static final String SERVER = "    command: ${TEST_JAVA}\n    args: [-cp, \"${TEST_CP}\", dev.maestro.mcp.TestMcpServer]\n";

    @TempDir
    static Path tmp;
    static Path registry;
    static MaestroRuntime runtime;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws IOException {
        env = new LinkedHashMap<>(TestMcpServer.launchEnv());
        env.put("GREETING", "hello from the registry");
        env.put("OTHER_PROVIDER_KEY", "sk-never-to-be-seen-by-tools");
        env.put("CALC_TOKEN", "calc-token-123456");
        registry = tmp.resolve("reg");
        models(registry, "adder", "chain", "env-reader", "token-reader", "leaky", "failing", "slow-one", "big-one", "counter", "crasher",
                "fragile-add");
        skill(registry, "adder", "mcp:\n  calc:\n" + SERVER + "    env: {GREETING: \"${GREETING}\", CALC_TOKEN: \"${CALC_TOKEN}\"}\n    max-result-bytes: 1k\n",
                "tools: [calc/add]\nsteps:\n  - tool: calc/add\n    arguments: {a: \"{input}\", b: 3}\n  - answer: tool:calc/add\n");
        skill(registry, "chain", "", "tools: [calc/add, calc/echo]\nsteps:\n  - tool: calc/add\n    arguments: {a: \"{input}\", b: 1}\n"
                + "  - tool: calc/echo\n    argument: \"sum is {tool:calc/add}\"\n  - answer: tool:calc/echo\n");
        skill(registry, "env-reader", "", "tools: [calc/getenv]\nsteps:\n  - tool: calc/getenv\n    argument: GREETING\n"
                + "  - answer: tool:calc/getenv\n");
        skill(registry, "token-reader", "", "tools: [calc/getenv]\nsteps:\n  - tool: calc/getenv\n    argument: CALC_TOKEN\n"
                + "  - answer: tool:calc/getenv\n");
        skill(registry, "leaky", "", "tools: [calc/getenv]\nsteps:\n  - tool: calc/getenv\n    argument: OTHER_PROVIDER_KEY\n"
                + "  - answer: tool:calc/getenv\n");
        skill(registry, "failing", "", "tools: [calc/fail]\nsteps:\n  - tool: calc/fail\n  - answer: tool:calc/fail\n");
        skill(registry, "big-one", "", "tools: [calc/big]\nsteps:\n  - tool: calc/big\n    arguments: {bytes: \"{input}\"}\n"
                + "  - answer: tool:calc/big\n");
        skill(registry, "counter", "", "tools: [calc/count]\nsteps:\n  - tool: calc/count\n  - answer: tool:calc/count\n");
        skill(registry, "slow-one", "mcp:\n  slowpoke:\n" + SERVER + "    timeout: 1s\n",
                "tools: [slowpoke/slow]\nsteps:\n  - tool: slowpoke/slow\n    arguments: {ms: 4000}\n  - answer: tool:slowpoke/slow\n");
        skill(registry, "crasher", "mcp:\n  fragile:\n" + SERVER, "tools: [fragile/crash]\nsteps:\n  - tool: fragile/crash\n"
                + "  - answer: tool:fragile/crash\n");
        skill(registry, "fragile-add", "", "tools: [fragile/add]\nsteps:\n  - tool: fragile/add\n    arguments: {a: 1, b: \"{input}\"}\n"
                + "  - answer: tool:fragile/add\n");
        runtime = MaestroRuntime.builder().registry(registry).env(env).grader((t, a) -> 0).build();
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    static void models(Path reg, String... skills) throws IOException {
        Files.createDirectories(reg.resolve("skills"));
        Files.writeString(reg.resolve("models.yaml"), "name: mcp-test\ndescription: tools of test MCP servers\nmodels:\n"
                + "  - id: tools\n    backend: none\n    description: \"tool-only, no model\"\n"
                + "    price: {input-per-1m: 0, output-per-1m: 0}\n    skills: [" + String.join(", ", skills) + "]\n");
    }

    static void skill(Path reg, String name, String mcp, String body) throws IOException {
        Path dir = reg.resolve("skills").resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("SKILL.md"), "---\nname: " + name + "\nlevel: 1\ndescription: \"" + name
                + " through an MCP tool\"\nmodalities: [text]\n" + mcp + body + "---\n{input}\n");
    }

    static EpisodeResult ask(MaestroRuntime rt, String skill, String question) {
        Task t = new Task("q-" + skill + "-" + question.hashCode(), "test", question, List.of(), List.of(),
                AnswerType.UNKNOWN, "test", List.of(), Map.of(), Map.of(), Map.of());
        return rt.environment().run(t, new FixedPairPolicy(new Pair("tools", skill)), 7);
    }

    static Observation only(EpisodeResult r) {
        assertThat(r.steps().get(0).observations()).hasSize(1);
        return r.steps().get(0).observations().get(0);
    }

    @Test
    void should_answer_with_the_tool_of_a_real_stdio_mcp_server_process() {
        // when
        EpisodeResult r = ask(runtime, "adder", "39");
        // then
        assertThat(r.answer()).contains("42");
        assertThat(only(r).text().orElseThrow()).contains("[calc/add] 42");
        assertThat(r.costUsd()).isZero();
    }

    @Test
    void should_feed_one_tool_output_into_the_next_tools_argument() {
        assertThat(ask(runtime, "chain", "9").answer()).contains("sum is 10");
    }

    @Test
    void should_give_the_server_only_the_variables_its_declaration_lists() {
        assertThat(ask(runtime, "env-reader", "x").answer()).contains("hello from the registry");
        assertThat(ask(runtime, "leaky", "x").answer()).contains("(unset)");
        // a secret-looking variable reaches the server, and what comes back never shows it
        assertThat(ask(runtime, "token-reader", "x").answer()).contains("***");
    }

    @Test
    void should_turn_a_tool_error_into_an_error_observation_naming_server_and_tool() {
        // when
        Observation o = only(ask(runtime, "failing", "x"));
        // then
        assertThat(o.error()).isPresent();
        assertThat(o.error().get().message()).contains("calc/fail");
        assertThat(o.text().orElseThrow()).contains("MCP server 'calc', tool 'fail': the tool reported an error: "
                + "the tool is broken on purpose");
    }

    @Test
    void should_bound_each_call_by_the_servers_timeout() {
        // when
        long t0 = System.nanoTime();
        Observation o = only(ask(runtime, "slow-one", "x"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        // then
        assertThat(o.text().orElseThrow()).contains("MCP server 'slowpoke', tool 'slow': no response within 1 s");
        assertThat(seconds).isLessThan(3.5);
    }

    @Test
    void should_refuse_a_result_over_the_byte_cap() {
        assertThat(ask(runtime, "big-one", "100").answer()).contains("x".repeat(100));
        Observation o = only(ask(runtime, "big-one", "5000"));
        assertThat(o.error()).isPresent();
        assertThat(o.text().orElseThrow()).contains("tool 'big': the result is 5000 bytes, over the 1 KiB");
    }

    @Test
    void should_call_a_tool_again_each_time_unless_the_server_is_memoized() {
        int first = Integer.parseInt(ask(runtime, "counter", "x").answer().orElseThrow());
        int second = Integer.parseInt(ask(runtime, "counter", "x").answer().orElseThrow());
        assertThat(second).isEqualTo(first + 1);
    }

    @Test
    void should_reconnect_after_the_server_process_died() {
        // given: the process exits in the middle of a call
        Observation crash = only(ask(runtime, "crasher", "x"));
        assertThat(crash.error()).isPresent();
        assertThat(crash.text().orElseThrow()).contains("MCP server 'fragile', tool 'crash'");
        // when: the next call to that server
        EpisodeResult r = ask(runtime, "fragile-add", "41");
        // then: a new process answers
        assertThat(r.answer()).contains("42");
    }

    @Test
    void should_call_a_streamable_http_server_with_headers_from_the_environment_and_redact_them() throws IOException {
        try (TestMcpServer.Http http = TestMcpServer.http("tok-SECRET-1234")) {
            // given
            Path reg = tmp.resolve("http-reg");
            models(reg, "web-echo");
            skill(reg, "web-echo", "mcp:\n  web:\n    url: \"${WEB_URL}\"\n    headers: {Authorization: \"Bearer ${WEB_TOKEN}\"}\n",
                    "tools: [web/echo]\nsteps:\n  - tool: web/echo\n    argument: \"{input}\"\n  - answer: tool:web/echo\n");
            Map<String, String> e = Map.of("WEB_URL", http.url(), "WEB_TOKEN", "tok-SECRET-1234");
            try (MaestroRuntime rt = MaestroRuntime.builder().registry(reg).env(e).grader((t, a) -> 0).build()) {
                // when
                EpisodeResult plain = ask(rt, "web-echo", "hello over http");
                EpisodeResult echoed = ask(rt, "web-echo", "the token is tok-SECRET-1234");
                // then
                assertThat(plain.answer()).contains("hello over http");
                assertThat(only(echoed).text().orElseThrow()).contains("the token is ***").doesNotContain("SECRET");
                assertThat(http.unauthorized.get()).isZero();
            }
        }
    }

    @Test
    void should_report_an_unknown_tool_of_a_reachable_server_with_its_tools_when_the_runtime_is_built() throws IOException {
        Path reg = tmp.resolve("unknown-tool");
        models(reg, "typo");
        skill(reg, "typo", "mcp:\n  calc:\n" + SERVER, "tools: [calc/ad]\nsteps:\n  - tool: calc/ad\n  - answer: tool:calc/ad\n");
        assertThatThrownBy(() -> MaestroRuntime.builder().registry(reg).env(env).build())
                .isInstanceOf(MaestroException.class)
                .hasMessageContaining("skills/typo/SKILL.md:")
                .hasMessageContaining("MCP server 'calc' has no tool 'ad'; its tools: add, echo, getenv, fail, big, slow, count, crash");
    }

    @Test
    void should_report_arguments_the_tools_schema_does_not_take() throws IOException {
        // given
        Path reg = tmp.resolve("bad-args");
        models(reg, "wrong");
        skill(reg, "wrong", "mcp:\n  calc:\n" + SERVER, "tools: [calc/add, calc/echo]\nsteps:\n  - tool: calc/add\n"
                + "    arguments: {a: 1, c: 2}\n  - tool: calc/echo\n  - answer: tool:calc/add\n");
        // when
        List<RegistryProblem> problems;
        try (ProvidedTools t = ToolProviders.open(RegistryLoader.builder().env(env).build().load(reg), env)) {
            problems = t.problems();
        }
        // then
        assertThat(problems).extracting(RegistryProblem::toString).containsExactly(
                "skills/wrong/SKILL.md:12: steps[0]: tool 'calc/add' takes no argument 'c'; it takes: a, b",
                "skills/wrong/SKILL.md:12: steps[0]: tool 'calc/add' requires b; add it to 'arguments:'",
                "skills/wrong/SKILL.md:14: steps[1]: tool 'calc/echo' requires text; give 'argument: TEXT' or 'arguments:' in the step");
    }

    @Test
    void should_report_an_unreachable_server_clearly() throws IOException {
        Path reg = tmp.resolve("unreachable");
        models(reg, "nowhere", "nothing", "quits");
        skill(reg, "nowhere", "mcp:\n  ghost:\n    command: /nonexistent/bin/mcp-ghost\n    timeout: 5s\n",
                "tools: [ghost/boo]\nsteps:\n  - tool: ghost/boo\n  - answer: tool:ghost/boo\n");
        skill(reg, "nothing", "mcp:\n  web:\n    url: http://127.0.0.1:9/mcp\n    timeout: 5s\n",
                "tools: [web/echo]\nsteps:\n  - tool: web/echo\n  - answer: tool:web/echo\n");
        skill(reg, "quits", "mcp:\n  quitter:\n    command: ${TEST_JAVA}\n    args: [-cp, \"${TEST_CP}\", dev.maestro.mcp.NoSuchMain]\n",
                "tools: [quitter/x]\nsteps:\n  - tool: quitter/x\n  - answer: tool:quitter/x\n");
        long t0 = System.nanoTime();
        try (ProvidedTools t = ToolProviders.open(RegistryLoader.builder().env(env).build().load(reg), env)) {
            assertThat(t.problems()).extracting(RegistryProblem::toString).satisfiesExactly(
                    p -> assertThat(p).startsWith("skills/nothing/SKILL.md:8: mcp.web: cannot connect to MCP server 'web' "
                            + "(url http://127.0.0.1:9/mcp): nothing answers there ("),
                    p -> assertThat(p).isEqualTo("skills/nowhere/SKILL.md:8: mcp.ghost: cannot start MCP server 'ghost': "
                            + "no executable program at /nonexistent/bin/mcp-ghost (a relative command is resolved in the "
                            + "skill's folder)"),
                    p -> assertThat(p).startsWith("skills/quits/SKILL.md:8: mcp.quitter: cannot connect to MCP server "
                            + "'quitter' (command '${TEST_JAVA} -cp ${TEST_CP} dev.maestro.mcp.NoSuchMain'): the server "
                            + "process exited (its stderr: ").contains("NoSuchMain"));
            assertThat(System.nanoTime() - t0).as("nothing waits for a timeout").isLessThan(20_000_000_000L);
            // the steps still name a tool, which fails saying why instead of being an unknown tool
            assertThat(t.tools()).extracting(Tool::name).contains("ghost/boo", "web/echo", "quitter/x");
        }
    }

    @Test
    void should_report_an_unset_variable_when_connecting_without_showing_values() throws IOException {
        Path reg = tmp.resolve("unset");
        models(reg, "needs-key");
        skill(reg, "needs-key", "mcp:\n  calc:\n" + SERVER + "    env: {API_TOKEN: \"${CALC_TOKEN_UNSET}\"}\n",
                "tools: [calc/echo]\nsteps:\n  - tool: calc/echo\n    argument: x\n  - answer: tool:calc/echo\n");
        List<RegistryProblem> atLoad = RegistryLoader.builder().env(env).build().check(reg);
        assertThat(atLoad).extracting(RegistryProblem::toString).anySatisfy(p -> assertThat(p)
                .contains("warning: environment variable CALC_TOKEN_UNSET is not set"));
        try (ProvidedTools t = ToolProviders.open(RegistryLoader.builder().env(env).build().load(reg), env)) {
            assertThat(t.problems()).extracting(RegistryProblem::message).containsExactly("cannot start MCP server 'calc': "
                    + "environment variable CALC_TOKEN_UNSET (in env.API_TOKEN) is not set");
        }
    }
}
