//! Why a check produced no findings at all. Findings are the normal result; these are the
//! cases where the input could not be judged, and each says what the caller can do.

use super::MAX_SOURCE_BYTES;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckError {
    /// Refused before parsing: the bound keeps one request from holding a worker for long
    /// and keeps the result under what hosts accept.
    #[error("the code is {bytes} bytes; check_code accepts at most {MAX_SOURCE_BYTES} bytes, so check one module at a time")]
    TooLarge { bytes: usize },
    /// Rules over a broken tree would report noise, so nothing is reported but the first
    /// place the parser gave up (1-based, column in characters).
    #[error("syntax error at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A target version the rules do not know: advice for it would be a guess.
    #[error("unknown target Python `{0}`: give a version from 3.8 to 3.15, e.g. 3.12")]
    UnknownPython(String),
    /// The grammar could not be loaded or the parser stopped; a bug, not the user's input.
    #[error("the Python parser failed: {0}")]
    Parser(String),
}
