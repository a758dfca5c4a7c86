//! What can go wrong answering a domain query, in domain terms. Each face words these
//! for its own reader: the MCP tools tell a model which tool to call next, the CLI tells
//! a person which command to run.

use crate::catalog::{BadPyVersion, SnippetLookupError};
use crate::check::CheckError;
use crate::demo::DemoError;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// No catalogue entry has this id; `closest` are the nearest ids by spelling.
    #[error("no pattern `{id}`")]
    UnknownEntry { id: String, closest: Vec<String> },
    /// No snippet has this id; `closest` are the nearest snippet ids.
    #[error("no snippet `{id}`")]
    UnknownSnippet { id: String, closest: Vec<String> },
    /// The entry exists but has no runnable demo.
    #[error("`{id}` has no demo")]
    NoDemo { id: String },
    #[error(transparent)]
    BadPython(#[from] BadPyVersion),
    /// The snippet exists but no variant runs on the Python asked for.
    #[error(transparent)]
    Snippet(SnippetLookupError),
    #[error(transparent)]
    Check(#[from] CheckError),
    /// The demo could not run (bad parameters, no interpreter, busy, sandbox).
    #[error(transparent)]
    Demo(DemoError),
    /// The caller cancelled the demo.
    #[error("the demo was cancelled")]
    Cancelled,
}
