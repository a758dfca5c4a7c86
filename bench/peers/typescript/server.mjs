// The benchmark workload served by the official TypeScript SDK (@modelcontextprotocol/server 2.4):
// McpServer with registerTool and zod schemas, serveStdio for stdio, createMcpHandler behind
// the official node adapter for Streamable HTTP, all with the SDK's defaults.
// Usage: node server.mjs stdio | node server.mjs http PORT. Content comes from the fixture the
// harness writes (BENCH_FIXTURE), so every peer returns the same bytes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod';

const fixture = JSON.parse(readFileSync(process.env.BENCH_FIXTURE, 'utf8'));
const patterns = fixture.list_patterns.patterns;

const structured = (value) => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value,
});

// The harness's simple search: one point per query word (longer than three letters) found in a
// pattern's id, title, summary or tags; the five best.
function search(query) {
  const words = query.toLowerCase().split(/[^0-9a-z]+/).filter((w) => w.length > 3);
  const hits = [];
  for (const p of patterns) {
    const text = [p.id, p.title, p.summary, ...p.tags].join(' ').toLowerCase();
    const score = words.filter((w) => text.includes(w)).length;
    if (score > 0) hits.push([score, p]);
  }
  hits.sort((a, b) => b[0] - a[0]);
  return {
    hits: hits.slice(0, 5).map(([score, p]) => ({
      id: p.id, title: p.title, summary: p.summary, category: p.category, score,
    })),
  };
}

function runDemo(id, params) {
  if (!/^[0-9a-z-]+$/.test(id)) throw new Error('bad id');
  const args = [`${fixture.scripts_dir}/${id}.py`];
  for (const [name, value] of Object.entries(params ?? {})) {
    args.push(`--${name}`, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return new Promise((resolve) => {
    execFile(fixture.python, args, { timeout: 10_000 }, (error, stdout) => {
      const timedOut = Boolean(error && error.killed);
      resolve({ exit_code: timedOut ? null : (error ? error.code : 0), stdout, timed_out: timedOut });
    });
  });
}

function makeServer() {
  const server = new McpServer({ name: 'bench-peer-typescript', version: '0.0.0' });
  server.registerTool('get_snippet', {
    description: "Return one snippet's code",
    inputSchema: z.object({ id: z.string() }),
  }, async ({ id }) => {
    const snippet = fixture.snippets[id];
    if (!snippet) throw new Error(`unknown snippet ${id}`);
    return structured(snippet);
  });
  server.registerTool('list_patterns', {
    description: 'List the catalogue',
    inputSchema: z.object({}),
  }, async () => structured(fixture.list_patterns));
  server.registerTool('search_patterns', {
    description: 'Search the catalogue',
    inputSchema: z.object({ query: z.string() }),
  }, async ({ query }) => structured(search(query)));
  server.registerTool('run_demo', {
    description: "Run a pattern's demo script",
    inputSchema: z.object({ id: z.string(), params: z.record(z.string(), z.unknown()).optional() }),
  }, async ({ id, params }) => structured(await runDemo(id, params)));
  return server;
}

if (process.argv[2] === 'http') {
  const handler = toNodeHandler(createMcpHandler(makeServer));
  const http = createServer((req, res) => {
    if (req.url === '/mcp') handler(req, res);
    else { res.writeHead(404); res.end(); }
  });
  http.listen(Number(process.argv[3]), '127.0.0.1');
} else {
  serveStdio(makeServer);
}
