//! One entry's page: its metadata, its reference text (with each Python variant
//! captioned by the versions it is for), its demo's parameters, and, when the server
//! serves the page, a form that runs the demo through `/mcp` and draws the result.

use super::layout::{self, Document, Script};
use super::markdown::{self, SnippetVersions};
use super::Mode;
use crate::catalog::{Catalog, DemoParam, ParamType, PyVersion};
use crate::service::views::PatternView;
use maud::{html, Markup, PreEscaped};
use serde_json::Value;

const RUN_SCRIPT: &str = include_str!("assets/run_demo.js");

struct Known<'a>(&'a Catalog);

impl SnippetVersions for Known<'_> {
    fn variants(&self, id: &str) -> Vec<PyVersion> {
        self.0
            .snippet(id, None)
            .map(|choice| choice.variants)
            .unwrap_or_default()
    }

    fn is_entry(&self, id: &str) -> bool {
        self.0.entry(id).is_some()
    }
}

/// A parameter's default as a person would type it.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn kind(param: &DemoParam) -> &'static str {
    match param.kind {
        ParamType::Integer => "integer",
        ParamType::Number => "number",
        ParamType::Boolean => "boolean",
        ParamType::String => "string",
    }
}

fn range(param: &DemoParam) -> String {
    let bound = |b: Option<f64>| b.map(|v| v.to_string());
    match (&param.choices, bound(param.min), bound(param.max)) {
        (Some(choices), _, _) => format!("one of {}", choices.join(", ")),
        (None, Some(min), Some(max)) => format!("{min} to {max}"),
        (None, Some(min), None) => format!("at least {min}"),
        (None, None, Some(max)) => format!("at most {max}"),
        (None, None, None) => String::new(),
    }
}

fn params_table(params: &[DemoParam]) -> Markup {
    html! {
        table {
            caption { "Parameters" }
            thead { tr { th scope="col" { "Name" } th scope="col" { "Type" } th scope="col" { "Default" } th scope="col" { "Range" } th scope="col" { "What it sets" } } }
            tbody {
                @for p in params {
                    tr { th scope="row" { code { (p.name) } } td { (kind(p)) } td { code { (shown(&p.default)) } } td { (range(p)) } td { (p.description) } }
                }
            }
        }
    }
}

fn input(param: &DemoParam) -> Markup {
    let id = format!("param-{}", param.name);
    let text = format!("{} ({})", param.name, param.description);
    let min = param.min.map(|v| v.to_string());
    let max = param.max.map(|v| v.to_string());
    html! {
        @match (param.kind, &param.choices) {
            (ParamType::Boolean, _) => label class="check" for=(id) {
                input type="checkbox" id=(id) name=(param.name) data-param data-type="boolean"
                    checked[param.default.as_bool() == Some(true)];
                (text)
            },
            (_, Some(choices)) => label for=(id) {
                (text)
                select id=(id) name=(param.name) data-param data-type="string" {
                    @for choice in choices {
                        option value=(choice) selected[param.default.as_str() == Some(choice.as_str())] { (choice) }
                    }
                }
            },
            (ParamType::String, None) => label for=(id) {
                (text)
                input type="text" id=(id) name=(param.name) data-param data-type="string" value=(shown(&param.default));
            },
            (numeric, None) => label for=(id) {
                (text)
                input type="number" id=(id) name=(param.name) data-param
                    data-type=(if numeric == ParamType::Integer { "integer" } else { "number" })
                    step=(if numeric == ParamType::Integer { "1" } else { "any" })
                    min=[min] max=[max] value=(shown(&param.default));
            },
        }
    }
}

/// The command that runs the demo with its defaults, for readers of a packed page.
fn command(view: &PatternView) -> String {
    format!("async-patterns run {}", view.id)
}

fn demo_section(view: &PatternView, mode: &Mode<'_>) -> Markup {
    let Some(demo) = &view.demo else {
        return html! {};
    };
    html! {
        section aria-labelledby="demo" {
            h2 id="demo" { "Demo" }
            p { "The demo (" code { (demo.script) } ") runs in a sandbox with a deadline." }
            @if !demo.params.is_empty() { (params_table(&demo.params)) }
            @match mode {
                Mode::Served { .. } => {
                    form class="demo" id="run-demo" data-entry=(view.id) {
                        @for p in &demo.params { (input(p)) }
                        button type="submit" id="run-button" { "Run demo" }
                    }
                    p id="demo-status" role="status" aria-live="polite" {}
                    div id="demo-result" class="result" {}
                    p class="meta" {
                        "Or on the command line: " code { (command(view)) }
                    }
                }
                Mode::Packed => {
                    p {
                        "Run it on your machine: " code { (command(view)) }
                        @if let Some(p) = demo.params.first() {
                            " (set a parameter with " code { "--param " (p.name) "=" (shown(&p.default)) } ")"
                        }
                        ". To run demos from these pages, serve them with "
                        code { "async-patterns serve --http 127.0.0.1:8000" }
                        " and open " code { "http://127.0.0.1:8000/" } "."
                    }
                }
            }
        }
    }
}

pub fn render(catalog: &Catalog, view: &PatternView, mode: &Mode<'_>) -> String {
    let min_python: PyVersion = view.min_python.parse().unwrap_or(PyVersion::new(3, 9));
    let body = markdown::to_html(&view.markdown, min_python, &Known(catalog));
    // The entry's own "Related" section, when it has one, already links them with a
    // word on each.
    let has_related_section = catalog
        .entry(&view.id)
        .is_some_and(|e| e.section("Related").is_some());
    let related: Vec<(&str, &str)> = view
        .related
        .iter()
        .filter(|_| !has_related_section)
        .filter_map(|id| catalog.entry(id).map(|e| (e.id.as_str(), e.title.as_str())))
        .collect();
    let main = html! {
        article {
            h1 { (view.title) }
            p class="meta" {
                span class="badge" { (view.category.as_str()) }
                " Python " (view.min_python) " and newer"
                @if !view.tags.is_empty() { " · tags: " (view.tags.join(", ")) }
            }
            p { strong { (view.summary) } }
            @if !view.aliases.is_empty() {
                details {
                    summary { "What people search or paste to find this" }
                    ul { @for alias in &view.aliases { li { code { (alias) } } } }
                }
            }
            (PreEscaped(body))
            (demo_section(view, mode))
            @if !related.is_empty() {
                section aria-labelledby="related" {
                    h2 id="related" { "Related" }
                    ul { @for (id, title) in &related { li { a href=(format!("{id}.html")) { (title) } } } }
                }
            }
        }
    };
    let served = matches!(mode, Mode::Served { .. }) && view.demo.is_some();
    let scripts: &[Script] = if served {
        &[Script::Module(RUN_SCRIPT)]
    } else {
        &[]
    };
    layout::render(&Document {
        title: &format!("{} · {}", view.title, catalog.name),
        description: &view.summary,
        home: Some("../index.html"),
        main,
        data: None,
        scripts,
    })
}
