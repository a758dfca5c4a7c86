//! Prompt templates over the catalogue: ready-made requests a user can pick in their
//! assistant, filled with the catalogue's own content.

use crate::error::McpError;
use crate::service::SkillService;
use serde::Deserialize;
use serde_json::{json, Map, Value};

struct PromptSpec {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    /// (name, description, required)
    arguments: &'static [(&'static str, &'static str, bool)],
}

const PROMPTS: &[PromptSpec] = &[
    PromptSpec {
        name: "review-async-code",
        title: "Review async Python code",
        description: "Review asyncio code against the catalogue's pitfalls and patterns, \
            naming the entry that fixes each problem.",
        arguments: &[
            ("code", "The Python code to review.", true),
            ("python", "Target CPython version, e.g. 3.11.", false),
        ],
    },
    PromptSpec {
        name: "choose-pattern",
        title: "Choose an async pattern for a problem",
        description: "Describe a concurrency problem; get the catalogue entries that fit, \
            ranked, with the decision guide.",
        arguments: &[(
            "problem",
            "What you are trying to do, in your own words.",
            true,
        )],
    },
    PromptSpec {
        name: "explain-pattern",
        title: "Explain a pattern with its code",
        description: "Explain one catalogue entry with its reference text attached.",
        arguments: &[(
            "id",
            "Entry id, e.g. semaphore (completion lists them).",
            true,
        )],
    },
];

pub fn list() -> Value {
    let prompts: Vec<Value> = PROMPTS
        .iter()
        .map(|p| {
            let arguments: Vec<Value> = p
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    json!({ "name": name, "description": description, "required": required })
                })
                .collect();
            json!({ "name": p.name, "title": p.title, "description": p.description, "arguments": arguments })
        })
        .collect();
    json!({ "prompts": prompts })
}

#[derive(Deserialize)]
pub struct GetParams {
    pub name: String,
    #[serde(default)]
    pub arguments: Option<Map<String, Value>>,
}

fn user_text(text: String) -> Value {
    json!({ "role": "user", "content": { "type": "text", "text": text } })
}

