/**
 * MCP with the official Java SDK, both ways (docs/mcp.md).
 *
 * <p>Tools of MCP servers as Level-2 tools: a SKILL.md declares servers under {@code mcp:} (a stdio command or a
 * streamable-HTTP URL) and its workflow steps call their tools as {@code SERVER/TOOL};
 * {@link dev.maestro.mcp.McpToolProvider} connects them when a runtime is built (through the core's
 * {@link dev.maestro.skill.tool.ToolProvider} SPI) and checks each step against the tool's schema.
 * Maestro as an MCP tool: {@link dev.maestro.mcp.server} serves the tool {@code ask}.
 */
package dev.maestro.mcp;
