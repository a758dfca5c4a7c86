// The catalogue as pages, in a real browser: the index and entry pages `serve --http`
// answers, and the same pages written by `pack` (served by a tiny static server here).
// Searched by pasted error messages, followed by link, checked with axe-core, read
// without JavaScript, and on the served page a demo run through /mcp.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { startServer, launchBrowser, artifact } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

/** Pasted error messages and the entry each must leave in the list. */
const PASTED = [
  ["RuntimeWarning: coroutine 'main' was never awaited", "forgotten-await"],
  ["Task was destroyed but it is pending!", "dangling-tasks"],
  ["RuntimeError: This event loop is already running", "nested-asyncio-run"],
];

let server;
let browser;
let packDir;
let packSite;

/** A copy of the fixture skill `name` with its SKILL.md under its real name. */
function fixtureSkill(name, into) {
  const dir = join(into, name);
  cpSync(new URL(`../fixtures/${name}`, import.meta.url), dir, { recursive: true });
  renameSync(join(dir, "SKILL.md.fixture"), join(dir, "SKILL.md"));
  return dir;
}

/** Serves `dir` as a static site on 127.0.0.1 (what any static host would do). */
function serveStatic(dir) {
  const types = { ".html": "text/html; charset=utf-8", ".json": "application/json", ".gz": "application/gzip" };
  const http = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      const bytes = readFileSync(file);
      res.writeHead(200, { "Content-Type": types[extname(file)] || "application/octet-stream" }).end(bytes);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => {
    resolve({ origin: `http://127.0.0.1:${http.address().port}`, stop: () => http.close() });
  }));
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  packDir = mkdtempSync(join(tmpdir(), "async-patterns-pack-"));
  execFileSync(process.env.ASYNC_PATTERNS_BIN, ["pack", "--out", packDir], { stdio: "ignore" });
  packSite = await serveStatic(packDir);
});
after(async () => {
  await browser?.close();
  server?.stop();
  packSite?.stop();
  if (packDir) rmSync(packDir, { recursive: true, force: true });
});

/** A page that records what the browser refused or failed to run. */
async function watchedPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => { if (m.type() === "error") page.problems.push(m.text()); });
  page.on("pageerror", (e) => page.problems.push(String(e)));
  return page;
}

async function visibleEntries(page) {
  return page.locator("ul.entries li:visible").evaluateAll((items) => items.map((li) => li.id.replace(/^entry-/, "")));
}

async function searchFinds(page, query, expected) {
  await page.fill("#q", query);
  const shown = await visibleEntries(page);
  assert.ok(shown.includes(expected), `"${query}" leaves ${expected}, got ${shown}`);
  assert.ok(shown.length <= 3, `"${query}" narrows the list, got ${shown}`);
  assert.match(await page.locator("#search-status").innerText(), /of \d+ entries match/);
}

