// GET / in a real browser: a person who opens the server's address sees what it is and
// where MCP is served.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, artifact } from "./harness.mjs";

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test("GET / names the MCP endpoint and the skill registry", async () => {
  const page = await browser.newPage();
  const response = await page.goto(server.origin + "/");
  assert.equal(response.status(), 200);
  const text = await page.locator("body").innerText();
  assert.ok(text.includes(server.mcp), `the page names ${server.mcp}`);
  assert.ok(text.includes("/.well-known/agent-skills/index.json"));
  await page.screenshot({ path: artifact("home.png"), fullPage: true });
});
