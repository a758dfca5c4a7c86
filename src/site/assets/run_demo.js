// The entry page's "Run demo": calls run_demo through this server's /mcp as one
// stateless 2026-07-28 request, shows the result, and keeps the last one in
// localStorage so the page shows it again on the next visit. The lanes are drawn by
// web/timeline.js, the same drawing the MCP App view uses.
import { renderTimeline } from "../assets/timeline.js";

const VERSION = "2026-07-28";
const form = document.getElementById("run-demo");
const button = document.getElementById("run-button");
const status = document.getElementById("demo-status");
const out = document.getElementById("demo-result");
const entry = form.dataset.entry;
const storageKey = "async-patterns:last-run:" + entry;

function params() {
  const values = {};
  for (const field of form.querySelectorAll("[data-param]")) {
    const type = field.dataset.type;
    values[field.name] = type === "boolean" ? field.checked
      : type === "integer" ? Number.parseInt(field.value, 10)
      : type === "number" ? Number(field.value)
      : field.value;
  }
  return values;
}

async function runDemo(values) {
  const body = {
    jsonrpc: "2.0", id: 1, method: "tools/call",
    params: {
      name: "run_demo", arguments: { id: entry, params: values },
      _meta: {
        "io.modelcontextprotocol/protocolVersion": VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    },
  };
  const response = await fetch(new URL("../mcp", location.href), {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/json, text/event-stream",
      "MCP-Protocol-Version": VERSION,
      "Mcp-Method": "tools/call",
      "Mcp-Name": "run_demo",
    },
    body: JSON.stringify(body),
  });
  if (response.status === 401) {
    throw new Error("this server needs a bearer token (--token): run the demo from an MCP client or the command line instead");
  }
  const message = await response.json().catch(() => null);
  if (!message) throw new Error(`the server answered ${response.status} without a JSON-RPC message`);
  if (message.error) throw new Error(message.error.message);
  const result = message.result;
  if (result.isError) {
    throw new Error((result.content || []).map((c) => c.text || "").join("\n") || "the demo failed");
  }
  return result.structuredContent;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function show(run) {
  const report = run.report;
  out.replaceChildren();
  const when = new Date(run.at);
  out.append(element("h3", "Last result"));
  out.append(element("p", `Ran ${when.toLocaleString()} on the ${report.engine} engine in ` +
    `${Math.round(report.duration_ms)} ms; exit code ${report.exit_code ?? "none"}` +
    (report.timed_out ? "; timed out" : "") + ".", "meta"));
  const summary = report.summary || {};
  const drawing = renderTimeline(summary.timeline);
  if (drawing) {
    const figure = element("figure", undefined, "timeline");
    let caption = "When each task ran, in milliseconds since the demo started";
    if (summary.timeline_dropped > 0) caption += ` (${summary.timeline_dropped} more not recorded)`;
    figure.append(element("figcaption", caption + "."), drawing);
    out.append(figure);
  }
  const rest = Object.fromEntries(Object.entries(summary).filter(([k]) => k !== "timeline"));
  out.append(element("h4", "Summary"));
  const pre = element("pre", JSON.stringify(rest, null, 2));
  pre.tabIndex = 0;
  out.append(pre);
  if (report.stdout) {
    out.append(element("h4", "Output"));
    const stdout = element("pre", report.stdout);
    stdout.tabIndex = 0;
    out.append(stdout);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  status.className = "";
  status.textContent = "Running the demo…";
  try {
    const run = { at: new Date().toISOString(), report: await runDemo(params()) };
    show(run);
    status.textContent = "Done.";
    try { localStorage.setItem(storageKey, JSON.stringify(run)); } catch { /* storage full or off */ }
  } catch (error) {
    status.className = "error";
    status.textContent = "Could not run the demo: " + error.message;
  } finally {
    button.disabled = false;
  }
});

try {
  const kept = JSON.parse(localStorage.getItem(storageKey) || "null");
  if (kept && kept.report) {
    show(kept);
    status.textContent = "Showing the last run kept in this browser.";
  }
} catch { /* nothing usable kept */ }