async function axeViolations(url) {
  const page = await watchedPage({ bypassCSP: true }); // to inject axe itself
  await page.goto(url);
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run());
  await page.context().close();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(" | ")}`);
}

for (const [where, site] of [["served", () => server.origin], ["packed", () => packSite.origin]]) {
  test(`${where}: searching by a pasted error message leaves the entry that fixes it`, async () => {
    const page = await watchedPage();
    await page.goto(site() + "/index.html");
    const all = (await visibleEntries(page)).length;
    assert.ok(all >= 40, `the whole list is shown before searching (${all})`);
    for (const [query, id] of PASTED) await searchFinds(page, query, id);
    await page.fill("#q", "");
    assert.equal((await visibleEntries(page)).length, all, "clearing the box shows everything again");
    await page.fill("#q", "limit concurrency");
    assert.ok((await visibleEntries(page)).includes("semaphore"), "a problem in plain words finds its pattern");
    await page.fill("#q", "run things in parallel");
    assert.ok((await visibleEntries(page)).includes("gather"), "most of the words are enough");
    await page.fill("#q", "xyzzy plugh");
    assert.deepEqual(await visibleEntries(page), []);
    assert.match(await page.locator("#search-status").innerText(), /No entry matches/);
    await page.fill("#q", PASTED[0][0]);
    await page.screenshot({ path: artifact(`pages-${where}-search.png`), fullPage: true });
    await page.click("#entry-forgotten-await a");
    await page.waitForURL(/\/patterns\/forgotten-await\.html$/);
    assert.match(await page.locator("h1").innerText(), /await/i);
    assert.ok(await page.locator("figure.snippet pre code").count() > 0, "the entry's code is shown");
    await page.click("nav a");
    await page.waitForURL(/\/index\.html$/);
    assert.deepEqual(page.problems, [], "nothing was refused or thrown");
    await page.context().close();
  });

  test(`${where}: the index and an entry page pass axe-core`, async () => {
    for (const path of ["/index.html", "/patterns/gather.html", "/patterns/dangling-tasks.html"]) {
      assert.deepEqual(await axeViolations(site() + path), [], `${where} ${path}`);
    }
  });

  test(`${where}: without JavaScript the whole list is readable`, async () => {
    const page = await watchedPage({ javaScriptEnabled: false });
    await page.goto(site() + "/index.html");
    assert.ok((await visibleEntries(page)).length >= 40);
    assert.equal(await page.locator("#q").isVisible(), false, "no dead search box");
    await page.goto(site() + "/patterns/gather.html");
    assert.ok((await page.locator("main").innerText()).includes("asyncio.gather"));
    await page.context().close();
  });
}

test("served: GET / is the index, naming the MCP endpoint and the registry", async () => {
  const page = await watchedPage();
  const response = await page.goto(server.origin + "/");
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-type"], /^text\/html/);
  const text = await page.locator("main").innerText();
  assert.ok(text.includes(server.mcp), `names ${server.mcp}`);
  assert.ok(text.includes(server.origin + "/.well-known/agent-skills/index.json"));
  assert.ok(await page.locator("#entry-gather").isVisible());
  await page.context().close();
});

test("served: Run demo calls run_demo through /mcp and keeps the last result", async () => {
  const page = await watchedPage();
  await page.goto(server.origin + "/patterns/gather.html");
  await page.fill("#param-tasks", "4");
  await page.click("button#run-button");
  const result = page.locator("#demo-result");
  await result.locator("h3").waitFor({ timeout: 30000 });
  assert.match(await page.locator("#demo-status").innerText(), /Done/);
  const summary = await result.locator("pre").first().innerText();
  assert.match(summary, /"tasks": 4/, "the parameter reached the demo");
  assert.match(summary, /"elapsed_s"/);
  const kept = await page.evaluate(() => localStorage.getItem("async-patterns:last-run:gather"));
  const timeline = JSON.parse(kept).report.summary.timeline;
  if (Array.isArray(timeline) && timeline.length > 0) {
    assert.ok(await result.locator("svg").count() > 0, "a result with a timeline is drawn");
  }
  await page.screenshot({ path: artifact("pages-served-run-demo.png"), fullPage: true });
  await page.reload();
  await result.locator("h3").waitFor();
  assert.match(await result.locator("pre").first().innerText(), /"tasks": 4/, "the last run is shown again");
  assert.deepEqual(page.problems, [], "nothing was refused or thrown");
  await page.context().close();
});

test("packed: entry pages say how to run the demo and have no Run button", async () => {
  const page = await watchedPage();
  await page.goto(packSite.origin + "/patterns/gather.html");
  assert.equal(await page.locator("#run-button").count(), 0);
  assert.ok((await page.locator("main").innerText()).includes("async-patterns run gather"));
  await page.screenshot({ path: artifact("pages-packed-entry.png"), fullPage: true });
  await page.context().close();
});

test("served: a result with a timeline is drawn as lanes, and drawn again from storage", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "async-patterns-skill-"));
  const timelineServer = await startServer(["--skill-dir", fixtureSkill("timeline-skill", scratch)]);
  try {
    // The served run without bypassing the page's CSP is the gather test's; this one
    // injects axe-core after drawing.
    const page = await watchedPage({ bypassCSP: true });
    await page.goto(timelineServer.origin + "/patterns/fan-out.html");
    await page.click("button#run-button");
    const lanes = page.locator("#demo-result figure.timeline svg g.lane");
    await lanes.first().waitFor({ timeout: 30000 });
    const drawn = async () => lanes.evaluateAll((gs) => gs.map((g) => ({
      group: g.dataset.group, label: g.dataset.label,
      start: Number(g.dataset.startMs), end: Number(g.dataset.endMs),
    })));
    const first = await drawn();
    assert.deepEqual(first.map((l) => `${l.group}/${l.label}`), [
      "sequential/sleep 0", "sequential/sleep 1", "sequential/sleep 2",
      "gather/sleep 0", "gather/sleep 1", "gather/sleep 2",
    ]);
    const sequential = first.slice(0, 3);
    const gathered = first.slice(3);
    for (let i = 1; i < 3; i++) {
      assert.ok(sequential[i].start >= sequential[i - 1].end, "sequential sleeps do not overlap");
    }
    assert.ok(Math.max(...gathered.map((l) => l.start)) < Math.min(...gathered.map((l) => l.end)),
      "gathered sleeps overlap");
    await page.screenshot({ path: artifact("pages-served-timeline.png"), fullPage: true });
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () =>
      (await window.axe.run()).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target)}`));
    assert.deepEqual(violations, [], "the page with a drawn result passes axe-core");
    await page.reload();
    await lanes.first().waitFor();
    assert.deepEqual(await drawn(), first, "the last timeline is drawn again from localStorage");
    assert.deepEqual(page.problems, [], "nothing was refused or thrown");
    await page.context().close();
  } finally {
    timelineServer.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("served: the pages fit a phone's width", async () => {
  const page = await watchedPage({ viewport: { width: 360, height: 780 }, isMobile: true, bypassCSP: true });
  for (const path of ["/index.html", "/patterns/gather.html", "/patterns/producer-consumer.html",
    "/patterns/sync-async-bridge.html"]) { // a long code line, a Markdown table
    await page.goto(server.origin + path);
    const { scroll, width } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, width: window.innerWidth,
    }));
    assert.ok(scroll <= width, `${path}: the page scrolls sideways (${scroll} > ${width})`);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () =>
      (await window.axe.run()).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target)}`));
    assert.deepEqual(violations, [], `${path} on a phone`);
  }
  await page.goto(server.origin + "/patterns/gather.html");
  await page.screenshot({ path: artifact("pages-phone-entry.png"), fullPage: false });
  await page.context().close();
});

test("served with --token: Run demo says why it cannot run, and the page keeps working", async () => {
  const guarded = await startServer(["--token", "not-in-the-page"]);
  try {
    const page = await watchedPage();
    await page.goto(guarded.origin + "/patterns/gather.html");
    await page.click("button#run-button");
    await page.locator("#demo-status.error").waitFor();
    assert.match(await page.locator("#demo-status").innerText(), /bearer token/);
    assert.equal(await page.locator("button#run-button").isEnabled(), true);
    await page.context().close();
  } finally {
    guarded.stop();
  }
});
