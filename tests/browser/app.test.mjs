// run_demo as an MCP App, in a real browser: a test host page embeds the server's `ui://`
// view through the SDK's real `AppBridge` (sandboxed iframe, the CSP a host derives from
// the resource's `_meta.ui.csp`), feeds it tool input and a real run_demo result that an
// MCP client (the TypeScript SDK) got from the real server over HTTP, and reads back what
// the view drew.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startServer, launchBrowser, artifact } from "./harness.mjs";

const UI = "io.modelcontextprotocol/ui";
const APP_MIME = "text/html;profile=mcp-app";
const VIEW = "ui://async-python-patterns/demo-timeline.html";
// Made-up origins the test answers itself: the host page, and the view apart from it.
const HOST = "http://host.test";
const VIEW_ORIGIN = "http://view.test";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let server;
let client;
let browser;
let hostBundle;
let view; // { html, csp }
let gather; // a real run_demo result for the `gather` entry

before(async () => {
  server = await startServer();
  client = new Client(
    { name: "app-test-host", version: "1.0.0" },
    { capabilities: { extensions: { [UI]: { mimeTypes: [APP_MIME] } } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(server.mcp)));
  const read = await client.readResource({ uri: VIEW });
  const content = read.contents[0];
  view = { html: content.text, mimeType: content.mimeType, csp: content._meta?.ui?.csp };
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL("./app-host.js", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    logLevel: "silent",
  });
  hostBundle = bundled.outputFiles[0].text;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await client?.close();
  server?.stop();
});

/** The CSP a host builds from `_meta.ui.csp` (MCP Apps: declared domains only). */
function cspHeader(csp = {}) {
  const list = (key) => (csp[key] ?? []).join(" ");
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline' ${list("resourceDomains")}`,
    `style-src 'unsafe-inline' ${list("resourceDomains")}`,
    `img-src data: ${list("resourceDomains")}`,
    `font-src ${list("resourceDomains") || "'none'"}`,
    `connect-src ${list("connectDomains") || "'none'"}`,
    `frame-src ${list("frameDomains") || "'none'"}`,
    "object-src 'none'",
    `base-uri ${list("baseUriDomains") || "'none'"}`,
  ].join("; ");
}

/**
 * A fresh host page with the view mounted and initialized. `problems` collects requests
 * to any other origin, CSP violations and script errors: every test ends asserting none.
 */
async function mountedView(hostContext = { theme: "light" }) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("request", (request) => {
    const origin = new URL(request.url()).origin;
    if (origin !== HOST && origin !== VIEW_ORIGIN) problems.push(`request to ${request.url()}`);
  });
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === HOST && url.pathname === "/") {
      return route.fulfill({
        contentType: "text/html",
        body: '<!doctype html><html lang="en"><title>test host</title><body><script src="/host.js"></script></body></html>',
      });
    }
    if (url.origin === HOST && url.pathname === "/host.js") {
      return route.fulfill({ contentType: "text/javascript", body: hostBundle });
    }
    if (url.origin === VIEW_ORIGIN && url.pathname === "/view.html") {
      return route.fulfill({
        contentType: "text/html",
        headers: { "Content-Security-Policy": cspHeader(view.csp) },
        body: view.html,
      });
    }
    return route.abort();
  });
  await page.goto(`${HOST}/`);
  const appInfo = await page.evaluate(
    ([url, context]) => window.mountView(url, context),
    [`${VIEW_ORIGIN}/view.html`, hostContext],
  );
  const frame = page.frames().find((f) => f.url().startsWith(VIEW_ORIGIN));
  assert.ok(frame, "the view's frame is there");
  return { page, frame, problems, appInfo };
}

async function visibleSection(frame) {
  return frame.evaluate(() =>
    ["waiting", "running", "cancelled", "result"].filter((id) => !document.getElementById(id).hidden),
  );
}

/** What the view drew: every lane of its timeline, in DOM order, with its bar's box. */
async function drawnLanes(frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll("#result-timeline svg g.lane")].map((lane) => {
      const box = lane.querySelector("rect.bar").getBBox();
      return {
        label: lane.dataset.label,
        group: lane.dataset.group,
        outcome: lane.dataset.outcome,
        left: box.x,
        right: box.x + box.width,
        top: box.y,
      };
    }),
  );
}

/** The spans of `timeline` in the order the lanes must come: blocks by first appearance. */
function expectedLaneOrder(timeline) {
  const drawable = timeline.filter(
    (s) => s && Number.isFinite(s.start_ms) && Number.isFinite(s.end_ms) && s.start_ms >= 0,
  );
  const groups = [...new Set(drawable.map((s) => s.group ?? ""))];
  return groups.flatMap((g) => drawable.filter((s) => (s.group ?? "") === g));
}

function overlaps(a, b) {
  return a.left < b.right - 0.5 && b.left < a.right - 0.5;
}

