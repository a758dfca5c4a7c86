//! The domain the server and the CLI share: the catalogue, its search index and the demo
//! runner. MCP tools and CLI commands are thin wrappers over these, so they can never
//! disagree about an answer.

use crate::catalog::Catalog;
use crate::demo::DemoRunner;
use crate::search::SearchIndex;
use std::sync::OnceLock;

pub struct SkillService {
    pub catalog: Catalog,
    pub demos: DemoRunner,
    /// Built on first search: start-up stays cheap for the many sessions that never search.
    search: OnceLock<SearchIndex>,
}

impl SkillService {
    pub fn new(catalog: Catalog, demos: DemoRunner) -> Self {
        Self {
            catalog,
            demos,
            search: OnceLock::new(),
        }
    }

    pub fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| SearchIndex::new(&self.catalog))
    }
}
