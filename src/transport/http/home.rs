//! `GET /`: people who open the server's address in a browser (or curl it) learn what
//! answers here and where, instead of a bare 404.

use super::body::{self, Body};
use super::{not_allowed, text};
use hyper::header::{HeaderMap, HOST};
use hyper::{Method, Response, StatusCode};

pub fn page(method: &Method, headers: &HeaderMap) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return not_allowed("GET, HEAD");
    }
    // The guard has already accepted this Host, so links built from it work as typed.
    let base = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}"))
        .unwrap_or_default();
    let message =
        format!(
        "async-patterns {version}: an MCP server for the Agent Skill \"async Python patterns\".\n\
         \n\
         MCP (Streamable HTTP, protocols 2026-07-28 and 2025-11-25): {base}/mcp\n\
         \x20 point an MCP client here; it answers POST, not a browser's GET.\n\
         Skill registry, for `npx skills add {base_or_host}`:\n\
         \x20 {base}/.well-known/agent-skills/index.json\n\
         \x20 {base}/.well-known/skills/index.json\n\
         Health check: {base}/healthz\n",
        version = env!("CARGO_PKG_VERSION"),
        base_or_host = if base.is_empty() { "http://HOST:PORT" } else { &base },
    );
    let mut response = text(StatusCode::OK, "");
    *response.body_mut() = Body::full(message);
    if method == Method::HEAD {
        body::strip_for_head(&mut response);
    }
    response
}
