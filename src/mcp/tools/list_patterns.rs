//! `list_patterns`: the catalogue's table of contents, optionally filtered.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::catalog::{Category, Entry, PyVersion};
use crate::mcp::context::RequestContext;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
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

#[derive(Debug, Serialize, JsonSchema)]
pub struct PatternSummary {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub category: Category,
    pub tags: Vec<String>,
    /// Oldest CPython the entry's code and demo run on.
    pub min_python: String,
    pub has_demo: bool,
}

impl PatternSummary {
    pub fn of(entry: &Entry) -> Self {
        Self {
            id: entry.id.clone(),
            title: entry.title.clone(),
            summary: entry.summary.clone(),
            category: entry.category,
            tags: entry.tags.clone(),
            min_python: entry.min_python.to_string(),
            has_demo: entry.demo.is_some(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// By category (concept, pattern, pitfall), then id.
    pub patterns: Vec<PatternSummary>,
}

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    let python: Option<PyVersion> = match &args.python {
        Some(raw) => Some(raw.parse().map_err(|e| ToolFailure::new(format!("{e}")))?),
        None => None,
    };
    let tag = args.tag.as_deref().map(str::to_lowercase);
    let patterns = service
        .catalog
        .entries
        .iter()
        .filter(|e| args.category.is_none_or(|c| e.category == c))
        .filter(|e| {
            tag.as_deref()
                .is_none_or(|t| e.tags.iter().any(|have| have.to_lowercase() == t))
        })
        .filter(|e| python.is_none_or(|v| e.min_python <= v))
        .map(PatternSummary::of)
        .collect();
    Ok(Output { patterns })
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
