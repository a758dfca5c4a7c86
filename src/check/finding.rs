//! What a check reports: findings, each tied to the catalogue entry whose fix applies.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How sure we are that the code misbehaves: `error` is a bug whenever the line runs,
/// `warning` a bug in most programs, `info` a better spelling the target Python offers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Every rule, so that tests can enumerate them and check that each points at a
/// catalogue entry that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    BlockingCall,
    UnawaitedCoroutine,
    DanglingTask,
    AsyncioRunInAsync,
    SwallowedCancellation,
    GetEventLoopInAsync,
    WaitForTimeout,
    BlockingFileIo,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule::BlockingCall,
        Rule::UnawaitedCoroutine,
        Rule::DanglingTask,
        Rule::AsyncioRunInAsync,
        Rule::SwallowedCancellation,
        Rule::GetEventLoopInAsync,
        Rule::WaitForTimeout,
        Rule::BlockingFileIo,
    ];

    /// The stable code, for `# noqa: AP001`, SARIF and CI annotations. Codes are never
    /// reused or renumbered: a retired rule's code stays retired.
    pub fn code(self) -> &'static str {
        match self {
            Rule::BlockingCall => "AP001",
            Rule::UnawaitedCoroutine => "AP002",
            Rule::DanglingTask => "AP003",
            Rule::AsyncioRunInAsync => "AP004",
            Rule::SwallowedCancellation => "AP005",
            Rule::GetEventLoopInAsync => "AP006",
            Rule::WaitForTimeout => "AP007",
            Rule::BlockingFileIo => "AP008",
        }
    }

    /// ruff's codes for the same pitfall: a `# noqa` written for ruff silences us too,
    /// so a project running both writes one comment.
    pub fn ruff_codes(self) -> &'static [&'static str] {
        match self {
            Rule::BlockingCall => &[
                "ASYNC210", "ASYNC211", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC251",
            ],
            Rule::BlockingFileIo => &["ASYNC230"],
            Rule::DanglingTask => &["RUF006"],
            _ => &[],
        }
    }

    /// One line on what the rule finds (SARIF's short description, the docs' table).
    pub fn summary(self) -> &'static str {
        match self {
            Rule::BlockingCall => {
                "A blocking call (sleep, sync HTTP, subprocess, DNS) in a coroutine"
            }
            Rule::UnawaitedCoroutine => {
                "A coroutine created and never awaited, so its body never runs"
            }
            Rule::DanglingTask => "A task whose reference is dropped, so it can vanish mid-flight",
            Rule::AsyncioRunInAsync => {
                "asyncio.run (or run_until_complete) called from a coroutine"
            }
            Rule::SwallowedCancellation => {
                "CancelledError caught around an await and not re-raised"
            }
            Rule::GetEventLoopInAsync => {
                "get_event_loop() in a coroutine where get_running_loop() says what it means"
            }
            Rule::WaitForTimeout => "wait_for with a timeout where asyncio.timeout exists (3.11+)",
            Rule::BlockingFileIo => {
                "Blocking file I/O (open, Path.read_text, shutil) in a coroutine"
            }
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            Rule::BlockingCall => "blocking-call",
            Rule::UnawaitedCoroutine => "unawaited-coroutine",
            Rule::DanglingTask => "dangling-task",
            Rule::AsyncioRunInAsync => "asyncio-run-in-async",
            Rule::SwallowedCancellation => "swallowed-cancellation",
            Rule::GetEventLoopInAsync => "get-event-loop-in-async",
            Rule::WaitForTimeout => "wait-for-timeout",
            Rule::BlockingFileIo => "blocking-file-io",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::UnawaitedCoroutine | Rule::AsyncioRunInAsync => Severity::Error,
            // Inside a coroutine get_event_loop() returns the running loop without a
            // warning on every version: a better spelling, not a bug.
            Rule::WaitForTimeout | Rule::GetEventLoopInAsync => Severity::Info,
            _ => Severity::Warning,
        }
    }

    /// The catalogue entry that explains the fix; a blocking call may name a more
    /// specific one than this default.
    pub fn default_pattern(self) -> &'static str {
        match self {
            Rule::BlockingCall => "blocking-the-loop",
            Rule::UnawaitedCoroutine => "forgotten-await",
            Rule::DanglingTask => "dangling-tasks",
            Rule::AsyncioRunInAsync => "nested-asyncio-run",
            Rule::SwallowedCancellation => "swallowed-cancellation",
            Rule::GetEventLoopInAsync => "event-loop",
            Rule::WaitForTimeout => "timeouts",
            Rule::BlockingFileIo => "to-thread",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Finding {
    /// Rule id, e.g. "blocking-call".
    pub rule: String,
    /// The rule's stable code, e.g. "AP001" (what `# noqa: AP001` names).
    pub code: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub severity: Severity,
    /// What is wrong and what to do instead.
    pub message: String,
    /// Catalogue entry id that shows the fix (get_pattern / get_snippet take it).
    pub pattern: String,
}

impl Finding {
    pub fn with_pattern(
        rule: Rule,
        (line, column): (usize, usize),
        message: String,
        pattern: &str,
    ) -> Self {
        Self {
            rule: rule.id().to_string(),
            code: rule.code().to_string(),
            line,
            column,
            severity: rule.severity(),
            message,
            pattern: pattern.to_string(),
        }
    }
}

/// The result of checking one piece of code.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// The Python version the advice targets (e.g. "3.14").
    pub python: String,
    /// Sorted by line, then column.
    pub findings: Vec<Finding>,
    /// More findings existed than are listed (the list is capped).
    pub truncated: bool,
}

/// A finding as the rules report it: positioned by byte, so that sorting and capping
/// happen before the (line-length-proportional) column count is paid, which keeps a
/// long line with many findings linear.
#[derive(Debug, Clone)]
pub struct Pending {
    pub rule: Rule,
    pub start_byte: usize,
    /// 0-based row and byte column.
    pub row: usize,
    pub byte_column: usize,
    pub message: String,
    pub pattern: String,
}

impl Pending {
    /// A finding at byte `offset` of the source.
    pub fn new(
        rule: Rule,
        source: &super::parse::Source<'_>,
        offset: usize,
        message: String,
        pattern: String,
    ) -> Self {
        let (row, byte_column) = source.row_and_byte_column(offset);
        Self {
            rule,
            start_byte: offset,
            row,
            byte_column,
            message,
            pattern,
        }
    }
}
