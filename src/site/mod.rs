//! The catalogue as web pages: an index with search and one page per entry. One
//! renderer for both places the pages appear: `serve --http` answers them per request
//! ([`Mode::Served`], with the server's addresses and a "Run demo" form that calls
//! `/mcp`), and `pack` writes them as static files ([`Mode::Packed`], which says how to
//! run a demo instead). Paths are the same in both, and links between pages are
//! relative, so a pack works from any folder or sub-path of a static host.
//!
//! - [`layout`]: the frame, stylesheet and Content-Security-Policy every page shares.
//! - [`index_page`], [`entry_page`]: the two kinds of page.
//! - [`markdown`]: reference text to HTML (raw HTML shown as text).
//! - [`search_data`]: what the index's search filters over.

mod entry_page;
mod index_page;
mod layout;
mod markdown;
mod search_data;

use crate::service::SkillService;

/// Where the pages are shown, which decides what they can offer.
pub enum Mode<'a> {
    /// Served by `serve --http` at `base` (`http://HOST:PORT`, empty when unknown).
    Served { base: &'a str },
    /// Written by `pack`: static files, no server behind them.
    Packed,
}

/// The timeline drawing shared with the MCP App view (`web/timeline.js`): entry pages
/// import it to draw a demo result's lanes.
const TIMELINE_JS: &str = include_str!("../../web/timeline.js");

/// The path entry pages import [`TIMELINE_JS`] from, relative to the site root.
pub const TIMELINE_PATH: &str = "assets/timeline.js";

/// A static file the served pages load, as `(content type, bytes)`.
pub fn asset(path: &str) -> Option<(&'static str, &'static str)> {
    (path == TIMELINE_PATH).then_some(("text/javascript; charset=utf-8", TIMELINE_JS))
}

/// The index's path; `/` is the same page.
pub const INDEX_PATH: &str = "index.html";

/// An entry page's path, relative to the site root.
pub fn entry_path(id: &str) -> String {
    format!("patterns/{id}.html")
}

/// The page at `path` (relative to the site root, no leading `/`; `""` is the index),
/// or `None` when there is none.
pub fn page(service: &SkillService, path: &str, mode: &Mode<'_>) -> Option<String> {
    let catalog = service.catalog.get();
    if path.is_empty() || path == INDEX_PATH {
        return Some(index_page::render(catalog, mode));
    }
    let id = path.strip_prefix("patterns/")?.strip_suffix(".html")?;
    let view = service.pattern(id).ok()?;
    Some(entry_page::render(catalog, &view, mode))
}

/// Every page as `(path, bytes)`, sorted by path: what `pack` writes.
pub fn pages(service: &SkillService, mode: &Mode<'_>) -> Vec<(String, Vec<u8>)> {
    let catalog = service.catalog.get();
    let mut files = vec![(
        INDEX_PATH.to_string(),
        index_page::render(catalog, mode).into_bytes(),
    )];
    for entry in &catalog.entries {
        if let Ok(view) = service.pattern(&entry.id) {
            files.push((
                entry_path(&entry.id),
                entry_page::render(catalog, &view, mode).into_bytes(),
            ));
        }
    }
    files.sort();
    files
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::demo::DemoRunner;

    const SKILL_MD: &str =
        "---\nname: t-skill\ndescription: \"A test skill: use it in tests.\"\n---\n# T\n";

    /// A one-entry catalogue from the text of `references/x.md`.
    pub fn catalog_with(reference: &str) -> Catalog {
        Catalog::from_files(
            "t-skill",
            vec![
                ("SKILL.md".into(), SKILL_MD.as_bytes().to_vec()),
                ("references/x.md".into(), reference.as_bytes().to_vec()),
            ],
        )
        .unwrap()
    }

    fn service() -> SkillService {
        let catalog = catalog_with(
            "---\nid: x\ntitle: \"X <b>bold</b>\"\ncategory: pitfall\nsummary: s & t\n\
             min_python: \"3.9\"\n---\n# X\n\n```python snippet=x\npass\n```\n",
        );
        SkillService::new(catalog, DemoRunner::with_options(None, Default::default()))
    }

    #[test]
    fn index_and_entry_pages_are_at_their_paths_and_nothing_else_is() {
        let service = service();
        let served = Mode::Served {
            base: "http://127.0.0.1:1",
        };
        assert_eq!(
            page(&service, "", &served),
            page(&service, "index.html", &served)
        );
        let entry = page(&service, "patterns/x.html", &served).unwrap();
        assert!(
            entry.contains("<h1>X &lt;b&gt;bold&lt;/b&gt;</h1>"),
            "{entry}"
        );
        for missing in [
            "patterns/y.html",
            "patterns/x",
            "x.html",
            "patterns/x.html/",
        ] {
            assert!(page(&service, missing, &served).is_none(), "{missing}");
        }
        let packed: Vec<String> = pages(&service, &Mode::Packed)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(packed, ["index.html", "patterns/x.html"]);
    }
}
