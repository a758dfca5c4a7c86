//! `get_snippet`: the code of one snippet, in the variant that runs on the user's Python.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::mcp::context::RequestContext;
use crate::service::views::SnippetView;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub const SPEC: ToolSpec = ToolSpec {
    name: "get_snippet",
    title: "Get a runnable asyncio snippet",
    description: "Fetch the Python code of a snippet by id (a pattern id such as \"gather\", \
        \"timeouts\", \"taskgroup\" is its main snippet; get_pattern lists the others). Pass \
        `python` (e.g. \"3.10\") to get the variant that runs on that version, e.g. wait_for \
        instead of asyncio.timeout before 3.11; the result says which variant was chosen.",
    read_only: true,
    idempotent: true,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Snippet id, e.g. "gather" or "timeouts".
    pub id: String,
    /// Target CPython version, e.g. "3.10"; omitted means the newest variant.
    #[serde(default)]
    pub python: Option<String>,
}

/// The tool's output is the chosen variant.
pub type Output = SnippetView;

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    Ok(service.snippet(&args.id, args.python.as_deref())?)
}

pub fn call(
    service: Arc<SkillService>,
    arguments: Option<Value>,
    _ctx: RequestContext,
) -> ToolFuture {
    Box::pin(async move {
        let args = parse_args(SPEC.name, arguments)?;
        ToolResult::from_run(run(&service, args))
    })
}
