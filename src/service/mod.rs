//! The domain the server and the CLI share: the catalogue, its search index and the demo
//! runner, and the queries over them (list, pattern, snippet, search, check, run_demo).
//! The MCP tools and the CLI commands are two thin faces of these methods, so they can
//! never disagree about an answer; each words the [`QueryError`]s for its own reader.

mod demo;
mod error;
pub mod views;

pub use demo::{failure_summary, Audience, DemoProgress};
pub use error::QueryError;

use crate::catalog::{Catalog, Category, LazyCatalog, PyVersion, SnippetLookupError};
use crate::check;
use crate::demo::DemoRunner;
use crate::mcp::resources::file_uri;
use crate::search::SearchIndex;
use std::sync::OnceLock;
use views::{
    DemoInfo, Listing, PatternSummary, PatternView, SearchHit, SearchResults, SnippetRef,
    SnippetView,
};

/// Most hits one search returns.
pub const MAX_SEARCH_LIMIT: usize = 50;
/// Longest query accepted, in characters: a pasted traceback fits, a file does not.
pub const MAX_QUERY_CHARS: usize = 2000;

pub struct SkillService {
    /// `name` and `entry_count` are there before the catalogue is built; the entries
    /// through [`LazyCatalog::get`].
    pub catalog: LazyCatalog,
    pub demos: DemoRunner,
    /// Built on first search: start-up stays cheap for the many sessions that never search.
    search: OnceLock<SearchIndex>,
    /// The unfiltered `list_patterns` answer as (structured JSON, its text), rendered on
    /// first use: assistants ask for it at the start of nearly every session.
    pub full_listing: OnceLock<(serde_json::Value, String)>,
}

/// Which entries [`SkillService::list`] returns; `None` fields do not filter.
#[derive(Debug, Default)]
pub struct ListFilter<'a> {
    pub category: Option<Category>,
    /// Case-insensitive.
    pub tag: Option<&'a str>,
    /// Only entries that run on this CPython, e.g. "3.10".
    pub python: Option<&'a str>,
}

fn python_version(raw: Option<&str>) -> Result<Option<PyVersion>, QueryError> {
    raw.map(str::parse).transpose().map_err(QueryError::from)
}

impl SkillService {
    pub fn new(catalog: Catalog, demos: DemoRunner) -> Self {
        Self::with_catalog(LazyCatalog::ready(catalog), demos)
    }

    pub fn with_catalog(catalog: LazyCatalog, demos: DemoRunner) -> Self {
        Self {
            catalog,
            demos,
            search: OnceLock::new(),
            full_listing: OnceLock::new(),
        }
    }

    pub fn search_index(&self) -> &SearchIndex {
        self.search
            .get_or_init(|| SearchIndex::new(self.catalog.get()))
    }

    fn unknown_entry(&self, id: &str) -> QueryError {
        QueryError::UnknownEntry {
            id: id.to_string(),
            closest: self
                .catalog
                .get()
                .closest_entries(id)
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }

    /// The table of contents, filtered.
    pub fn list(&self, filter: &ListFilter<'_>) -> Result<Listing, QueryError> {
        let python = python_version(filter.python)?;
        let tag = filter.tag.map(str::to_lowercase);
        let patterns = self
            .catalog
            .get()
            .entries
            .iter()
            .filter(|e| filter.category.is_none_or(|c| e.category == c))
            .filter(|e| {
                tag.as_deref()
                    .is_none_or(|t| e.tags.iter().any(|have| have.to_lowercase() == t))
            })
            .filter(|e| python.is_none_or(|v| e.min_python <= v))
            .map(PatternSummary::of)
            .collect();
        Ok(Listing { patterns })
    }

    /// One whole entry.
    pub fn pattern(&self, id: &str) -> Result<PatternView, QueryError> {
        let catalog = self.catalog.get();
        let entry = catalog.entry(id).ok_or_else(|| self.unknown_entry(id))?;
        let snippets = entry
            .snippet_ids
            .iter()
            .filter_map(|sid| catalog.snippet(sid, None).ok().map(|c| (sid, c)))
            .map(|(sid, choice)| SnippetRef {
                id: sid.clone(),
                variants: choice.variants.iter().map(ToString::to_string).collect(),
            })
            .collect();
        Ok(PatternView {
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

    /// A snippet's code, in the variant that runs on `python` (the newest when `None`).
    pub fn snippet(&self, id: &str, python: Option<&str>) -> Result<SnippetView, QueryError> {
        let python = python_version(python)?;
        let catalog = self.catalog.get();
        let choice = catalog.snippet(id, python).map_err(|e| match e {
            SnippetLookupError::Unknown { id } => {
                let closest = Catalog::closest(catalog.snippet_ids().into_iter(), &id, 3)
                    .into_iter()
                    .map(String::from)
                    .collect();
                QueryError::UnknownSnippet { id, closest }
            }
            too_old => QueryError::Snippet(too_old),
        })?;
        let snippet = choice.snippet;
        let path = catalog
            .entry(&snippet.entry)
            .map(|e| e.path.clone())
            .unwrap_or_default();
        Ok(SnippetView {
            id: snippet.id.clone(),
            pattern: snippet.entry.clone(),
            language: "python".into(),
            code: snippet.code.clone(),
            min_python: snippet.min_python.to_string(),
            python_requested: python.map(|v| v.to_string()),
            variants: choice.variants.iter().map(ToString::to_string).collect(),
            chosen_because: choice.reason,
            fragment: snippet.fragment,
            uri: file_uri(&catalog.name, &path),
        })
    }

    /// The `limit` entries that best match `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> SearchResults {
        let hits = self
            .search_index()
            .search(self.catalog.get(), query, limit)
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
        SearchResults {
            query: query.to_string(),
            hits,
        }
    }

    /// The async pitfalls in `code`, for `python` (the newest when `None`). Parsing a
    /// large module takes tens of milliseconds: async callers run this off the runtime.
    pub fn check(code: &str, python: Option<&str>) -> Result<check::Report, QueryError> {
        let python = python_version(python)?;
        Ok(check::check(code, python)?)
    }
}
