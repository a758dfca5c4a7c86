//! The index: every entry grouped by category, a search box that filters by problem or
//! pasted error message (the script is an enhancement: without it the whole list is
//! there), and how to reach the server (or, in a pack, how to run it).

use super::layout::{self, Document, Script};
use super::{entry_path, search_data, Mode};
use crate::catalog::{Catalog, Category};
use maud::{html, Markup};

const FILTER_SCRIPT: &str = include_str!("assets/filter.js");

fn heading(category: Category) -> &'static str {
    match category {
        Category::Concept => "Concepts",
        Category::Pattern => "Patterns",
        Category::Pitfall => "Pitfalls",
    }
}

fn groups(catalog: &Catalog) -> Markup {
    html! {
        @for category in [Category::Concept, Category::Pattern, Category::Pitfall] {
            @let entries: Vec<_> = catalog.entries.iter().filter(|e| e.category == category).collect();
            @if !entries.is_empty() {
                section class="group" aria-labelledby=(format!("group-{}", category.as_str())) {
                    h2 id=(format!("group-{}", category.as_str())) {
                        (heading(category)) " "
                        span class="meta" { "(" (entries.len()) ")" }
                    }
                    ul class="entries" {
                        @for entry in entries {
                            li id=(format!("entry-{}", entry.id)) {
                                a href=(entry_path(&entry.id)) { (entry.title) }
                                @if entry.demo.is_some() {
                                    " " span class="badge" { "runnable demo" }
                                }
                                p { (entry.summary) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where MCP, the registry files and the health check answer (served), or how to get
/// them (packed).
fn endpoints(catalog: &Catalog, mode: &Mode<'_>) -> Markup {
    match mode {
        Mode::Served { base } => {
            let mcp = format!("{base}/mcp");
            let index = format!("{base}/.well-known/agent-skills/index.json");
            let legacy = format!("{base}/.well-known/skills/index.json");
            let health = format!("{base}/healthz");
            html! {
                section aria-labelledby="connect" {
                    h2 id="connect" { "Connect" }
                    p {
                        "This is async-patterns " (env!("CARGO_PKG_VERSION"))
                        ", an MCP server for the Agent Skill \u{201c}" (catalog.name) "\u{201d}."
                    }
                    dl class="endpoints" {
                        dt { "MCP (Streamable HTTP, protocols 2026-07-28 and 2025-11-25)" }
                        dd { code { (mcp) } ": point an MCP client here; it answers POST, not a browser\u{2019}s GET." }
                        dt { "Skill registry, for " code { "npx skills add " (base) } }
                        dd { a href=(index) { (index) } }
                        dd { a href=(legacy) { (legacy) } }
                        dt { "Health check" }
                        dd { a href=(health) { (health) } }
                    }
                }
            }
        }
        Mode::Packed => html! {
            section aria-labelledby="connect" {
                h2 id="connect" { "Install and run" }
                dl class="endpoints" {
                    dt { "Skill registry files, for " code { "npx skills add https://THIS-SITE" } }
                    dd { a href=".well-known/agent-skills/index.json" { ".well-known/agent-skills/index.json" } }
                    dd { a href=".well-known/skills/index.json" { ".well-known/skills/index.json" } }
                    dt { "Run a demo" }
                    dd { code { "async-patterns run ID" } " on your machine, or "
                         code { "async-patterns serve --http 127.0.0.1:8000" }
                         " and open " code { "http://127.0.0.1:8000/" } " to run demos from these pages." }
                }
            }
        },
    }
}

/// The skill's own title: the first `# ` heading of SKILL.md, else its name.
fn title(catalog: &Catalog) -> &str {
    catalog
        .skill_body
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&catalog.name)
}

/// The description's first sentence: the rest lists trigger words for assistants.
fn lead(description: &str) -> &str {
    match description.find(". ") {
        Some(end) => &description[..=end],
        None => description,
    }
}

pub fn render(catalog: &Catalog, mode: &Mode<'_>) -> String {
    let data = search_data::json(&catalog.entries);
    let main = html! {
        h1 { (title(catalog)) }
        p { (lead(&catalog.description)) }
        // Shown by the script: without it there is nothing to search with.
        form class="search" id="search" role="search" hidden {
            label for="q" { "Search by problem or pasted error message" }
            input type="search" id="q" name="q" autocomplete="off"
                placeholder="e.g. coroutine was never awaited";
            p id="search-status" role="status" aria-live="polite" {}
        }
        (groups(catalog))
        (endpoints(catalog, mode))
    };
    layout::render(&Document {
        title: &format!("{}: the catalogue", catalog.name),
        description: &catalog.description,
        home: None,
        main,
        data: Some(("search-data", &data)),
        scripts: &[Script::Classic(FILTER_SCRIPT)],
    })
}
