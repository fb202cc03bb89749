/**
 * Maestro as an MCP tool: {@link dev.maestro.mcp.server.AskTool} ({@code ask}: question, images, budget in; answer
 * and ledger out) and {@link dev.maestro.mcp.server.MaestroMcpServer}, which serves it over stdio or a stateless
 * HTTP transport with the MCP Java SDK.
 */
package dev.maestro.mcp.server;
