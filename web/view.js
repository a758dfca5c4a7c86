// The MCP App view of a run_demo call (inlined after timeline.js into demo-timeline.html).
// It speaks the MCP Apps view protocol (JSON-RPC 2.0 over postMessage with the host) by
// hand: `ui/initialize`, then tool input, tool result or cancellation, host context
// changes and teardown. The SDK's `App` class does the same but bundles to ~650 KB; this
// view needs a handful of messages.

const PROTOCOL_VERSION = "2026-01-26";
const DEFAULT_DEADLINE_MS = 5000; // run_demo's default timeout_ms
const host = window.parent;
const $ = (id) => document.getElementById(id);

let nextRequestId = 1;
const pending = new Map();

function post(message) {
  host.postMessage({ jsonrpc: "2.0", ...message }, "*");
}

function request(method, params) {
  const id = nextRequestId++;
  post({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function notify(method, params) {
  post({ method, params });
}

// ---- host context: theme and style variables -------------------------------------------

function applyHostContext(context) {
  if (!context || typeof context !== "object") return;
  const root = document.documentElement;
  if (context.theme === "light" || context.theme === "dark") root.dataset.theme = context.theme;
  const variables = context.styles?.variables;
  if (variables && typeof variables === "object") {
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith("--") && typeof value === "string") root.style.setProperty(name, value);
    }
  }
}

// ---- what the view shows ------------------------------------------------------------------

function show(section) {
  for (const id of ["waiting", "running", "cancelled", "result"]) $(id).hidden = id !== section;
}

let runningTimer = null;
function stopRunning() {
  if (runningTimer !== null) clearInterval(runningTimer);
  runningTimer = null;
}

/** After tool input, before the result: elapsed time against the demo's own deadline. */
function showRunning(args) {
  stopRunning();
  const input = args && typeof args === "object" ? args : {};
  $("running-id").textContent = typeof input.id === "string" ? input.id : "the demo";
  const deadline = Number.isFinite(input.timeout_ms) ? input.timeout_ms : DEFAULT_DEADLINE_MS;
  $("running-deadline").textContent = ` of a ${deadline} ms deadline`;
  const params = input.params && typeof input.params === "object" ? input.params : {};
  const described = Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  if (input.engine) described.push(`engine=${input.engine}`);
  $("running-params").textContent = described.length ? described.join(", ") : "";
  const started = performance.now();
  const tick = () => {
    const elapsed = performance.now() - started;
    $("running-elapsed").textContent = `${(elapsed / 1000).toFixed(1)} s`;
    $("running-progress").value = Math.min(elapsed / deadline, 1);
  };
  tick();
  runningTimer = setInterval(tick, 100);
  show("running");
}

function fact(list, name, value) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = typeof value === "string" ? value : JSON.stringify(value);
  list.append(dt, dd);
}

/** The demo report from a tool result: structured content, else the JSON text block. */
function reportOf(result) {
  if (result?.structuredContent && typeof result.structuredContent === "object") {
    return result.structuredContent;
  }
  for (const block of result?.content ?? []) {
    if (block?.type !== "text") continue;
    try {
      const parsed = JSON.parse(block.text);
      if (parsed && typeof parsed === "object") return parsed;
    } catch {
      // A failure message, not the report.
    }
  }
  return {};
}

