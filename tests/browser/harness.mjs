// Shared by the browser tests: start the real server over HTTP on a free port, and a
// headless Debian chromium with the flags this closed network needs.
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** Starts `async-patterns serve --http 127.0.0.1:0 --print-url` and resolves its base URL. */
export async function startServer(extraArgs = []) {
  const bin = process.env.ASYNC_PATTERNS_BIN;
  if (!bin) throw new Error("ASYNC_PATTERNS_BIN is not set (run through tests/browser/run.sh)");
  const child = spawn(bin, ["serve", "--http", "127.0.0.1:0", "--print-url", ...extraArgs], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const lines = seen.split("\n").slice(0, -1); // complete lines only
      const line = lines.find((l) => l.startsWith("http"));
      if (line) resolve(line.trim());
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code} before its URL`)));
  });
  const base = new URL(url);
  return { origin: base.origin, mcp: url, stop: () => child.kill() };
}

/** Launches Debian's chromium headless (playwright gives it a fresh, temporary profile). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export function artifact(name) {
  return join(process.env.BROWSER_ARTIFACTS || tmpdir(), name);
}
