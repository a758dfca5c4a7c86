//! The tool table: one file per tool, each with its argument type (the schema is derived
//! from it), its result type and its `call`. [`TOOLS`] lists them once; listing,
//! dispatch and the long-call path all read it.

pub mod check_code;
pub mod get_pattern;
pub mod get_snippet;
pub mod list_patterns;
pub mod run_demo;
pub mod search_patterns;

use super::context::RequestContext;
use super::schema::{input_schema_for, output_schema_for};
use crate::check::CheckError;
use crate::error::McpError;
use crate::service::{QueryError, SkillService};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;
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

/// The domain's errors in the words a model needs: what went wrong and which tool to
/// call next.
impl From<QueryError> for ToolFailure {
    fn from(err: QueryError) -> Self {
        let message = match &err {
            QueryError::UnknownEntry { id, closest } => format!(
                "No pattern `{id}`. Closest ids: {}. Call list_patterns for all ids, or \
                 search_patterns to search by problem.",
                closest.join(", ")
            ),
            QueryError::UnknownSnippet { id, closest } => format!(
                "No snippet `{id}`. Closest ids: {}. get_pattern lists an entry's snippets.",
                closest.join(", ")
            ),
            QueryError::NoDemo { id } => {
                format!("`{id}` has no demo. Entries with has_demo=true in list_patterns have one.")
            }
            QueryError::Check(e @ CheckError::Syntax { .. }) => format!(
                "{e}. check_code needs code that parses: fix that line (or send the whole \
                 module rather than a fragment) and call again."
            ),
            other => other.to_string(),
        };
        ToolFailure::new(message)
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

/// A call in progress; owns what it needs, so the table can hold plain fn pointers.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<ToolResult, McpError>> + Send>>;

/// One row of the tool table: everything listing, dispatch and the long-call path know
/// about a tool.
pub struct Tool {
    pub spec: &'static ToolSpec,
    /// Calls may take seconds (a demo): transports run them beside the reader, and a
    /// client can cancel them.
    pub long_running: bool,
    /// The descriptor, derived from the tool's argument and result types.
    describe: fn(&ToolSpec) -> Value,
    /// Parses the arguments (malformed ones are -32602) and runs the tool.
    call: fn(Arc<SkillService>, Option<Value>, RequestContext) -> ToolFuture,
}

/// The tools, in the order `tools/list` gives them.
pub static TOOLS: &[Tool] = &[
    Tool {
        spec: &list_patterns::SPEC,
        long_running: false,
        describe: describe::<list_patterns::Args, list_patterns::Output>,
        call: list_patterns::call,
    },
    Tool {
        spec: &get_pattern::SPEC,
        long_running: false,
        describe: describe::<get_pattern::Args, get_pattern::Output>,
        call: get_pattern::call,
    },
    Tool {
        spec: &get_snippet::SPEC,
        long_running: false,
        describe: describe::<get_snippet::Args, get_snippet::Output>,
        call: get_snippet::call,
    },
    Tool {
        spec: &search_patterns::SPEC,
        long_running: false,
        describe: describe::<search_patterns::Args, search_patterns::Output>,
        call: search_patterns::call,
    },
    Tool {
        spec: &run_demo::SPEC,
        long_running: true,
        describe: describe::<run_demo::Args, run_demo::Output>,
        call: run_demo::call,
    },
    Tool {
        spec: &check_code::SPEC,
        long_running: false,
        describe: describe::<check_code::Args, check_code::Output>,
        call: check_code::call,
    },
];

fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.spec.name == name)
}

/// Every tool's descriptor in table order, derived from the argument and result types
/// with schemars. That takes most of a millisecond, so the server does not do it at
/// start-up: it serves `tools.json`, this function's output committed beside this file,
/// and a unit test fails (and says how to refresh it) whenever the two differ.
pub fn generate_definitions() -> Vec<Value> {
    TOOLS.iter().map(|t| (t.describe)(t.spec)).collect()
}

/// The descriptors `tools/list` serves (see [`generate_definitions`]).
pub fn definitions() -> &'static [Value] {
    static DEFS: OnceLock<Vec<Value>> = OnceLock::new();
    DEFS.get_or_init(|| {
        serde_json::from_str(include_str!("tools.json")).unwrap_or_else(|_| generate_definitions())
    })
}

/// The descriptors for a client that does (`true`) or does not render MCP App views: the
/// former get `run_demo` linked to its view (see [`crate::mcp::apps`]).
pub fn definitions_for(renders_apps: bool) -> &'static [Value] {
    if !renders_apps {
        return definitions();
    }
    static LINKED: OnceLock<Vec<Value>> = OnceLock::new();
    LINKED.get_or_init(|| crate::mcp::apps::link_tools(definitions()))
}

/// Whether calls of the tool `name` may take seconds (see [`Tool::long_running`]).
pub fn is_long_running(name: &str) -> bool {
    find(name).is_some_and(|t| t.long_running)
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
    match find(name) {
        Some(tool) => (tool.call)(service.clone(), arguments, ctx.clone()).await,
        None => {
            let known = TOOLS.iter().map(|t| t.spec.name);
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
