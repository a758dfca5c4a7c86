//! `get_pattern`: one whole entry — the explanation, when to use it, what to watch for,
//! related ids, its snippets and its demo's parameters.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::catalog::{Category, DemoParam};
use crate::mcp::context::RequestContext;
use crate::mcp::resources::file_uri;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
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

#[derive(Debug, Serialize, JsonSchema)]
pub struct SnippetRef {
    pub id: String,
    /// `min_python` of each variant, newest first.
    pub variants: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DemoInfo {
    /// Path of the script inside the skill.
    pub script: String,
    pub params: Vec<DemoParam>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub summary: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub min_python: String,
    pub related: Vec<String>,
    /// The "When to use" section (Markdown), empty when the entry has none.
    pub when_to_use: String,
    /// The "Watch for" section (Markdown), empty when the entry has none.
    pub watch_for: String,
    /// The whole entry in Markdown.
    pub markdown: String,
    pub snippets: Vec<SnippetRef>,
    pub demo: Option<DemoInfo>,
    /// The entry's file as a skill:// resource.
    pub uri: String,
}

pub fn unknown_entry(service: &SkillService, id: &str) -> ToolFailure {
    let close = service.catalog.closest_entries(id);
    ToolFailure::new(format!(
        "No pattern `{id}`. Closest ids: {}. Call list_patterns for all ids, or \
         search_patterns to search by problem.",
        close.join(", ")
    ))
}

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    let catalog = &service.catalog;
    let entry = catalog
        .entry(&args.id)
        .ok_or_else(|| unknown_entry(service, &args.id))?;
    let snippets = entry
        .snippet_ids
        .iter()
        .filter_map(|sid| catalog.snippet(sid, None).ok().map(|c| (sid, c)))
        .map(|(sid, choice)| SnippetRef {
            id: sid.clone(),
            variants: choice.variants.iter().map(ToString::to_string).collect(),
        })
        .collect();
    Ok(Output {
        id: entry.id.clone(),
        title: entry.title.clone(),
        category: entry.category,
        summary: entry.summary.clone(),
        tags: entry.tags.clone(),
        aliases: entry.aliases.clone(),
        min_python: entry.min_python.to_string(),
        related: entry.related.clone(),
        when_to_use: entry.section("When to use").unwrap_or_default().to_string(),
        watch_for: entry.section("Watch for").unwrap_or_default().to_string(),
        markdown: entry.body.clone(),
        snippets,
        demo: entry.demo.as_ref().map(|d| DemoInfo {
            script: d.script.clone(),
            params: d.params.clone(),
        }),
        uri: file_uri(&catalog.name, &entry.path),
    })
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
