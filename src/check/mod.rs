//! `check_code`: finds async pitfalls in Python source and names the catalogue entry
//! whose fix applies. It parses with ruff's own Python parser (a real syntax tree, so
//! strings and comments never match) and reports only what it can tie to a pattern of
//! this skill: it complements a general linter, it does not replace one.
//!
//! - [`depth`] refuses input nested deeper than the passes can walk, before parsing;
//! - [`parse`] turns source into a tree, or into one syntax error with its position;
//! - [`names`] undoes imports so rules see `asyncio.sleep` however it was spelled;
//! - [`symbols`] knows which functions of the file are coroutine functions;
//! - [`rules`] walks the tree once and reports [`Finding`]s.

pub mod batch;
mod calls;
mod depth;
mod error;
mod finding;
pub mod format;
mod names;
mod noqa;
mod parse;
mod rules;
mod scope;
mod symbols;
pub mod target;
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
pub const NEWEST_PYTHON: PyVersion = PyVersion::new(3, 15);

/// The oldest target accepted: the rules' version-dependent advice starts at 3.8's
/// asyncio; an older or a future version (3.99) is refused rather than guessed at.
pub const OLDEST_PYTHON: PyVersion = PyVersion::new(3, 8);

/// A target version as a user writes it (`3.10`), refused unless the rules know it.
pub fn parse_target(raw: &str) -> Result<PyVersion, CheckError> {
    let version: PyVersion = raw
        .parse()
        .map_err(|_| CheckError::UnknownPython(raw.to_string()))?;
    known_target(version)
}

fn known_target(version: PyVersion) -> Result<PyVersion, CheckError> {
    if (OLDEST_PYTHON..=NEWEST_PYTHON).contains(&version) {
        Ok(version)
    } else {
        Err(CheckError::UnknownPython(version.to_string()))
    }
}

/// How to check: the target version and whether `# noqa` comments count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The newest Python when `None`.
    pub python: Option<PyVersion>,
    /// Report what `# noqa` comments silence (ruff's `--ignore-noqa`): for measuring, and
    /// for the skill's own Symptom snippets, which carry ruff's `noqa` codes.
    pub ignore_noqa: bool,
}

/// Checks `code` for the target `python` (the newest when `None`), honouring `# noqa`.
pub fn check(code: &str, python: Option<PyVersion>) -> Result<Report, CheckError> {
    check_with(
        code,
        Options {
            python,
            ignore_noqa: false,
        },
    )
}

pub fn check_with(code: &str, options: Options) -> Result<Report, CheckError> {
    let python = options.python;
    if code.len() > MAX_SOURCE_BYTES {
        return Err(CheckError::TooLarge { bytes: code.len() });
    }
    let python = known_target(python.unwrap_or(NEWEST_PYTHON))?;
    let source = parse::Source::parse(code)?;
    let noqa = match options.ignore_noqa {
        true => noqa::Noqa::default(),
        false => noqa::Noqa::from_comments(&source),
    };
    let checker = rules::Checker::new(&source, python);
    if let Some(at) = checker.python2_print() {
        return Err(source.python2_print_error(at));
    }
    let mut pending = checker.run();
    if !options.ignore_noqa {
        pending.retain(|p| !noqa.silences(p));
    }
    pending.sort_by_key(|p| (p.start_byte, p.rule));
    pending
        .dedup_by(|a, b| (a.start_byte, a.rule, &a.message) == (b.start_byte, b.rule, &b.message));
    let truncated = pending.len() > MAX_FINDINGS;
    pending.truncate(MAX_FINDINGS);
    let findings = pending
        .into_iter()
        .map(|p| {
            let column = source.column(p.start_byte, p.byte_column);
            Finding::with_pattern(p.rule, (p.row + 1, column), p.message, &p.pattern)
        })
        .collect();
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
