//! `get_pattern`: one whole entry — the explanation, when to use it, what to watch for,
//! related ids, its snippets and its demo's parameters.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::mcp::context::RequestContext;
use crate::service::views::PatternView;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub const SPEC: ToolSpec = ToolSpec {
    name: "get_pattern",
    title: "Get an async Python pattern",
    description: "Fetch one catalogue entry by id (from list_patterns or search_patterns): \
        the full explanation in Markdown, when to use it, what to watch for, the minimum \
        Python, related entries, its snippet ids (for get_snippet) and its demo parameters \
        (for run_demo).",
    read_only: true,
    idempotent: true,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Entry id, e.g. "semaphore" or "forgotten-await".
    pub id: String,
}

/// The tool's output is the whole entry.
pub type Output = PatternView;

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    Ok(service.pattern(&args.id)?)
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
