// Every tool schema the server advertises, as the official TypeScript client receives it,
// compiled by ajv (what TypeScript hosts validate with) in strict mode: a warning here is
// a warning printed in every such host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const BIN = process.env.ASYNC_PATTERNS_BIN;

async function advertisedTools() {
  const client = new Client({ name: 'interop-schemas', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StdioClientTransport({ command: BIN, args: ['serve'], stderr: 'ignore' }));
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}

function strictAjv(warnings) {
  const log = (...args) => warnings.push(args.join(' '));
  return new Ajv2020({ strict: true, allErrors: true, logger: { log, warn: log, error: log } });
}

test('every tool schema compiles under ajv strict mode without a warning', async () => {
  const tools = await advertisedTools();
  assert.ok(tools.length >= 6, `only ${tools.length} tools`);
  for (const tool of tools) {
    for (const key of ['inputSchema', 'outputSchema']) {
      const schema = tool[key];
      if (!schema) continue;
      const warnings = [];
      assert.doesNotThrow(() => strictAjv(warnings).compile(schema), `${tool.name}.${key}`);
      assert.deepEqual(warnings, [], `${tool.name}.${key} warned`);
      assert.ok(!JSON.stringify(schema).includes('"default":null'), `${tool.name}.${key} has default null`);
    }
  }
});

test('the advertised input schemas accept real calls and refuse wrong ones', async () => {
  const tools = Object.fromEntries((await advertisedTools()).map((t) => [t.name, t]));
  const validate = (name, args) => strictAjv([]).compile(tools[name].inputSchema)(args);
  assert.equal(validate('search_patterns', { query: 'limit concurrency', limit: 3 }), true);
  assert.equal(validate('search_patterns', { query: 'x', limit: 0 }), false);
  assert.equal(validate('run_demo', { id: 'semaphore', params: { limit: '3' }, timeout_ms: 2000 }), true);
  assert.equal(validate('run_demo', { id: 'semaphore', timeout_ms: -1 }), false);
});
