// Calls Maestro's MCP tool 'ask' with the official npm MCP client (@modelcontextprotocol/sdk) and prints one JSON
// object: the server's name, the tools it lists and the result of one 'ask' call.
//
//   node ask.mjs [--question TEXT] [--image PATH|DATA_URL]... [--max-calls N] stdio COMMAND [ARG...]
//   node ask.mjs [--question TEXT] [--image DATA_URL]... [--max-calls N] http URL
//
// Over http the API key is read from the environment variable MAESTRO_API_KEY (never from the command line).
// Exit status: 0 when the call was made (even if the tool answered isError), 1 when the client could not connect.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const argv = process.argv.slice(2);
const args = { question: "What is 6 * 7?", images: [] };
while (argv.length && argv[0].startsWith("--")) {
  const flag = argv.shift();
  const value = argv.shift();
  if (value === undefined) usage(`${flag} needs a value`);
  if (flag === "--question") args.question = value;
  else if (flag === "--image") args.images.push(value);
  else if (flag === "--max-calls") args.max_calls = Number(value);
  else usage(`unknown option ${flag}`);
}
const mode = argv.shift();
let transport;
if (mode === "stdio" && argv.length > 0) {
  transport = new StdioClientTransport({ command: argv[0], args: argv.slice(1), stderr: "inherit" });
} else if (mode === "http" && argv.length === 1) {
  const headers = process.env.MAESTRO_API_KEY ? { Authorization: `Bearer ${process.env.MAESTRO_API_KEY}` } : {};
  transport = new StreamableHTTPClientTransport(new URL(argv[0]), { requestInit: { headers } });
} else {
  usage("give 'stdio COMMAND [ARG...]' or 'http URL'");
}
if (args.images.length === 0) delete args.images;

const client = new Client({ name: "maestro-mcp-node-client", version: "1.0.0" });
try {
  await client.connect(transport);
  const tools = (await client.listTools()).tools.map((t) => t.name);
  const r = await client.callTool({ name: "ask", arguments: args }, undefined, { timeout: 120000 });
  console.log(JSON.stringify({
    server: client.getServerVersion()?.name,
    tools,
    isError: r.isError === true,
    text: r.content?.[0]?.text,
    structured: r.structuredContent ?? null,
  }));
  await client.close();
  process.exit(0);
} catch (e) {
  console.error("mcp client: " + String(e?.message ?? e));
  process.exit(1);
}

function usage(problem) {
  console.error(`ask.mjs: ${problem}\nusage: node ask.mjs [--question TEXT] [--image IMG]... [--max-calls N] (stdio COMMAND [ARG...] | http URL)`);
  process.exit(2);
}
