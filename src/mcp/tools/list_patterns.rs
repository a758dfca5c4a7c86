//! `list_patterns`: the catalogue's table of contents, optionally filtered.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::catalog::Category;
use crate::mcp::context::RequestContext;
use crate::service::views::Listing;
use crate::service::{ListFilter, SkillService};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

pub const SPEC: ToolSpec = ToolSpec {
    name: "list_patterns",
    title: "List async Python patterns",
    description: "List the catalogue of asyncio concepts, patterns and pitfalls (id, title, \
        one-line summary, category, tags, minimum Python, whether a runnable demo exists). \
        Call this first to see what the skill covers; filter by category, tag, or the Python \
        version the user runs. Then use get_pattern or get_snippet with an id.",
    read_only: true,
    idempotent: true,
};

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Only entries of this category.
    #[serde(default)]
    pub category: Option<Category>,
    /// Only entries carrying this tag (case-insensitive), e.g. "timeout".
    #[serde(default)]
    pub tag: Option<String>,
    /// Only entries that work on this CPython version, e.g. "3.10".
    #[serde(default)]
    pub python: Option<String>,
}

impl Args {
    pub fn is_unfiltered(&self) -> bool {
        self.category.is_none() && self.tag.is_none() && self.python.is_none()
    }
}

/// The tool's output is the listing.
pub type Output = Listing;

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    let filter = ListFilter {
        category: args.category,
        tag: args.tag.as_deref(),
        python: args.python.as_deref(),
    };
    Ok(service.list(&filter)?)
}

pub fn call(
    service: Arc<SkillService>,
    arguments: Option<Value>,
    _ctx: RequestContext,
) -> ToolFuture {
    Box::pin(async move {
        let args: Args = parse_args(SPEC.name, arguments)?;
        if !args.is_unfiltered() {
            return ToolResult::from_run(run(&service, args));
        }
        // The whole table of contents never changes: rendered once, then cloned.
        if let Some((structured, text)) = service.full_listing.get() {
            return Ok(ToolResult {
                structured: Some(structured.clone()),
                text: text.clone(),
                is_error: false,
            });
        }
        let result = ToolResult::from_run(run(&service, args))?;
        if let (false, Some(structured)) = (result.is_error, &result.structured) {
            let _ = service
                .full_listing
                .set((structured.clone(), result.text.clone()));
        }
        Ok(result)
    })
}
