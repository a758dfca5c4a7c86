//! The MCP Apps extension (`io.modelcontextprotocol/ui`, SEP-1865): hosts that render
//! `text/html;profile=mcp-app` views get `run_demo` linked to a view that draws the demo's
//! timeline. It is offered only to a client that advertises the extension (in `initialize`
//! or in a modern request's `clientCapabilities`): every other client gets exactly the
//! answers it got before the extension existed, so nothing here may leak into them.

pub mod view;

use super::context::RequestContext;
use crate::error::McpError;
use serde_json::{json, Value};

pub const UI_EXTENSION: &str = "io.modelcontextprotocol/ui";
/// The one view format the extension defines.
pub const APP_MIME: &str = "text/html;profile=mcp-app";
pub const UI_SCHEME: &str = "ui://";
/// The view `run_demo` is rendered with.
pub const DEMO_TIMELINE_URI: &str = "ui://async-python-patterns/demo-timeline.html";
/// The tool the view belongs to.
pub const LINKED_TOOL: &str = "run_demo";

/// Whether client capabilities (the `capabilities` of `initialize`, or a modern request's
/// `clientCapabilities`) say the client renders MCP App views: the extension is present
/// and lists our MIME type, as the extension requires of a host.
pub fn client_renders_apps(capabilities: Option<&Value>) -> bool {
    capabilities
        .and_then(|c| c.get("extensions"))
        .and_then(|e| e.get(UI_EXTENSION))
        .and_then(|ui| ui.get("mimeTypes"))
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some(APP_MIME)))
}

/// What the server declares under `capabilities.extensions`, beside the Skills extension.
pub fn server_capability() -> Value {
    json!({ "mimeTypes": [APP_MIME] })
}

/// `_meta.ui` of the view: no external origin of any kind (the view is one inline
/// document), and a border, since it draws on a plain background.
fn resource_ui_meta() -> Value {
    json!({
        "csp": { "connectDomains": [], "resourceDomains": [], "frameDomains": [], "baseUriDomains": [] },
        "prefersBorder": true,
    })
}

/// The view as `resources/list` shows it.
pub fn resource_entry() -> Value {
    json!({
        "uri": DEMO_TIMELINE_URI,
        "name": "demo-timeline",
        "title": "Demo timeline",
        "description": "MCP App view of a run_demo result: the demo's tasks as lanes on a \
            time axis, its summary and its output.",
        "mimeType": APP_MIME,
        "size": view::html().len(),
        "_meta": { "ui": resource_ui_meta() },
    })
}

/// `resources/read` of a `ui://` URI: the view, or the era's not-found error.
pub fn read(uri: &str, ctx: &RequestContext) -> Result<Value, McpError> {
    if uri != DEMO_TIMELINE_URI {
        return Err(McpError::ResourceNotFound {
            uri: uri.to_string(),
            legacy: ctx.era.is_legacy(),
        });
    }
    Ok(json!({
        "contents": [{
            "uri": DEMO_TIMELINE_URI,
            "mimeType": APP_MIME,
            "text": view::html(),
            "_meta": { "ui": resource_ui_meta() },
        }]
    }))
}

/// The tool descriptors for a client that renders views: the plain ones, with `run_demo`
/// linked to its view.
pub fn link_tools(plain: &[Value]) -> Vec<Value> {
    plain
        .iter()
        .map(|tool| {
            let mut tool = tool.clone();
            if tool["name"] == LINKED_TOOL {
                tool["_meta"] = json!({
                    "ui": { "resourceUri": DEMO_TIMELINE_URI, "visibility": ["model", "app"] }
                });
            }
            tool
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_client_listing_the_app_mime_type_renders_apps() {
        let caps = |ui: Value| json!({ "extensions": { UI_EXTENSION: ui } });
        assert!(client_renders_apps(Some(&caps(
            json!({ "mimeTypes": [APP_MIME] })
        ))));
        assert!(client_renders_apps(Some(&caps(
            json!({ "mimeTypes": ["text/plain", APP_MIME] })
        ))));
        assert!(!client_renders_apps(Some(&caps(json!({})))));
        assert!(!client_renders_apps(Some(&caps(
            json!({ "mimeTypes": ["text/html"] })
        ))));
        assert!(!client_renders_apps(Some(&caps(
            json!({ "mimeTypes": APP_MIME })
        ))));
        assert!(!client_renders_apps(Some(&json!({ "extensions": {} }))));
        assert!(!client_renders_apps(Some(&json!({}))));
        assert!(!client_renders_apps(None));
    }

    #[test]
    fn only_run_demo_is_linked_to_the_view() {
        let plain = vec![
            json!({ "name": "get_pattern" }),
            json!({ "name": "run_demo" }),
        ];
        let linked = link_tools(&plain);
        assert_eq!(linked[0], plain[0]);
        assert_eq!(linked[1]["_meta"]["ui"]["resourceUri"], DEMO_TIMELINE_URI);
    }
}
