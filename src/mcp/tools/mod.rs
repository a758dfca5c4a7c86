//! The tool table: one file per tool, each with its argument type (the schema is derived
//! from it), its result type and its `run`. This module lists them and routes calls.

pub mod check_code;
pub mod get_pattern;
pub mod get_snippet;
pub mod list_patterns;
pub mod run_demo;
pub mod search_patterns;

use super::context::RequestContext;
use super::schema::{input_schema_for, output_schema_for};
use crate::error::McpError;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};

/// A tool run that failed in a way the model should read and act on (MCP reports these
/// as a result with `isError: true`, not as a protocol error).
#[derive(Debug)]
pub struct ToolFailure {
    pub message: String,
    /// Structured detail, when the failure has the tool's output shape (a timed-out demo).
    pub structured: Option<Value>,
}

impl ToolFailure {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            structured: None,
        }
    }
}

pub struct ToolResult {
    pub structured: Option<Value>,
    pub text: String,
    pub is_error: bool,
}

impl ToolResult {
    pub fn ok<T: Serialize>(output: &T) -> Result<Self, McpError> {
        let structured =
            serde_json::to_value(output).map_err(|e| McpError::Internal(e.to_string()))?;
        Ok(Self {
            text: structured.to_string(),
            structured: Some(structured),
            is_error: false,
        })
    }

    pub fn failed(failure: ToolFailure) -> Self {
        Self {
            structured: failure.structured,
            text: failure.message,
            is_error: true,
        }
    }

    pub fn from_run<T: Serialize>(result: Result<T, ToolFailure>) -> Result<Self, McpError> {
        match result {
            Ok(output) => Self::ok(&output),
            Err(failure) => Ok(Self::failed(failure)),
        }
    }

    pub fn into_value(self) -> Value {
        let mut value = json!({
            "content": [{ "type": "text", "text": self.text }],
            "isError": self.is_error,
        });
        if let Some(structured) = self.structured {
            value["structuredContent"] = structured;
        }
        value
    }
}

/// Static facts about a tool; the schemas come from its types.
pub struct ToolSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub read_only: bool,
    pub idempotent: bool,
}

fn describe<A: JsonSchema, O: JsonSchema>(spec: &ToolSpec) -> Value {
    json!({
        "name": spec.name,
        "title": spec.title,
        "description": spec.description,
        "inputSchema": input_schema_for::<A>(),
        "outputSchema": output_schema_for::<O>(),
        "annotations": {
            "title": spec.title,
            "readOnlyHint": spec.read_only,
            "destructiveHint": false,
            "idempotentHint": spec.idempotent,
            "openWorldHint": false,
        },
    })
}

/// Every tool's descriptor in a fixed order, derived from the argument and result types
/// with schemars. That takes most of a millisecond, so the server does not do it at
/// start-up: it serves `tools.json`, this function's output committed beside this file,
/// and a unit test fails (and says how to refresh it) whenever the two differ.
pub fn generate_definitions() -> Vec<Value> {
    vec![
        describe::<list_patterns::Args, list_patterns::Output>(&list_patterns::SPEC),
        describe::<get_pattern::Args, get_pattern::Output>(&get_pattern::SPEC),
        describe::<get_snippet::Args, get_snippet::Output>(&get_snippet::SPEC),
        describe::<search_patterns::Args, search_patterns::Output>(&search_patterns::SPEC),
        describe::<run_demo::Args, run_demo::Output>(&run_demo::SPEC),
        describe::<check_code::Args, check_code::Output>(&check_code::SPEC),
    ]
}

/// The descriptors `tools/list` serves (see [`generate_definitions`]).
pub fn definitions() -> &'static [Value] {
    static DEFS: OnceLock<Vec<Value>> = OnceLock::new();
    DEFS.get_or_init(|| {
        serde_json::from_str(include_str!("tools.json")).unwrap_or_else(|_| generate_definitions())
    })
}

/// Whether calls of the tool `name` may take seconds: they run beside the reader and
/// can be cancelled.
pub fn is_long_running(name: &str) -> bool {
    name == run_demo::SPEC.name
}

/// Tool arguments that do not match the schema are a protocol error (-32602), not a
/// tool failure: the request itself is malformed.
pub fn parse_args<T: DeserializeOwned>(
    tool: &str,
    arguments: Option<Value>,
) -> Result<T, McpError> {
    let arguments = arguments.unwrap_or_else(|| json!({}));
    serde_json::from_value(arguments)
        .map_err(|e| McpError::InvalidParams(format!("arguments for `{tool}`: {e}")))
}

pub async fn call(
    service: &Arc<SkillService>,
    name: &str,
    arguments: Option<Value>,
    ctx: &RequestContext,
) -> Result<ToolResult, McpError> {
    match name {
        "list_patterns" => {
            let args: list_patterns::Args = parse_args(name, arguments)?;
            if !args.is_unfiltered() {
                return ToolResult::from_run(list_patterns::run(service, args));
            }
            // The whole table of contents never changes: rendered once, then cloned.
            if let Some((structured, text)) = service.full_listing.get() {
                return Ok(ToolResult {
                    structured: Some(structured.clone()),
                    text: text.clone(),
                    is_error: false,
                });
            }
            let result = ToolResult::from_run(list_patterns::run(service, args))?;
            if let (false, Some(structured)) = (result.is_error, &result.structured) {
                let _ = service
                    .full_listing
                    .set((structured.clone(), result.text.clone()));
            }
            Ok(result)
        }
        "get_pattern" => {
            let args = parse_args(name, arguments)?;
            ToolResult::from_run(get_pattern::run(service, args))
        }
        "get_snippet" => {
            let args = parse_args(name, arguments)?;
            ToolResult::from_run(get_snippet::run(service, args))
        }
        "search_patterns" => {
            let args: search_patterns::Args = parse_args(name, arguments)?;
            args.validate()?;
            ToolResult::from_run(search_patterns::run(service, args))
        }
        "run_demo" => {
            let args: run_demo::Args = parse_args(name, arguments)?;
            args.validate()?;
            run_demo::call(service, args, ctx).await
        }
        "check_code" => {
            let args: check_code::Args = parse_args(name, arguments)?;
            args.validate()?;
            // Parsing a large module takes tens of milliseconds: off the (single-threaded
            // on stdio) runtime, so other requests and cancellations keep flowing.
            let result = tokio::task::spawn_blocking(move || check_code::run(args))
                .await
                .map_err(|e| McpError::Internal(format!("check_code stopped: {e}")))?;
            ToolResult::from_run(result)
        }
        _ => {
            let known = definitions().iter().filter_map(|d| d["name"].as_str());
            let close = crate::catalog::Catalog::closest(known, name, 2);
            Err(McpError::InvalidParams(format!(
                "unknown tool `{name}`; did you mean {}? (tools/list shows them all)",
                close.join(" or ")
            )))
        }
    }
}

#[cfg(test)]
mod snapshot {
    use super::*;

    /// `UPDATE_TOOLS_JSON=1 cargo test --lib tools_json` rewrites the snapshot.
    #[test]
    fn tools_json_is_what_the_types_generate() {
        let generated = generate_definitions();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/mcp/tools/tools.json");
        if std::env::var_os("UPDATE_TOOLS_JSON").is_some() {
            let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
            std::fs::write(path, text).unwrap();
            return; // the include_str! above this run still holds the old file
        }
        let served: Vec<Value> = serde_json::from_str(include_str!("tools.json")).unwrap();
        assert!(
            served == generated,
            "src/mcp/tools/tools.json is stale: run `UPDATE_TOOLS_JSON=1 cargo test --lib tools_json`"
        );
    }
}
