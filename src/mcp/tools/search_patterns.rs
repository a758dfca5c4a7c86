//! `search_patterns`: ranked lookup by problem description or pasted error message.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::catalog::Category;
use crate::error::McpError;
use crate::mcp::context::RequestContext;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
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

pub const MAX_LIMIT: usize = 50;
pub const MAX_QUERY_CHARS: usize = 2000;

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

#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub summary: String,
    /// Relevance (BM25 with alias bonus); higher is better, comparable within one query.
    pub score: f64,
    /// Which part of the entry matched.
    pub reason: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub query: String,
    /// Best first; empty when nothing matched.
    pub hits: Vec<SearchHit>,
}

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    let limit = args.limit.unwrap_or(5);
    let hits = service
        .search_index()
        .search(&service.catalog, &args.query, limit)
        .into_iter()
        .map(|hit| SearchHit {
            id: hit.entry.id.clone(),
            title: hit.entry.title.clone(),
            category: hit.entry.category,
            summary: hit.entry.summary.clone(),
            score: (f64::from(hit.score) * 1000.0).round() / 1000.0,
            reason: hit.reason,
        })
        .collect();
    Ok(Output {
        query: args.query,
        hits,
    })
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
