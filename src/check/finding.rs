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
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::BlockingCall,
        Rule::UnawaitedCoroutine,
        Rule::DanglingTask,
        Rule::AsyncioRunInAsync,
        Rule::SwallowedCancellation,
        Rule::GetEventLoopInAsync,
        Rule::WaitForTimeout,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::BlockingCall => "blocking-call",
            Rule::UnawaitedCoroutine => "unawaited-coroutine",
            Rule::DanglingTask => "dangling-task",
            Rule::AsyncioRunInAsync => "asyncio-run-in-async",
            Rule::SwallowedCancellation => "swallowed-cancellation",
            Rule::GetEventLoopInAsync => "get-event-loop-in-async",
            Rule::WaitForTimeout => "wait-for-timeout",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::UnawaitedCoroutine | Rule::AsyncioRunInAsync => Severity::Error,
            Rule::WaitForTimeout => Severity::Info,
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
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Finding {
    /// Rule id, e.g. "blocking-call".
    pub rule: String,
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
    pub fn new(rule: Rule, (line, column): (usize, usize), message: String) -> Self {
        Self::with_pattern(rule, (line, column), message, rule.default_pattern())
    }

    pub fn with_pattern(
        rule: Rule,
        (line, column): (usize, usize),
        message: String,
        pattern: &str,
    ) -> Self {
        Self {
            rule: rule.id().to_string(),
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