pub fn get(service: &SkillService, params: GetParams) -> Result<Value, McpError> {
    let spec = PROMPTS
        .iter()
        .find(|p| p.name == params.name)
        .ok_or_else(|| {
            McpError::InvalidParams(format!(
                "unknown prompt `{}`; prompts/list shows {}",
                params.name,
                PROMPTS
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let args = params.arguments.unwrap_or_default();
    for key in args.keys() {
        if !spec.arguments.iter().any(|(name, _, _)| name == key) {
            return Err(McpError::InvalidParams(format!(
                "prompt `{}` has no argument `{key}`",
                spec.name
            )));
        }
    }
    let arg = |name: &str| -> Result<Option<String>, McpError> {
        match args.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(McpError::InvalidParams(format!(
                "argument `{name}` must be a string"
            ))),
        }
    };
    let required = |name: &str| -> Result<String, McpError> {
        arg(name)?.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
            McpError::InvalidParams(format!("prompt `{}` needs argument `{name}`", spec.name))
        })
    };
    let catalog = service.catalog.get();
    let messages = match spec.name {
        "review-async-code" => {
            let code = required("code")?;
            let target = arg("python")?;
            let static_findings = static_findings(&code, target.as_deref());
            let python = match target {
                Some(version) => format!("Python {version}"),
                None => "the Python version the user runs (not given: ask, or say which \
                         versions each fix needs)"
                    .to_string(),
            };
            let pitfalls: Vec<String> = catalog
                .entries
                .iter()
                .filter(|e| e.category == crate::catalog::Category::Pitfall)
                .map(|e| format!("- `{}`: {}", e.id, e.summary))
                .collect();
            vec![user_text(format!(
                "Review this asyncio code for {python}. For each problem, quote the line, \
                 explain the failure it causes, and name the catalogue entry that fixes it \
                 (get_pattern <id>); prefer the fix that runs on that Python (get_snippet with \
                 `python`). {static_findings}Known pitfalls:\n{}\n\n```python\n{code}\n```",
                pitfalls.join("\n")
            ))]
        }
        "choose-pattern" => {
            let problem = required("problem")?;
            let hits = service.search_index().search(catalog, &problem, 5);
            let ranked: Vec<String> = hits
                .iter()
                .map(|h| {
                    format!(
                        "- `{}` ({}): {}",
                        h.entry.id, h.entry.title, h.entry.summary
                    )
                })
                .collect();
            vec![user_text(format!(
                "Problem: {problem}\n\nCandidate entries from the async-python-patterns \
                 catalogue, best match first:\n{}\n\nPick the entry that fits (or say that \
                 plain sync code or threads fit better), explain why in two sentences, then \
                 show its code with get_snippet and offer run_demo to see it behave.",
                if ranked.is_empty() {
                    "- (no match; use list_patterns)".to_string()
                } else {
                    ranked.join("\n")
                }
            ))]
        }
        "explain-pattern" => {
            let id = required("id")?;
            let entry = catalog.entry(&id).ok_or_else(|| {
                McpError::InvalidParams(format!(
                    "no pattern `{id}`; closest: {}",
                    catalog.closest_entries(&id).join(", ")
                ))
            })?;
            let file = catalog
                .file(&entry.path)
                .ok_or_else(|| McpError::Internal(format!("{} missing", entry.path)))?;
            vec![
                user_text(format!(
                    "Explain the asyncio {} `{}` ({}) to me: when to use it, how the code \
                     works line by line, and what to watch for.",
                    entry.category.as_str(),
                    entry.id,
                    entry.title
                )),
                json!({
                    "role": "user",
                    "content": { "type": "resource", "resource": super::resources::contents(catalog, file) }
                }),
            ]
        }
        _ => unreachable!("every listed prompt has a renderer"),
    };
    Ok(json!({ "description": spec.description, "messages": messages }))
}

/// Argument completion for prompts (`id`) and the resource templates (`{id}`).
pub fn complete(service: &SkillService, params: &Value) -> Result<Value, McpError> {
    let reference = &params["ref"];
    let argument = params["argument"]["name"].as_str().unwrap_or_default();
    let value = params["argument"]["value"].as_str().unwrap_or_default();
    let completes_ids = match reference["type"].as_str() {
        Some("ref/prompt") => reference["name"] == "explain-pattern" && argument == "id",
        Some("ref/resource") => argument == "id",
        _ => {
            return Err(McpError::InvalidParams(
                "completion needs ref.type \"ref/prompt\" or \"ref/resource\"".into(),
            ))
        }
    };
    let catalog = service.catalog.get();
    let mut values: Vec<&str> = if completes_ids {
        catalog
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .filter(|id| id.starts_with(value))
            .collect()
    } else {
        Vec::new()
    };
    let total = values.len();
    values.truncate(100);
    Ok(json!({ "completion": { "values": values, "total": total, "hasMore": total > 100 } }))
}

/// What `check_code` finds in the code, as a head start for the review (the model still
/// reads the code: the rules cover the common pitfalls, not everything).
fn static_findings(code: &str, python: Option<&str>) -> String {
    let python = python.and_then(|p| p.parse().ok());
    match crate::check::check(code, python) {
        Ok(report) if report.findings.is_empty() => {
            "The static check (check_code) found nothing; look for what it cannot see. ".into()
        }
        Ok(report) => {
            let lines: Vec<String> = report
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "- line {}:{} {} ({}): {}",
                        f.line, f.column, f.rule, f.pattern, f.message
                    )
                })
                .collect();
            format!(
                "The static check (check_code) already found:\n{}\nConfirm each and look \
                 for what it cannot see. ",
                lines.join("\n")
            )
        }
        Err(e) => format!("The static check (check_code) could not run: {e}. "),
    }
}
