// The test-only host page for app.test.mjs: embeds an MCP App view in a sandboxed iframe
// and drives it through the SDK's real host side, `AppBridge`, as a chat host would.
// Bundled by esbuild at test time; nothing here ships.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

let bridge = null;

/**
 * Mounts the view at `viewUrl` and completes the handshake; resolves once the view said
 * `ui/notifications/initialized`. `hostContext` is what the host tells the view (theme…).
 */
window.mountView = async function mountView(viewUrl, hostContext) {
  const iframe = document.createElement("iframe");
  // No allow-same-origin: the view runs in an opaque origin, apart from this page.
  iframe.setAttribute("sandbox", "allow-scripts");
  iframe.title = "run_demo view";
  iframe.style.cssText = "width: 720px; height: 400px; border: 1px solid #999";
  document.body.append(iframe);
  bridge = new AppBridge(
    null,
    { name: "async-patterns test host", version: "1.0.0" },
    { openLinks: {}, logging: {} },
    { hostContext },
  );
  bridge.onsizechange = ({ height }) => {
    if (height) iframe.style.height = `${Math.min(height, 2000)}px`;
  };
  const initialized = new Promise((resolve) => {
    bridge.oninitialized = resolve;
  });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.src = viewUrl;
  await initialized;
  return bridge.getAppVersion();
};

window.sendToolInput = (args) => bridge.sendToolInput({ arguments: args });
window.sendToolResult = (result) => bridge.sendToolResult(result);
window.sendToolCancelled = (reason) => bridge.sendToolCancelled({ reason });
window.sendHostContext = (context) => bridge.sendHostContextChange(context);
