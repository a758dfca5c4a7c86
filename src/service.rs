//! The domain the server and the CLI share: the catalogue, its search index and the demo
//! runner. MCP tools and CLI commands are thin wrappers over these, so they can never
//! disagree about an answer.

use crate::catalog::{Catalog, LazyCatalog};
use crate::demo::DemoRunner;
use crate::search::SearchIndex;
use std::sync::OnceLock;

pub struct SkillService {
    /// Derefs to the [`Catalog`]; `name` and `entry_count` are there before it is built.
    pub catalog: LazyCatalog,
    pub demos: DemoRunner,
    /// Built on first search: start-up stays cheap for the many sessions that never search.
    search: OnceLock<SearchIndex>,
    /// The unfiltered `list_patterns` answer as (structured JSON, its text), rendered on
    /// first use: assistants ask for it at the start of nearly every session.
    pub full_listing: OnceLock<(serde_json::Value, String)>,
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
        self.search.get_or_init(|| SearchIndex::new(&self.catalog))
    }
}
