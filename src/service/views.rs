//! What the domain queries return: plain serializable structs, also the `structuredContent`
//! of the MCP tools (their JSON Schemas are derived from these types) and what the CLI
//! prints with `--json`.

use crate::catalog::{Category, DemoParam, Entry};
use schemars::JsonSchema;
use serde::Serialize;

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
pub struct Listing {
    /// By category (concept, pattern, pitfall), then id.
    pub patterns: Vec<PatternSummary>,
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
pub struct PatternView {
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

#[derive(Debug, Serialize, JsonSchema)]
pub struct SnippetView {
    pub id: String,
    /// The entry the snippet belongs to.
    pub pattern: String,
    pub language: String,
    pub code: String,
    /// The chosen variant needs this CPython or newer.
    pub min_python: String,
    /// The version asked for, if any.
    pub python_requested: Option<String>,
    /// `min_python` of every variant, newest first.
    pub variants: Vec<String>,
    /// Why this variant was chosen.
    pub chosen_because: String,
    /// A fragment needs surrounding code or a third-party library; others run as they are.
    pub fragment: bool,
    /// The reference file the snippet comes from, as a skill:// resource.
    pub uri: String,
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
pub struct SearchResults {
    pub query: String,
    /// Best first; empty when nothing matched.
    pub hits: Vec<SearchHit>,
}
