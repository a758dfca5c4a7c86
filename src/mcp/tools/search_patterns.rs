//! `search_patterns`: ranked lookup by problem description or pasted error message.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::error::McpError;
use crate::mcp::context::RequestContext;
use crate::service::views::SearchResults;
use crate::service::SkillService;
use crate::service::{MAX_QUERY_CHARS, MAX_SEARCH_LIMIT as MAX_LIMIT};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub const SPEC: ToolSpec = ToolSpec {
    name: "search_patterns",
    title: "Search async Python patterns",
    description: "Search the catalogue by what the user is trying to do (\"limit concurrent \
        requests\", \"run blocking code\") or by an error they pasted (\"coroutine 'x' was \
        never awaited\", \"Task was destroyed but it is pending\"). Returns ranked entry ids \
        with the reason each matched; follow up with get_pattern.",
    read_only: true,
    idempotent: true,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Words describing the problem, or an error message.
    pub query: String,
    /// How many hits at most (1-50, default 5).
    #[serde(default)]
    #[schemars(range(min = 1, max = 50))]
    pub limit: Option<usize>,
}

impl Args {
    pub fn validate(&self) -> Result<(), McpError> {
        if let Some(limit) = self.limit {
            if !(1..=MAX_LIMIT).contains(&limit) {
                return Err(McpError::InvalidParams(format!(
                    "limit must be between 1 and {MAX_LIMIT}, not {limit}"
                )));
            }
        }
        if self.query.chars().count() > MAX_QUERY_CHARS {
            return Err(McpError::InvalidParams(format!(
                "query is longer than {MAX_QUERY_CHARS} characters"
            )));
        }
        Ok(())
    }
}

/// The tool's output is the ranked hits.
pub type Output = SearchResults;

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    Ok(service.search(&args.query, args.limit.unwrap_or(5)))
}

pub fn call(
    service: Arc<SkillService>,
    arguments: Option<Value>,
    _ctx: RequestContext,
) -> ToolFuture {
    Box::pin(async move {
        let args: Args = parse_args(SPEC.name, arguments)?;
        args.validate()?;
        ToolResult::from_run(run(&service, args))
    })
}
