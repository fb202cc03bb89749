package dev.maestro.mcp;

import dev.maestro.registry.McpServer;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryProblem;
import dev.maestro.registry.SkillCard;
import dev.maestro.registry.SkillWorkflow;
import dev.maestro.skill.tool.ProvidedTools;
import dev.maestro.skill.tool.Tool;
import dev.maestro.skill.tool.ToolProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The {@code mcp} {@link ToolProvider}: connects every MCP server a registry's SKILL.md files declare (in parallel,
 * each within its timeout), offers each listed tool as {@code SERVER/TOOL}, and checks every workflow step that
 * names one: the server answers, it has the tool, and the step's {@code argument}/{@code arguments} fit the tool's
 * input schema. Found by {@link java.util.ServiceLoader} through META-INF/services.
 */
public final class McpToolProvider implements ToolProvider {

    @Override
    public String kind() {
        return "mcp";
    }

    @Override
    public ProvidedTools open(Registry registry, Map<String, String> env) {
        Map<String, McpServer> servers = registry.mcpServers();
        if (servers.isEmpty()) {
            return ProvidedTools.NONE;
        }
        Map<String, McpConnection> open = new LinkedHashMap<>();
        List<RegistryProblem> problems = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(Math.min(8, servers.size()), r -> {
            Thread t = new Thread(r, "maestro-mcp-connect");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<McpConnection>> pending = new LinkedHashMap<>();
            servers.values().forEach(s -> pending.put(s.name(), starter.submit(() -> McpConnection.open(s, env))));
            for (McpServer s : servers.values()) {
                try {
                    open.put(s.name(), pending.get(s.name()).get());
                } catch (ExecutionException e) {
                    String why = e.getCause() instanceof McpConnection.Unavailable u ? u.getMessage()
                            : "cannot connect to MCP server '" + s.name() + "': " + e.getCause();
                    problems.add(problem(s.file(), s.line(), "mcp." + s.name(), why));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    problems.add(problem(s.file(), s.line(), "mcp." + s.name(), "interrupted while connecting"));
                }
            }
        } finally {
            starter.shutdownNow();
        }
        Map<String, McpTool> tools = new LinkedHashMap<>();
        for (McpServer s : servers.values()) {
            Optional<McpConnection> c = Optional.ofNullable(open.get(s.name()));
            c.ifPresent(conn -> conn.tools().forEach(t -> {
                McpTool tool = new McpTool(s, t.name(), c, Optional.of(t));
                tools.putIfAbsent(tool.name(), tool);
            }));
        }
        checkSteps(registry, servers, open, tools, problems);
        List<Tool> out = new ArrayList<>(tools.values());
        return ProvidedTools.of(out, problems, () -> open.values().forEach(McpConnection::close));
    }

    /** Every step naming an MCP tool: the tool exists on a reachable server and the step's inputs fit its schema. */
    private static void checkSteps(Registry registry, Map<String, McpServer> servers, Map<String, McpConnection> open,
                                   Map<String, McpTool> tools, List<RegistryProblem> problems) {
        for (SkillCard skill : registry.skills()) {
            String file = relative(registry, skill);
            for (int i = 0; i < skill.workflow().steps().size(); i++) {
                SkillWorkflow.Step st = skill.workflow().steps().get(i);
                if (st.kind() != SkillWorkflow.Kind.TOOL || !McpServer.isMcpTool(st.target())) {
                    continue;
                }
                String server = McpServer.serverOf(st.target());
                String field = "steps[" + i + "].tool";
                McpConnection c = open.get(server);
                if (!servers.containsKey(server) || c == null) {
                    if (c == null && servers.containsKey(server)) {
                        // the tool cannot be checked; keep the step pointing at a tool that fails saying so
                        tools.putIfAbsent(st.target(), new McpTool(servers.get(server), McpServer.toolOf(st.target()),
                                Optional.empty(), Optional.empty()));
                    }
                    continue; // unreachable: reported once for the server; undeclared: reported by the registry
                }
                McpTool tool = tools.get(st.target());
                if (tool == null) {
                    List<String> names = c.tools().stream().map(McpSchema.Tool::name).toList();
                    problems.add(problem(file, st.line(), field, "MCP server '" + server + "' has no tool '"
                            + McpServer.toolOf(st.target()) + "'; its tools: " + (names.isEmpty() ? "(none)" : String.join(", ", names))));
                    continue;
                }
                for (String p : ArgumentMapper.check(st.target(), tool.schema(), st.argument(), st.arguments())) {
                    problems.add(problem(file, st.line(), "steps[" + i + "]", p));
                }
            }
        }
    }

    private static String relative(Registry registry, SkillCard skill) {
        Optional<String> src = skill.source();
        if (src.isPresent() && registry.folder().isPresent()) {
            try {
                return registry.folder().get().toAbsolutePath().normalize()
                        .relativize(Path.of(src.get()).toAbsolutePath().normalize()).toString().replace('\\', '/');
            } catch (IllegalArgumentException e) {
                return src.get();
            }
        }
        return src.orElse("skills/" + skill.name() + "/SKILL.md");
    }

    private static RegistryProblem problem(String file, int line, String field, String message) {
        return new RegistryProblem(file, field, message, RegistryProblem.Severity.ERROR, line);
    }
}
