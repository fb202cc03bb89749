// A tiny MCP server over stdio, written with the official npm SDK, for docs/mcp.md and McpNodeClientTest: it shows
// that a workflow skill can call the tools of an MCP server that is not written in Java.
//
// Tools:
//   convert {value: number, from: string, to: string} -> the value in the other unit (km, m, cm, mi, ft, in)
//   units   {}                                         -> the units it knows
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const METRES = { km: 1000, m: 1, cm: 0.01, mi: 1609.344, ft: 0.3048, in: 0.0254 };

const server = new Server({ name: "units", version: "1.0.0" }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: "convert",
      description: "Convert a length between units (km, m, cm, mi, ft, in).",
      inputSchema: {
        type: "object",
        properties: {
          value: { type: "number", description: "the length" },
          from: { type: "string", enum: Object.keys(METRES) },
          to: { type: "string", enum: Object.keys(METRES) },
        },
        required: ["value", "from", "to"],
      },
    },
    { name: "units", description: "The units convert knows.", inputSchema: { type: "object", properties: {} } },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (req) => {
  const a = req.params.arguments ?? {};
  if (req.params.name === "units") {
    return { content: [{ type: "text", text: Object.keys(METRES).join(", ") }] };
  }
  if (req.params.name !== "convert") {
    return { isError: true, content: [{ type: "text", text: `no tool '${req.params.name}'` }] };
  }
  if (typeof a.value !== "number" || !(a.from in METRES) || !(a.to in METRES)) {
    return { isError: true, content: [{ type: "text", text: "convert needs value (number), from and to (one of "
      + Object.keys(METRES).join(", ") + ")" }] };
  }
  const out = (a.value * METRES[a.from]) / METRES[a.to];
  return { content: [{ type: "text", text: String(Number(out.toPrecision(12))) }] };
});

await server.connect(new StdioServerTransport());
