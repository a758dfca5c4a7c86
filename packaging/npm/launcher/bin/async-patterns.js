#!/usr/bin/env node
// Runs the native async-patterns binary from the platform package npm installed beside
// this one (one optional dependency per os/cpu; npm skips those that do not match).
// stdin, stdout and stderr are handed straight to the binary: over stdio they carry the
// MCP protocol, so this launcher must never write to stdout itself.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const platformPackage = `@async-patterns/mcp-${process.platform}-${process.arch}`;
const executable = process.platform === "win32" ? "async-patterns.exe" : "async-patterns";

function binaryPath() {
  if (process.env.ASYNC_PATTERNS_BINARY) {
    return process.env.ASYNC_PATTERNS_BINARY;
  }
  try {
    const manifest = require.resolve(`${platformPackage}/package.json`);
    return path.join(path.dirname(manifest), "bin", executable);
  } catch {
    process.stderr.write(
      `async-patterns: no prebuilt binary for ${process.platform}-${process.arch} ` +
        `(${platformPackage} is not installed). Prebuilt: linux-x64, linux-arm64, ` +
        `darwin-x64, darwin-arm64, win32-x64. Elsewhere: cargo install async-patterns --locked\n`,
    );
    process.exit(1);
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  process.stderr.write(`async-patterns: cannot start the binary: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);
