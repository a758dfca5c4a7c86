//! The catalogue commands' shared printing: JSON for scripts, text for people, and the
//! domain errors in the command line's words.

use crate::service::QueryError;
use serde::Serialize;
use std::process::ExitCode;

/// Search bounds, the same the `search_patterns` tool enforces.
pub(super) fn check_search(query: &str, limit: usize) -> Result<(), String> {
    use crate::service::{MAX_QUERY_CHARS, MAX_SEARCH_LIMIT as MAX_LIMIT};
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(format!(
            "--limit must be between 1 and {MAX_LIMIT}, not {limit}"
        ));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(format!(
            "the search words are longer than {MAX_QUERY_CHARS} characters"
        ));
    }
    Ok(())
}

/// A domain error in the words of the command line: which command helps next.
pub(super) fn explain(err: &QueryError) -> String {
    match err {
        QueryError::UnknownEntry { id, closest } => format!(
            "no pattern `{id}`; closest ids: {}. `async-patterns list` shows every id, \
             `async-patterns search WORDS` searches by problem",
            closest.join(", ")
        ),
        QueryError::UnknownSnippet { id, closest } => format!(
            "no snippet `{id}`; closest ids: {}. `async-patterns show ID --json` lists an \
             entry's snippets",
            closest.join(", ")
        ),
        QueryError::NoDemo { id } => {
            format!("`{id}` has no demo; `async-patterns list` marks the entries that have one")
        }
        other => other.to_string(),
    }
}

/// Prints a query's answer: JSON for scripts, text for people. A failure exits 1.
pub(super) fn report<T: Serialize>(
    result: Result<T, QueryError>,
    json: bool,
    human: impl FnOnce(&T),
) -> ExitCode {
    match result {
        Ok(out) if json => {
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(out) => {
            human(&out);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("async-patterns: {}", explain(&err));
            ExitCode::from(1)
        }
    }
}

/// `show ID`'s closing lines for an entry with a demo: how to run it and each parameter
/// (name, type, range or choices, default, what it does), as `run --param` takes them.
pub(super) fn demo_text(id: &str, demo: &crate::service::views::DemoInfo) -> String {
    let mut text = format!("Demo: async-patterns run {id}");
    if demo.params.is_empty() {
        text.push_str(" (no parameters)\n");
        return text;
    }
    text.push_str(" [--param NAME=VALUE]...\n");
    let number = |x: f64| x.to_string();
    for p in &demo.params {
        let kind = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let range = match (&p.choices, p.min, p.max) {
            (Some(choices), _, _) => choices.join("|"),
            (None, Some(min), Some(max)) => format!("{}..{}", number(min), number(max)),
            (None, Some(min), None) => format!(">= {}", number(min)),
            (None, None, Some(max)) => format!("<= {}", number(max)),
            (None, None, None) => String::new(),
        };
        let default = match &p.default {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        text.push_str(&format!(
            "  {:<12} {:<8} {:<10} default {:<8} {}\n",
            p.name, kind, range, default, p.description
        ));
    }
    text
}