function showResult(result) {
  stopRunning();
  const report = reportOf(result);
  const summary = report.summary && typeof report.summary === "object" ? report.summary : null;
  const failed = result?.isError === true;
  const ok = !failed && summary?.ok !== false;

  const title = $("result-title");
  title.textContent = `${report.id ?? "Demo"}: ${ok ? "ok" : "not ok"}`;
  title.className = ok ? "verdict-ok" : "verdict-bad";

  const error = $("result-error");
  const firstText = (result?.content ?? []).find((b) => b?.type === "text")?.text ?? "";
  error.hidden = !failed;
  error.textContent = failed ? firstText.split("\n")[0] : "";

  const facts = $("result-facts");
  facts.replaceChildren();
  if (summary && "ok" in summary) fact(facts, "ok", summary.ok);
  if (Number.isFinite(report.duration_ms)) fact(facts, "elapsed", `${report.duration_ms.toFixed(1)} ms`);
  if (report.timed_out) fact(facts, "timed out", "yes, the deadline killed it");
  if (report.exit_code !== undefined && report.exit_code !== 0) fact(facts, "exit code", report.exit_code);
  if (report.engine) {
    const interpreter = report.interpreter?.version ? ` (Python ${report.interpreter.version})` : "";
    fact(facts, "engine", `${report.engine}${interpreter}`);
  }

  const figure = $("result-timeline");
  const note = $("result-timeline-note");
  const svg = summary ? renderTimeline(summary.timeline) : null;
  figure.replaceChildren(...(svg ? [svg] : []));
  figure.hidden = !svg;
  const notes = [];
  if (!svg) notes.push("This result carries no timeline.");
  if (Number.isInteger(summary?.timeline_dropped)) {
    notes.push(`${summary.timeline_dropped} more task(s) ran but were not recorded.`);
  }
  note.hidden = notes.length === 0;
  note.textContent = notes.join(" ");

  const keys = $("result-summary");
  keys.replaceChildren();
  for (const [key, value] of Object.entries(summary ?? {})) {
    if (key === "timeline" || key === "timeline_dropped" || key === "ok") continue;
    fact(keys, key, value);
  }
  if (!summary) fact(keys, "summary", "none (the demo printed no JSON summary)");

  $("result-stdout").textContent = typeof report.stdout === "string" && report.stdout !== ""
    ? report.stdout
    : "(no output)";
  const stderr = typeof report.stderr === "string" ? report.stderr : "";
  $("result-stderr-box").hidden = stderr === "";
  $("result-stderr").textContent = stderr;
  show("result");
}

function showCancelled(reason) {
  stopRunning();
  $("cancelled-reason").textContent = reason ? String(reason) : "The call was cancelled.";
  show("cancelled");
}

// ---- the protocol -------------------------------------------------------------------------

const notifications = {
  "ui/notifications/tool-input": (params) => showRunning(params?.arguments),
  "ui/notifications/tool-input-partial": (params) => {
    if ($("result").hidden) showRunning(params?.arguments);
  },
  "ui/notifications/tool-result": (params) => showResult(params),
  "ui/notifications/tool-cancelled": (params) => showCancelled(params?.reason),
  "ui/notifications/host-context-changed": (params) => applyHostContext(params),
};

const requests = {
  "ui/resource-teardown": () => {
    stopRunning();
    return {};
  },
  ping: () => ({}),
};

window.addEventListener("message", (event) => {
  if (event.source !== host) return;
  const message = event.data;
  if (!message || message.jsonrpc !== "2.0") return;
  if (typeof message.method === "string") {
    if (message.id !== undefined) {
      const handler = requests[message.method];
      if (handler) post({ id: message.id, result: handler(message.params) });
      else post({ id: message.id, error: { code: -32601, message: `${message.method} is not handled by this view` } });
    } else {
      notifications[message.method]?.(message.params);
    }
    return;
  }
  const waiter = pending.get(message.id);
  if (!waiter) return;
  pending.delete(message.id);
  if (message.error) waiter.reject(new Error(message.error.message ?? "request failed"));
  else waiter.resolve(message.result);
});

// The host sizes the frame to the content: report the document's size when it changes.
let lastSize = "";
new ResizeObserver(() => {
  const root = document.documentElement;
  const size = { width: Math.ceil(root.scrollWidth), height: Math.ceil(root.scrollHeight) };
  const key = `${size.width}x${size.height}`;
  if (key === lastSize) return;
  lastSize = key;
  notify("ui/notifications/size-changed", size);
}).observe(document.documentElement);

request("ui/initialize", {
  appInfo: { name: "async-patterns demo timeline", version: "1" },
  appCapabilities: { availableDisplayModes: ["inline"] },
  protocolVersion: PROTOCOL_VERSION,
}).then(
  (result) => {
    applyHostContext(result?.hostContext);
    notify("ui/notifications/initialized", {});
  },
  (error) => {
    $("waiting").querySelector("p").textContent = `The host refused this view: ${error.message}`;
  },
);
