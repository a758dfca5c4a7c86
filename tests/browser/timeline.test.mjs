// web/timeline.js in a real browser: the lanes it draws for timelines built to the
// contract (docs/skill-format.md), read back from the drawn SVG geometry.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { launchBrowser, artifact } from "./harness.mjs";

const timelineJs = new URL("../../web/timeline.js", import.meta.url);
let browser;
let page;
before(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  const source = await readFile(timelineJs, "utf8");
  // A made-up origin answered by the test itself: nothing leaves the machine.
  await page.route("http://timeline.test/**", (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/timeline.js") {
      return route.fulfill({ contentType: "text/javascript", body: source });
    }
    return route.fulfill({ contentType: "text/html", body: "<!doctype html><body></body>" });
  });
  await page.goto("http://timeline.test/");
});
after(async () => {
  await browser?.close();
});

/** Draws `timeline` in the page and returns what was drawn, lane by lane, in DOM order. */
async function draw(timeline) {
  return page.evaluate(async (timeline) => {
    const { renderTimeline } = await import("http://timeline.test/timeline.js");
    document.body.replaceChildren();
    const svg = renderTimeline(timeline);
    if (!svg) return null;
    document.body.append(svg);
    const lanes = [...svg.querySelectorAll("g.lane")].map((lane) => {
      const bar = lane.querySelector("rect.bar").getBBox();
      return {
        group: lane.dataset.group,
        label: lane.dataset.label,
        outcome: lane.dataset.outcome,
        left: bar.x,
        right: bar.x + bar.width,
        top: bar.y,
        text: lane.textContent,
      };
    });
    const groups = [...svg.querySelectorAll("g.group")].map((g) => g.dataset.group);
    return { lanes, groups, title: svg.querySelector("title").textContent };
  }, timeline);
}

const contrast = [
  { label: "fetch 0", group: "sequential", start_ms: 0.1, end_ms: 100.4, outcome: "done" },
  { label: "fetch 1", group: "sequential", start_ms: 100.5, end_ms: 200.9, outcome: "done" },
  { label: "fetch 2", group: "sequential", start_ms: 201.0, end_ms: 301.2, outcome: "done" },
  { label: "fetch 0", group: "gather", start_ms: 301.5, end_ms: 401.9, outcome: "done" },
  { label: "fetch 1", group: "gather", start_ms: 301.5, end_ms: 402.0, outcome: "failed", extra: 1 },
  { label: "fetch 2", group: "gather", start_ms: 301.6, end_ms: 350.0, outcome: "cancelled" },
];

test("one lane per span, in order, grouped by first appearance", async () => {
  const drawn = await draw(contrast);
  assert.deepEqual(drawn.groups, ["sequential", "gather"]);
  assert.deepEqual(
    drawn.lanes.map((l) => `${l.group}/${l.label}`),
    contrast.map((s) => `${s.group}/${s.label}`),
  );
  // Lanes go down the page in that order.
  for (let i = 1; i < drawn.lanes.length; i++) {
    assert.ok(drawn.lanes[i].top > drawn.lanes[i - 1].top, `lane ${i} is below lane ${i - 1}`);
  }
  assert.match(drawn.title, /6 tasks in 2 groups/);
});

test("concurrent spans overlap on the time axis and sequential ones do not", async () => {
  const { lanes } = await draw(contrast);
  const sequential = lanes.filter((l) => l.group === "sequential");
  const gather = lanes.filter((l) => l.group === "gather");
  for (let i = 1; i < sequential.length; i++) {
    assert.ok(sequential[i].left >= sequential[i - 1].right - 0.01, "sequential bars follow each other");
  }
  for (let i = 1; i < gather.length; i++) {
    assert.ok(gather[i].left < gather[0].right, "gather bars start before the first one ends");
  }
  // The time scale is shared: the gather block starts where the sequential one ended.
  assert.ok(gather[0].left >= sequential[2].right - 1);
});

test("outcomes are written out, not only coloured", async () => {
  const { lanes } = await draw([
    { label: "a", start_ms: 0, end_ms: 10, outcome: "done" },
    { label: "b", start_ms: 0, end_ms: 10, outcome: "failed" },
    { label: "c", start_ms: 0, end_ms: 5, outcome: "cancelled" },
    { label: "d", start_ms: 0, end_ms: 10, outcome: "timed_out" },
  ]);
  assert.deepEqual(lanes.map((l) => l.outcome), ["done", "failed", "cancelled", "timed_out"]);
  assert.match(lanes[1].text, /failed/);
  assert.match(lanes[2].text, /cancelled/);
  assert.match(lanes[3].text, /timed out/);
  const marks = await page.evaluate(() => ({
    cut: document.querySelectorAll("g.lane .cut-mark").length,
    fail: document.querySelectorAll("g.lane .fail-mark").length,
  }));
  assert.deepEqual(marks, { cut: 2, fail: 1 }, "cancelled and timed-out bars carry a stop mark");
});

test("nothing drawable draws nothing, and bad spans are skipped, not fatal", async () => {
  assert.equal(await draw(undefined), null);
  assert.equal(await draw([]), null);
  assert.equal(await draw([{ label: "no times" }, "text", null]), null);
  const drawn = await draw([{ label: "x", start_ms: 1, end_ms: "2" }, { label: "ok", start_ms: 0, end_ms: 3 }]);
  assert.deepEqual(drawn.lanes.map((l) => l.label), ["ok"]);
  assert.deepEqual(drawn.groups, [""], "spans without a group form one unnamed block");
});

test("a long label is cut to its column, and the lane's title keeps it whole", async () => {
  const label = "a task with a label of exactly forty chr";
  const drawn = await draw([{ label, start_ms: 0, end_ms: 5, outcome: "done" }]);
  assert.equal(drawn.lanes[0].label, label);
  const shown = await page.evaluate(() => {
    const text = document.querySelector("g.lane text.label");
    return { text: text.textContent, left: text.getBBox().x };
  });
  assert.ok(shown.left >= 0, `the label starts inside the drawing (x=${shown.left})`);
  assert.ok(label.startsWith(shown.text.replace(/…$/, "")));
  assert.match(drawn.lanes[0].text, new RegExp(label), "the title names the whole label");
});

test("screenshot of the contrast timeline", async () => {
  await draw(contrast);
  await page.locator("svg.timeline").screenshot({ path: artifact("timeline-contrast.png") });
});
