// Draws a demo's `timeline` (the spans each demo records in its JSON summary; see
// docs/skill-format.md) as SVG lanes: one lane per span, spans grouped in blocks per
// `group`, a time axis in milliseconds, and each outcome shown by colour AND by a word, so
// that nothing depends on telling colours apart.
//
// Self-contained on purpose: no imports, no network, no globals. The MCP App view inlines
// this file into its single HTML document, and the catalogue pages load the same file, so
// both draw identical lanes from the same data.

const SVG_NS = "http://www.w3.org/2000/svg";

/** How each outcome looks. `cut` outcomes (stopped from outside) get a dashed, paler bar. */
export const OUTCOMES = {
  done: { word: "done", colour: "#2e7d32", cut: false },
  failed: { word: "failed", colour: "#c62828", cut: false },
  cancelled: { word: "cancelled", colour: "#757575", cut: true },
  timed_out: { word: "timed out", colour: "#ef6c00", cut: true },
};
const UNKNOWN_OUTCOME = { colour: "#5e35b1", cut: false };

const LANE_HEIGHT = 22;
const BAR_HEIGHT = 14;
const GROUP_HEADER = 20;
const AXIS_HEIGHT = 30;
const OUTCOME_COLUMN = 78;
const MAX_LABEL_CHARS = 40;

function finiteNonNegative(value) {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * The drawable part of a timeline: spans with a label and two times, in their recorded
 * order, split into blocks by `group` (blocks in the order of their first span; spans
 * without a group share one unnamed block, `group: null`). Spans that cannot be drawn
 * (not an object, no times) are left out and counted in `skipped`; unknown keys are
 * ignored. Returns `{ blocks: [{ group, spans }], endMs, skipped }`.
 */
export function layoutTimeline(timeline) {
  const blocks = [];
  let endMs = 0;
  let skipped = 0;
  if (!Array.isArray(timeline)) return { blocks, endMs, skipped };
  const byGroup = new Map();
  for (const raw of timeline) {
    if (
      raw === null ||
      typeof raw !== "object" ||
      !finiteNonNegative(raw.start_ms) ||
      !finiteNonNegative(raw.end_ms)
    ) {
      skipped += 1;
      continue;
    }
    const group = typeof raw.group === "string" && raw.group !== "" ? raw.group : null;
    const span = {
      label: String(raw.label ?? "").slice(0, MAX_LABEL_CHARS),
      group,
      startMs: raw.start_ms,
      // A span that claims to end before it starts is drawn as an instant.
      endMs: Math.max(raw.start_ms, raw.end_ms),
      outcome: typeof raw.outcome === "string" ? raw.outcome : "unknown",
    };
    let block = byGroup.get(group);
    if (!block) {
      block = { group, spans: [] };
      byGroup.set(group, block);
      blocks.push(block);
    }
    block.spans.push(span);
    endMs = Math.max(endMs, span.endMs);
  }
  return { blocks, endMs, skipped };
}

/** A tick step of 1, 2 or 5 times a power of ten giving at most `maxTicks` intervals. */
function tickStep(endMs, maxTicks) {
  const rough = Math.max(endMs, 1e-3) / maxTicks;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= rough) return factor * power;
  }
  return 10 * power;
}

function formatMs(ms) {
  const text = ms >= 10 || Number.isInteger(ms) ? String(Math.round(ms)) : ms.toFixed(1);
  return `${text} ms`;
}

