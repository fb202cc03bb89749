package dev.maestro.skill.tool;

import dev.maestro.registry.McpServer;
import dev.maestro.registry.Registry;
import dev.maestro.registry.RegistryProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Opens the {@link ToolProvider}s a registry needs. A registry that declares no MCP server needs none, and then
 * nothing is loaded or started; one that does needs the {@code mcp} provider on the class path (the
 * {@code dev.maestro:maestro-mcp} artefact), else every declaring skill is a problem saying so.
 */
public final class ToolProviders {
    private ToolProviders() {
    }

    /** The tools of every server {@code registry} declares, opened with the providers found on the class path. */
    public static ProvidedTools open(Registry registry, Map<String, String> env) {
        return open(registry, env, discovered());
    }

    /** As {@link #open(Registry, Map)}, with the given providers (tests, embedders wiring their own). */
    public static ProvidedTools open(Registry registry, Map<String, String> env, List<ToolProvider> providers) {
        Map<String, McpServer> servers = registry.mcpServers();
        if (servers.isEmpty()) {
            return ProvidedTools.NONE;
        }
        Optional<ToolProvider> mcp = providers.stream().filter(p -> p.kind().equals("mcp")).findFirst();
        if (mcp.isEmpty()) {
            List<RegistryProblem> p = new ArrayList<>();
            for (McpServer s : servers.values()) {
                p.add(new RegistryProblem(s.file(), "mcp." + s.name(), "MCP server '" + s.name() + "' cannot be "
                        + "connected: no MCP tool provider is on the class path (add the dev.maestro:maestro-mcp "
                        + "dependency; the maestro command has it)", RegistryProblem.Severity.ERROR, s.line()));
            }
            return ProvidedTools.of(List.of(), p, () -> { });
        }
        return mcp.get().open(registry, env);
    }

    private static List<ToolProvider> discovered() {
        List<ToolProvider> out = new ArrayList<>();
        ServiceLoader.load(ToolProvider.class, ToolProviders.class.getClassLoader()).forEach(out::add);
        return out;
    }
}