/** The lanes as the contract says they must be drawn (count, order, overlap). */
function assertLanes(timeline, lanes) {
  const expected = expectedLaneOrder(timeline);
  assert.ok(expected.length > 0, "the timeline has drawable spans");
  assert.equal(lanes.length, expected.length, "one lane per span");
  assert.deepEqual(
    lanes.map((l) => `${l.group}/${l.label}/${l.outcome}`),
    expected.map((s) => `${s.group ?? ""}/${s.label}/${s.outcome}`),
    "lanes in the spans' order, grouped",
  );
  for (let i = 1; i < lanes.length; i++) {
    assert.ok(lanes[i].top > lanes[i - 1].top, `lane ${i} is drawn below lane ${i - 1}`);
  }
  const concurrent = lanes.filter((l) => l.group === "gather");
  for (const lane of concurrent) {
    const others = concurrent.filter((o) => o !== lane);
    if (others.length > 0) {
      assert.ok(others.some((o) => overlaps(lane, o)), `gather's ${lane.label} overlaps another task`);
    }
  }
  const sequential = lanes.filter((l) => l.group === "sequential").sort((a, b) => a.left - b.left);
  for (let i = 1; i < sequential.length; i++) {
    assert.ok(!overlaps(sequential[i - 1], sequential[i]), `sequential ${sequential[i].label} waits for the previous one`);
  }
}

async function runDemo(args) {
  return client.callTool({ name: "run_demo", arguments: args });
}

test("the server offers the extension to this host and links run_demo to its view", async () => {
  assert.deepEqual(client.getServerCapabilities().extensions?.[UI], { mimeTypes: [APP_MIME] });
  const { tools } = await client.listTools();
  const runDemo = tools.find((t) => t.name === "run_demo");
  assert.equal(runDemo._meta?.ui?.resourceUri, VIEW);
  assert.equal(view.mimeType, APP_MIME);
  for (const key of ["connectDomains", "resourceDomains", "frameDomains", "baseUriDomains"]) {
    assert.deepEqual(view.csp[key], [], `${key} is empty`);
  }
});

