// The official TypeScript client (@modelcontextprotocol/client 2.4) and its SkillsClient
// drive the real binary over stdio. A third-party client: a failure here is a server bug.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { SkillsClient } from '@modelcontextprotocol/client/ext/skills';

const BIN = process.env.ASYNC_PATTERNS_BIN;
const SKILL_DIR = process.env.ASYNC_PATTERNS_TEST_SKILL_DIR;
const REPO = resolve(import.meta.dirname, '../../..');
const SKILL_ROOT = SKILL_DIR ?? join(REPO, 'skill/async-python-patterns');
const SKILL_NAME = SKILL_ROOT.split('/').filter(Boolean).pop();
const args = [...(SKILL_DIR ? ['--skill-dir', SKILL_DIR] : []), 'serve'];

const MODES = {
  legacy: { mode: 'legacy' },
  auto: { mode: 'auto' },
  modern: { pin: '2026-07-28' },
};

async function connect(negotiation) {
  const client = new Client({ name: 'interop-ts', version: '1.0.0' }, { versionNegotiation: negotiation });
  await client.connect(new StdioClientTransport({ command: BIN, args, stderr: 'ignore' }));
  return client;
}

for (const [label, negotiation] of Object.entries(MODES)) {
  test(`tools over stdio (${label})`, async () => {
    const client = await connect(negotiation);
    try {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of ['list_patterns', 'get_pattern', 'get_snippet', 'search_patterns', 'run_demo', 'check_code']) {
        assert.ok(names.includes(name), `${name} missing`);
      }
      const listed = await client.callTool({ name: 'list_patterns', arguments: {} });
      assert.equal(listed.isError, false);
      const first = listed.structuredContent.patterns[0].id;
      const got = await client.callTool({ name: 'get_pattern', arguments: { id: first } });
      assert.equal(got.structuredContent.id, first);
      const missing = await client.callTool({ name: 'get_pattern', arguments: { id: 'no-such-entry' } });
      assert.equal(missing.isError, true);
    } finally {
      await client.close();
    }
  });

  test(`SkillsClient verifies every file (${label})`, async () => {
    const client = await connect(negotiation);
    try {
      const skills = new SkillsClient(client);
      assert.ok(skills.supported, 'the Skills extension is declared');
      assert.ok(skills.directoryRead, 'directoryRead is declared');
      const listing = await skills.list();
      assert.equal(listing.skills.length, 1);
      const entry = listing.skills[0];
      assert.equal(entry.frontmatter.name, SKILL_NAME);
      const { skill } = await skills.get(entry.uri);
      assert.equal(skill.resources.length, entry.resources.length);
      for (const resource of skill.resources) {
        const file = await skills.read(skill, resource.uri);
        assert.ok(file.verified, `${resource.uri} not verified`);
        const rel = resource.uri.slice(`skill://${SKILL_NAME}/`.length);
        assert.deepEqual(Buffer.from(file.bytes), readFileSync(join(SKILL_ROOT, rel)), rel);
      }
      const manifest = await skills.read(skill);
      assert.equal(manifest.frontmatter.name, SKILL_NAME);
      const root = await skills.readDirectory(`skill://${SKILL_NAME}`);
      const names = root.resources.map((r) => r.name);
      assert.ok(names.includes('SKILL.md') && names.includes('references'), names.join(','));
    } finally {
      await client.close();
    }
  });
}
