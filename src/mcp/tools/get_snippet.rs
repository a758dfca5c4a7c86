//! `get_snippet`: the code of one snippet, in the variant that runs on the user's Python.

use super::{parse_args, ToolFailure, ToolFuture, ToolResult, ToolSpec};
use crate::catalog::{PyVersion, SnippetLookupError};
use crate::mcp::context::RequestContext;
use crate::mcp::resources::file_uri;
use crate::service::SkillService;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

pub const SPEC: ToolSpec = ToolSpec {
    name: "get_snippet",
    title: "Get a runnable asyncio snippet",
    description: "Fetch the Python code of a snippet by id (a pattern id such as \"gather\", \
        \"timeouts\", \"taskgroup\" is its main snippet; get_pattern lists the others). Pass \
        `python` (e.g. \"3.10\") to get the variant that runs on that version, e.g. wait_for \
        instead of asyncio.timeout before 3.11; the result says which variant was chosen.",
    read_only: true,
    idempotent: true,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Snippet id, e.g. "gather" or "timeouts".
    pub id: String,
    /// Target CPython version, e.g. "3.10"; omitted means the newest variant.
    #[serde(default)]
    pub python: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
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

pub fn run(service: &SkillService, args: Args) -> Result<Output, ToolFailure> {
    let python: Option<PyVersion> = match &args.python {
        Some(raw) => Some(raw.parse().map_err(|e| ToolFailure::new(format!("{e}")))?),
        None => None,
    };
    let catalog = &service.catalog;
    let choice = catalog.snippet(&args.id, python).map_err(|e| match e {
        SnippetLookupError::Unknown { id } => {
            let close = crate::catalog::Catalog::closest(catalog.snippet_ids().into_iter(), &id, 3);
            ToolFailure::new(format!(
                "No snippet `{id}`. Closest ids: {}. get_pattern lists an entry's snippets.",
                close.join(", ")
            ))
        }
        too_old => ToolFailure::new(too_old.to_string()),
    })?;
    let snippet = choice.snippet;
    let path = catalog
        .entry(&snippet.entry)
        .map(|e| e.path.clone())
        .unwrap_or_default();
    Ok(Output {
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
