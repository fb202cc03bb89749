package dev.maestro.skill.tool;

import dev.maestro.registry.Registry;
import java.util.Map;

/**
 * A source of tools from outside the JVM, opened for one registry: the {@code maestro-mcp} module connects the MCP
 * servers that SKILL.md files declare under {@code mcp:} and offers their tools as {@code SERVER/TOOL}.
 * Implementations are found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.maestro.skill.tool.ToolProvider}); {@link ToolProviders#open} calls them.
 */
public interface ToolProvider {

    /** What it provides, e.g. {@code mcp} (the front-matter key of the declarations it serves). */
    String kind();

    /**
     * Connects what {@code registry} declares. Never throws for a server that cannot be reached or a tool it lacks:
     * those are {@link ProvidedTools#problems() problems}, so {@code maestro registry check} can list them all.
     *
     * @param env the environment {@code ${VAR}} references are resolved from (secrets come only from here)
     */
    ProvidedTools open(Registry registry, Map<String, String> env);
}
