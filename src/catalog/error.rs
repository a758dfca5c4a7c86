//! Why a skill folder was refused. Every variant names the file (and the line where one is
//! known) so that an author can fix the content without reading our code.

use std::fmt;

/// A content problem found while loading a skill folder.
#[derive(Debug, thiserror::Error)]
pub struct CatalogError {
    /// Path relative to the skill root, or the folder itself for I/O problems.
    pub file: String,
    /// 1-based line in `file`, when the problem has a position.
    pub line: Option<usize>,
    pub message: String,
}

impl CatalogError {
    pub fn new(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}