function element(doc, name, attributes = {}, text) {
  const node = doc.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Draws `timeline` (the summary's `timeline` array) as an `<svg>` element, or returns
 * `null` when it holds no drawable span (absent, empty, malformed).
 *
 * options:
 * - `width`: the drawing's width in CSS pixels (default 640); it scales down with its
 *   container (`max-width: 100%` is up to the page).
 * - `document`: the document to create nodes in (default: the global one).
 * - `title`: the accessible name (default: a sentence counting tasks, groups and time).
 *
 * Each lane is a `<g class="lane">` carrying `data-group`, `data-label`, `data-start-ms`,
 * `data-end-ms` and `data-outcome`, with the bar as its `rect.bar`, so that tests and
 * scripts can read back what was drawn.
 */
export function renderTimeline(timeline, options = {}) {
  const doc = options.document ?? globalThis.document;
  const { blocks, endMs } = layoutTimeline(timeline);
  if (blocks.length === 0) return null;

  const width = Math.max(Number(options.width) || 640, 320);
  const longestLabel = Math.max(
    ...blocks.flatMap((b) => b.spans.map((s) => s.label.length)),
  );
  // About 7 px a character at 12 px; labels longer than the column gets are cut with an
  // ellipsis (the lane's title keeps the whole label).
  const labelColumn = Math.min(Math.max(longestLabel * 7 + 16, 72), Math.floor(width * 0.4));
  const labelChars = Math.floor((labelColumn - 16) / 7);
  const shown = (label) => (label.length > labelChars ? `${label.slice(0, labelChars - 1)}…` : label);
  const plotLeft = labelColumn;
  const plotRight = width - OUTCOME_COLUMN;
  // Under a millisecond in all, the axis still spans one, so its ticks stay readable.
  const step = tickStep(Math.max(endMs, 1), 6);
  const domainEnd = Math.max(Math.ceil(endMs / step), 1) * step;
  const x = (ms) => plotLeft + ((plotRight - plotLeft) * ms) / domainEnd;
  // A lone unnamed block needs no header; next to named blocks it is called "other".
  const headed = blocks.length > 1 || blocks[0].group !== null;

  const spanCount = blocks.reduce((n, b) => n + b.spans.length, 0);
  let height = 8;
  for (const block of blocks) {
    height += (headed ? GROUP_HEADER : 0) + block.spans.length * LANE_HEIGHT;
  }
  const plotBottom = height;
  height += AXIS_HEIGHT;

  const svg = element(doc, "svg", {
    xmlns: SVG_NS,
    class: "timeline",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "font-family": "system-ui, sans-serif",
    "font-size": 12,
  });
  const groupNames = blocks.map((b) => b.group ?? "other");
  const title =
    options.title ??
    `Timeline: ${spanCount} task${spanCount === 1 ? "" : "s"}` +
      (headed ? ` in ${blocks.length} group${blocks.length === 1 ? "" : "s"} (${groupNames.join(", ")})` : "") +
      `, ${formatMs(endMs)} in all`;
  svg.append(element(doc, "title", {}, title));

  // Grid and axis first, so the bars are drawn over the grid lines.
  const axis = element(doc, "g", { class: "axis", fill: "currentColor" });
  for (let ms = 0; ms <= domainEnd + step / 2; ms += step) {
    const at = x(ms);
    axis.append(
      element(doc, "line", {
        x1: at, x2: at, y1: 4, y2: plotBottom + 4,
        stroke: "currentColor", "stroke-opacity": 0.15,
      }),
      element(doc, "text", { x: at, y: plotBottom + 18, "text-anchor": "middle" }, formatMs(ms)),
    );
  }
  axis.append(
    element(doc, "line", {
      x1: plotLeft, x2: plotRight, y1: plotBottom + 4, y2: plotBottom + 4,
      stroke: "currentColor", "stroke-opacity": 0.5,
    }),
  );
  svg.append(axis);

  let y = 8;
  for (const block of blocks) {
    const g = element(doc, "g", { class: "group", "data-group": block.group ?? "" });
    if (headed) {
      g.append(
        element(doc, "text", {
          class: "group-name", x: 4, y: y + 14, fill: "currentColor", "font-weight": "bold",
        }, block.group ?? "other"),
      );
      y += GROUP_HEADER;
    }
    for (const span of block.spans) {
      const look = OUTCOMES[span.outcome] ?? UNKNOWN_OUTCOME;
      const word = OUTCOMES[span.outcome]?.word ?? span.outcome;
      const lane = element(doc, "g", {
        class: `lane outcome-${span.outcome.replace(/[^a-z_]/gi, "")}`,
        "data-group": span.group ?? "",
        "data-label": span.label,
        "data-start-ms": span.startMs,
        "data-end-ms": span.endMs,
        "data-outcome": span.outcome,
      });
      const where = span.group ? ` (${span.group})` : "";
      lane.append(
        element(doc, "title", {},
          `${span.label}${where}: ${formatMs(span.startMs)} to ${formatMs(span.endMs)}, ${word}`),
        element(doc, "text", {
          class: "label", x: plotLeft - 8, y: y + 15, "text-anchor": "end", fill: "currentColor",
        }, shown(span.label)),
      );
      const left = x(span.startMs);
      // An instant still gets a visible sliver.
      const barWidth = Math.max(x(span.endMs) - left, 2);
      const bar = element(doc, "rect", {
        class: "bar",
        x: left,
        y: y + (LANE_HEIGHT - BAR_HEIGHT) / 2,
        width: barWidth,
        height: BAR_HEIGHT,
        rx: 2,
        fill: look.colour,
      });
      if (look.cut) {
        bar.setAttribute("fill-opacity", "0.45");
        bar.setAttribute("stroke", look.colour);
        bar.setAttribute("stroke-dasharray", "4 2");
      }
      lane.append(bar);
      if (look.cut) {
        // A stop mark where the task was cut off, beside the dashed outline.
        lane.append(
          element(doc, "line", {
            class: "cut-mark",
            x1: left + barWidth, x2: left + barWidth, y1: y + 2, y2: y + LANE_HEIGHT - 2,
            stroke: look.colour, "stroke-width": 3,
          }),
        );
      } else if (span.outcome === "failed") {
        const cx = left + barWidth;
        const cy = y + LANE_HEIGHT / 2;
        lane.append(
          element(doc, "path", {
            class: "fail-mark",
            d: `M${cx - 4} ${cy - 4}L${cx + 4} ${cy + 4}M${cx - 4} ${cy + 4}L${cx + 4} ${cy - 4}`,
            stroke: look.colour, "stroke-width": 2.5,
          }),
        );
      }
      lane.append(
        element(doc, "text", {
          class: "outcome", x: plotRight + 8, y: y + 15, fill: "currentColor",
        }, word),
      );
      g.append(lane);
      y += LANE_HEIGHT;
    }
    svg.append(g);
  }
  return svg;
}
