// The MCP Inspector CLI (@modelcontextprotocol/inspector 2.12) against the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = process.env.ASYNC_PATTERNS_BIN;
const SKILL_DIR = process.env.ASYNC_PATTERNS_TEST_SKILL_DIR;
const serverArgs = [BIN, ...(SKILL_DIR ? ['--skill-dir', SKILL_DIR] : []), 'serve'];

function inspector(...args) {
  const out = spawnSync('mcp-inspector', ['--cli', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

for (const era of ['legacy', 'auto', 'modern']) {
  test(`tools/list (${era})`, () => {
    const r = inspector('--protocol-era', era, ...serverArgs, '--method', 'tools/list', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const names = JSON.parse(r.stdout).result.tools.map((t) => t.name);
    assert.ok(names.includes('run_demo') && names.includes('search_patterns'), names.join(','));
  });
}

test('tools/call get_snippet', () => {
  const list = inspector(...serverArgs, '--method', 'tools/call', '--tool-name', 'list_patterns', '--format', 'json');
  assert.equal(list.code, 0, list.stderr);
  const id = JSON.parse(list.stdout).result.structuredContent.patterns[0].id;
  const r = inspector(...serverArgs, '--method', 'tools/call', '--tool-name', 'get_snippet', '--tool-arg', `id=${id}`, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).result.structuredContent.code.length > 0);
});

test('an unknown pattern is a tool error (exit 5)', () => {
  const r = inspector(...serverArgs, '--method', 'tools/call', '--tool-name', 'get_pattern', '--tool-arg', 'id=no-such-entry', '--format', 'json');
  assert.equal(r.code, 5, r.stdout + r.stderr);
});

test('skills/list --verify checks every digest', () => {
  const r = inspector(...serverArgs, '--method', 'skills/list', '--verify');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /no conformance errors/);
});

test('tools/list passes the strict schema checks with no warnings', () => {
  const r = inspector('--strict', ...serverArgs, '--method', 'tools/list', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /Warning|Error/, r.stderr);
  assert.equal(JSON.parse(r.stdout).result.tools.length >= 5, true);
});
