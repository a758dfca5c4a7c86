//! `GET /` for clients that do not ask for HTML (curl, scripts): what answers here and
//! where, as a few lines of text. Browsers get the catalogue's index instead
//! ([`super::pages`]).

use super::body::Body;
use super::text;
use hyper::{Response, StatusCode};

pub fn page(base: &str) -> Response<Body> {
    let message = format!(
        "async-patterns {version}: an MCP server for the Agent Skill \"async Python patterns\".\n\
         \n\
         MCP (Streamable HTTP, protocols 2026-07-28 and 2025-11-25): {base}/mcp\n\
         \x20 point an MCP client here; it answers POST, not a browser's GET.\n\
         Skill registry, for `npx skills add {base_or_host}`:\n\
         \x20 {base}/.well-known/agent-skills/index.json\n\
         \x20 {base}/.well-known/skills/index.json\n\
         The catalogue as web pages (open in a browser): {base}/index.html\n\
         Health check: {base}/healthz\n",
        version = env!("CARGO_PKG_VERSION"),
        base_or_host = if base.is_empty() {
            "http://HOST:PORT"
        } else {
            base
        },
    );
    let mut response = text(StatusCode::OK, "");
    *response.body_mut() = Body::full(message);
    response
}
