// Over Streamable HTTP: the official TypeScript client calling every tool, and the
// `skills` CLI installing the skill from the server's well-known registry endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const BIN = process.env.ASYNC_PATTERNS_BIN;
const SKILL_DIR = process.env.ASYNC_PATTERNS_TEST_SKILL_DIR;
const REPO = resolve(import.meta.dirname, '../../..');
const SKILL_ROOT = SKILL_DIR ?? join(REPO, 'skill/async-python-patterns');
const SKILL_NAME = SKILL_ROOT.split('/').filter(Boolean).pop();

let server;
let base;

before(async () => {
  server = spawn(BIN, [...(SKILL_DIR ? ['--skill-dir', SKILL_DIR] : []), 'serve', '--http', '127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  base = await new Promise((resolveUrl, reject) => {
    let text = '';
    server.stderr.on('data', (chunk) => {
      text += chunk;
      const match = text.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (match) resolveUrl(match[0]);
    });
    server.on('exit', () => reject(new Error(`server exited: ${text}`)));
  });
});

after(() => server?.kill('SIGTERM'));

for (const [label, negotiation] of Object.entries({ legacy: { mode: 'legacy' }, auto: { mode: 'auto' }, modern: { pin: '2026-07-28' } })) {
  test(`every tool over HTTP (${label})`, async () => {
    const client = new Client({ name: 'interop-ts-http', version: '1.0.0' }, { versionNegotiation: negotiation });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      const listed = await client.callTool({ name: 'list_patterns', arguments: {} });
      const demo = listed.structuredContent.patterns.find((p) => p.has_demo).id;
      for (const [name, args] of [
        ['get_pattern', { id: demo }],
        ['get_snippet', { id: demo, python: '3.10' }],
        ['search_patterns', { query: 'limit concurrent requests' }],
        ['run_demo', { id: demo }],
      ]) {
        const result = await client.callTool({ name, arguments: args });
        assert.equal(result.isError, false, `${name}: ${JSON.stringify(result.content)}`);
      }
    } finally {
      await client.close();
    }
  });
}

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((p) => join(dir, p))
    .filter((p) => statSync(p).isFile() && !p.includes('__pycache__'))
    .map((p) => relative(dir, p))
    .sort();
}

test('npx skills add http://... installs the skill byte for byte', () => {
  const home = mkdtempSync(join(tmpdir(), 'skills-home-'));
  try {
    const r = spawnSync('skills', ['add', base, '-g', '-a', 'claude-code', '-y'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, HOME: home, DISABLE_TELEMETRY: '1', CI: '1' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const installed = join(home, '.claude/skills', SKILL_NAME);
    assert.deepEqual(files(installed), files(SKILL_ROOT));
    for (const file of files(SKILL_ROOT)) {
      assert.deepEqual(readFileSync(join(installed, file)), readFileSync(join(SKILL_ROOT, file)), file);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('`pack` output on a plain static server installs with npx skills add', async () => {
  const site = mkdtempSync(join(tmpdir(), 'pack-site-'));
  const home = mkdtempSync(join(tmpdir(), 'skills-home-'));
  const packed = spawnSync(BIN, [...(SKILL_DIR ? ['--skill-dir', SKILL_DIR] : []), 'pack', '--out', site], { encoding: 'utf8' });
  assert.equal(packed.status, 0, packed.stderr);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const web = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', site], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 800));
    const r = spawnSync('skills', ['add', `http://127.0.0.1:${port}`, '-g', '-a', 'claude-code', '-y'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, HOME: home, DISABLE_TELEMETRY: '1', CI: '1' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const installed = join(home, '.claude/skills', SKILL_NAME);
    assert.deepEqual(files(installed), files(SKILL_ROOT));
    for (const file of files(SKILL_ROOT)) {
      assert.deepEqual(readFileSync(join(installed, file)), readFileSync(join(SKILL_ROOT, file)), file);
    }
  } finally {
    web.kill();
    rmSync(site, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});

test('npx skills add <repository path> --skill async-python-patterns installs byte for byte', () => {
  const home = mkdtempSync(join(tmpdir(), 'skills-home-'));
  try {
    const r = spawnSync('skills', ['add', REPO, '--skill', 'async-python-patterns', '-g', '-a', 'claude-code', '-y'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, HOME: home, DISABLE_TELEMETRY: '1', CI: '1' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const source = join(REPO, 'skill/async-python-patterns');
    const installed = join(home, '.claude/skills/async-python-patterns');
    assert.deepEqual(files(installed), files(source));
    for (const file of files(source)) {
      assert.deepEqual(readFileSync(join(installed, file)), readFileSync(join(source, file)), file);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('npx skills add <repository path> without --skill finds exactly one skill', () => {
  // Test fixtures (hostile demos, broken skills) must never be offered for install.
  const home = mkdtempSync(join(tmpdir(), 'skills-home-'));
  try {
    const r = spawnSync('skills', ['add', REPO, '-g', '-a', 'claude-code', '-y'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, HOME: home, DISABLE_TELEMETRY: '1', CI: '1' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(readdirSync(join(home, '.claude/skills')), ['async-python-patterns'], r.stdout);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
