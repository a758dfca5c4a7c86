//! Who we are and what we can do: the legacy `initialize` handshake and the modern
//! `server/discover`, built from one capabilities object so the eras never disagree.

use super::apps;
use super::context::RequestContext;
use super::era::{Era, LEGACY_VERSIONS, MODERN_VERSION};
use crate::error::McpError;
use crate::service::SkillService;
use serde_json::{json, Value};

pub const SKILLS_EXTENSION: &str = "io.modelcontextprotocol/skills";

pub fn server_info() -> Value {
    json!({
        "name": env!("CARGO_PKG_NAME"),
        "title": "Async Python Patterns",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Agent Skill of asyncio patterns and pitfalls with runnable, sandboxed demos",
    })
}

/// What the server can do. `renders_apps`: the client offered the MCP Apps extension, so
/// the server offers it back (and only then: a client without it sees no trace of it).
pub fn capabilities(legacy: bool, renders_apps: bool) -> Value {
    let mut caps = json!({
        "tools": { "listChanged": false },
        "resources": { "listChanged": false },
        "prompts": { "listChanged": false },
        "completions": {},
        "extensions": { SKILLS_EXTENSION: { "directoryRead": true } },
    });
    if renders_apps {
        caps["extensions"][apps::UI_EXTENSION] = apps::server_capability();
    }
    if legacy {
        caps["logging"] = json!({});
        caps["resources"]["subscribe"] = json!(false);
    }
    caps
}

pub fn instructions(service: &SkillService) -> String {
    let catalog = &service.catalog;
    format!(
        "Skill `{}`: {} entries on async Python (asyncio). Use search_patterns with the \
         user's problem or pasted error, get_pattern for the explanation, get_snippet \
         (with `python` for their version) for code, run_demo to show a pattern behaving. \
         The skill's files are resources under skill://{}/.",
        catalog.name, catalog.entry_count, catalog.name
    )
}

/// Legacy `initialize`: echo a version we speak, else offer our newest legacy one.
pub fn initialize(
    service: &SkillService,
    params: &Value,
    ctx: &RequestContext,
) -> Result<Value, McpError> {
    let requested = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            McpError::InvalidParams("initialize needs a string `protocolVersion`".into())
        })?;
    let version = LEGACY_VERSIONS
        .iter()
        .find(|v| **v == requested)
        .copied()
        .unwrap_or(LEGACY_VERSIONS[0]);
    ctx.session.set_legacy_version(version);
    let renders_apps = apps::client_renders_apps(params.get("capabilities"));
    ctx.session.set_renders_apps(renders_apps);
    let info = params.get("clientInfo");
    let field = |key: &str| {
        let text = info.and_then(|i| i.get(key)).and_then(Value::as_str);
        // A name, not content: cut so a hostile client cannot flood the log.
        text.unwrap_or("?").chars().take(64).collect::<String>()
    };
    tracing::info!(
        client = field("name"),
        client_version = field("version"),
        protocol = version,
        "client session started"
    );
    Ok(json!({
        "protocolVersion": version,
        "capabilities": capabilities(true, renders_apps),
        "serverInfo": server_info(),
        "instructions": instructions(service),
    }))
}

pub fn discover(service: &SkillService, ctx: &RequestContext) -> Value {
    let mut supported = vec![MODERN_VERSION];
    supported.extend_from_slice(LEGACY_VERSIONS);
    json!({
        "supportedVersions": supported,
        "capabilities": capabilities(ctx.era != Era::Modern, ctx.renders_apps),
        "instructions": instructions(service),
        "serverInfo": server_info(),
        "_meta": { "io.modelcontextprotocol/serverInfo": server_info() },
    })
}