test("a real gather run: running state, then lanes, summary and output", async (t) => {
  const { page, frame, problems, appInfo } = await mountedView();
  assert.equal(appInfo?.name, "async-patterns demo timeline", "the view introduced itself");
  assert.deepEqual(await visibleSection(frame), ["waiting"]);

  const args = { id: "gather", params: { tasks: 3, delay: 0.2 } };
  await page.evaluate((a) => window.sendToolInput(a), args);
  const calling = runDemo(args); // runs while the view shows it running
  await frame.waitForFunction(() => !document.getElementById("running").hidden);
  assert.equal(await frame.textContent("#running-id"), "gather");
  const before = await frame.textContent("#running-elapsed");
  await frame.waitForFunction(
    (t) => document.getElementById("running-elapsed").textContent !== t,
    before,
  );
  assert.ok(Number(await frame.getAttribute("#running-progress", "value")) > 0, "the deadline bar moves");

  gather = await calling;
  assert.equal(gather.isError, false, JSON.stringify(gather.content));
  await page.evaluate((r) => window.sendToolResult(r), gather);
  await frame.waitForFunction(() => !document.getElementById("result").hidden);
  assert.deepEqual(await visibleSection(frame), ["result"]);
  const report = gather.structuredContent;
  assert.match(await frame.textContent("#result-title"), /^gather: ok$/);
  const stdoutShown = await frame.textContent("#result-stdout");
  assert.equal(stdoutShown, report.stdout, "the demo's output, verbatim");
  const summaryShown = await frame.textContent("#result-summary");
  for (const key of Object.keys(report.summary).filter((k) => !["timeline", "timeline_dropped", "ok"].includes(k))) {
    assert.ok(summaryShown.includes(key), `summary key ${key} is shown`);
  }

  const timeline = report.summary.timeline;
  const lanes = await drawnLanes(frame);
  if (Array.isArray(timeline) && timeline.length > 0) {
    assertLanes(timeline, lanes);
  } else {
    // Results from before demos recorded timelines: nothing to draw, and the view says so.
    t.diagnostic("this gather result carries no timeline (demos without timelines): lanes not asserted");
    assert.equal(lanes.length, 0);
    assert.match(await frame.textContent("#result-timeline-note"), /no timeline/);
  }
  await page.screenshot({ path: artifact("app-gather.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the rendered result passes axe-core's accessibility rules", async () => {
  const real = gather ?? (await runDemo({ id: "gather" }));
  const result = structuredClone(real);
  result.structuredContent.summary.timeline ??= [
    { label: "fetch 0", group: "gather", start_ms: 0.1, end_ms: 100.2, outcome: "done" },
    { label: "fetch 1", group: "gather", start_ms: 0.1, end_ms: 60.5, outcome: "failed" },
  ];
  const { page, frame, problems } = await mountedView();
  await page.evaluate((a) => window.sendToolInput(a), { id: "gather" });
  await page.evaluate((r) => window.sendToolResult(r), result);
  await frame.waitForFunction(() => !document.getElementById("result").hidden);
  await frame.addScriptTag({ content: await readFile(axePath, "utf8") });
  const audit = () =>
    frame.evaluate(async () => {
      const report = await window.axe.run(document);
      return {
        passes: report.passes.length,
        violations: report.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      };
    });
  const light = await audit();
  assert.ok(light.passes > 0, "axe ran its rules");
  assert.deepEqual(light.violations, [], "light theme");
  await page.evaluate(() => window.sendHostContext({ theme: "dark" }));
  await frame.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  assert.deepEqual((await audit()).violations, [], "dark theme");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a result without a timeline still shows its summary and output", async () => {
  const real = gather ?? (await runDemo({ id: "gather" }));
  const withoutTimeline = structuredClone(real);
  delete withoutTimeline.structuredContent.summary.timeline;
  const { page, frame, problems } = await mountedView();
  await page.evaluate((a) => window.sendToolInput(a), { id: "gather" });
  await page.evaluate((r) => window.sendToolResult(r), withoutTimeline);
  await frame.waitForFunction(() => !document.getElementById("result").hidden);
  assert.equal(await frame.locator("#result-timeline svg").count(), 0);
  assert.match(await frame.textContent("#result-timeline-note"), /carries no timeline/);
  assert.match(await frame.textContent("#result-summary"), /elapsed_s/);
  assert.equal(await frame.textContent("#result-stdout"), real.structuredContent.stdout);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a timeline in the result is drawn as lanes through the bridge", async () => {
  // Independent of which demos record timelines yet: a real result with a contract
  // timeline put in, so the lanes are checked end to end through AppBridge today.
  const real = gather ?? (await runDemo({ id: "gather" }));
  const result = structuredClone(real);
  result.structuredContent.summary.timeline = [
    { label: "fetch 0", group: "sequential", start_ms: 0.1, end_ms: 100.2, outcome: "done" },
    { label: "fetch 1", group: "sequential", start_ms: 100.3, end_ms: 200.5, outcome: "done" },
    { label: "fetch 0", group: "gather", start_ms: 200.7, end_ms: 300.9, outcome: "done" },
    { label: "fetch 1", group: "gather", start_ms: 200.7, end_ms: 301.0, outcome: "timed_out" },
    { label: "fetch 2", group: "gather", start_ms: 200.8, end_ms: 250.0, outcome: "cancelled" },
  ];
  result.structuredContent.summary.timeline_dropped = 2;
  const { page, frame, problems } = await mountedView();
  await page.evaluate((a) => window.sendToolInput(a), { id: "gather" });
  await page.evaluate((r) => window.sendToolResult(r), result);
  await frame.waitForFunction(() => !document.getElementById("result").hidden);
  assertLanes(result.structuredContent.summary.timeline, await drawnLanes(frame));
  const svgText = await frame.textContent("#result-timeline svg");
  assert.match(svgText, /timed out/);
  assert.match(svgText, /cancelled/);
  assert.match(await frame.textContent("#result-timeline-note"), /2 more task/);
  await page.screenshot({ path: artifact("app-contract-timeline.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("a demo killed by its deadline shows as not ok, with the reason and its report", async () => {
  const args = { id: "gather", params: { tasks: 2, delay: 1 }, timeout_ms: 300 };
  const killed = await runDemo(args);
  assert.equal(killed.isError, true, "the deadline is a tool failure");
  const { page, frame, problems } = await mountedView();
  await page.evaluate((a) => window.sendToolInput(a), args);
  assert.match(await frame.textContent("#running-deadline"), /300 ms deadline/);
  await page.evaluate((r) => window.sendToolResult(r), killed);
  await frame.waitForFunction(() => !document.getElementById("result").hidden);
  assert.match(await frame.textContent("#result-title"), /^gather: not ok$/);
  assert.equal(await frame.isVisible("#result-error"), true);
  assert.equal(
    await frame.textContent("#result-error"),
    killed.content[0].text.split("\n")[0],
    "the first line of the failure message",
  );
  assert.match(await frame.textContent("#result-facts"), /timed out/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the view follows the host's theme and shows a cancelled call", async () => {
  const { page, frame, problems } = await mountedView({ theme: "dark" });
  assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), "dark");
  const dark = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.evaluate(() => window.sendHostContext({ theme: "light" }));
  await frame.waitForFunction(() => document.documentElement.dataset.theme === "light");
  const light = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(dark, light, "the background follows the theme");
  await page.evaluate((a) => window.sendToolInput(a), { id: "gather" });
  await page.evaluate(() => window.sendToolCancelled("user stopped it"));
  await frame.waitForFunction(() => !document.getElementById("cancelled").hidden);
  assert.equal(await frame.textContent("#cancelled-reason"), "user stopped it");
  assert.deepEqual(problems, []);
  await page.close();
});
