//! `check_code`: finds async pitfalls in Python source and names the catalogue entry
//! whose fix applies. It parses with tree-sitter's Python grammar (a real syntax tree,
//! so strings and comments never match) and reports only what it can tie to a pattern
//! of this skill: it complements a general linter, it does not replace one.
//!
//! - [`parse`] turns source into a tree, or into one syntax error with its position;
//! - [`names`] undoes imports so rules see `asyncio.sleep` however it was spelled;
//! - [`symbols`] knows which functions of the file are coroutine functions;
//! - [`rules`] walks the tree once and reports [`Finding`]s.

mod calls;
mod error;
mod finding;
mod names;
mod parse;
mod rules;
mod symbols;
mod walk;

pub use error::CheckError;
pub use finding::{Finding, Report, Rule, Severity};

use crate::catalog::PyVersion;

/// Largest input accepted, in bytes: a big module is far below it, and it keeps a check
/// well under a second.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// At most this many findings are listed (the rest are counted as `truncated`): more
/// would only crowd a model's context, and the first ones show the pattern.
pub const MAX_FINDINGS: usize = 200;

/// The target when none is given: the newest CPython, whose advice is the most modern.
pub const NEWEST_PYTHON: PyVersion = PyVersion::new(3, 14);

pub fn check(code: &str, python: Option<PyVersion>) -> Result<Report, CheckError> {
    if code.len() > MAX_SOURCE_BYTES {
        return Err(CheckError::TooLarge { bytes: code.len() });
    }
    let python = python.unwrap_or(NEWEST_PYTHON);
    let source = parse::Source::parse(code)?;
    let mut findings = rules::Checker::new(&source, python).run();
    findings.sort_by(|a, b| (a.line, a.column, &a.rule).cmp(&(b.line, b.column, &b.rule)));
    findings.dedup();
    let truncated = findings.len() > MAX_FINDINGS;
    findings.truncate(MAX_FINDINGS);
    Ok(Report {
        python: python.to_string(),
        findings,
        truncated,
    })
}

#[cfg(test)]
mod skill_tests;
#[cfg(test)]
mod tests;
