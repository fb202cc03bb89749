// A two-turn chat with the stock npm `openai` client against `maestro serve`, without and with streaming.
// Usage: BASE_URL=http://127.0.0.1:PORT/v1 [API_KEY=...] [TAG=...] node two-turn-chat.js
// Prints one JSON line: the answers, whether each reply carried the Maestro ledger, and the streamed chunk count.
// StockClientTest (JUnit, when node and node_modules/openai are present) checks that turn one reached the experts.
const OpenAI = require('openai');

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.API_KEY || 'unused', maxRetries: 0 });
const tag = process.env.TAG || 'stock';

(async () => {
  const model = (await client.models.list()).data[0].id;
  const first = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: `My number is 17. (${tag})` },
  ];
  const turn1 = await client.chat.completions.create({ model, messages: first });
  const history = [...first, { role: 'assistant', content: turn1.choices[0].message.content }];

  const plain = await client.chat.completions.create({
    model, temperature: 0.1, max_tokens: 64,
    messages: [...history, { role: 'user', content: `Now multiply that by 2. (${tag} plain)` }],
  });

  let streamed = '';
  let chunks = 0;
  let ledger = null;
  const stream = await client.chat.completions.create({
    model, stream: true,
    messages: [...history, { role: 'user', content: `Now multiply that by 2. (${tag} stream)` }],
  });
  for await (const c of stream) {
    chunks++;
    streamed += (c.choices[0] && c.choices[0].delta && c.choices[0].delta.content) || '';
    if (c.maestro && c.maestro.totals) ledger = c.maestro;
  }
  console.log(JSON.stringify({
    model,
    turn1: turn1.choices[0].message.content,
    plain: plain.choices[0].message.content,
    plainLedger: !!plain.maestro,
    streamed,
    chunks,
    streamLedger: !!ledger,
  }));
})().catch((e) => {
  console.log(JSON.stringify({ error: `${e.status || ''} ${e.message}`.trim() }));
  process.exit(1);
});
