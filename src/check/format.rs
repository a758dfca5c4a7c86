//! The ways a batch of results is printed: `text` for people, `json` for scripts (the
//! check_code tool's result plus `file`, one line per file), `sarif` for code-scanning
//! services, `github` for workflow annotations. Findings go to stdout; the summary and
//! text-mode failures go to stderr, so a pipe sees only results.

use super::batch::FileResult;
use super::finding::{Rule, Severity};
use serde_sarif::sarif;
use std::io::{self, Write};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    Sarif,
    Github,
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["text", "json", "sarif", "github"];
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            other => Err(format!(
                "unknown format `{other}`: one of {}",
                Format::NAMES.join(", ")
            )),
        }
    }
}

pub fn render(
    format: Format,
    results: &[FileResult],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text(results, out, err)?,
        Format::Json => json(results, out)?,
        Format::Sarif => sarif(results, out)?,
        Format::Github => github(results, out)?,
    }
    if format != Format::Json && format != Format::Sarif {
        summary(results, err)?;
    }
    Ok(())
}

fn text(results: &[FileResult], out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
    for result in results {
        let label = &result.label;
        match &result.outcome {
            Ok(report) => {
                for f in &report.findings {
                    writeln!(
                        out,
                        "{label}:{}:{}: {} {} [{}] {} (pattern: {})",
                        f.line,
                        f.column,
                        f.code,
                        f.rule,
                        f.severity.as_str(),
                        f.message,
                        f.pattern
                    )?;
                }
                if report.truncated {
                    writeln!(
                        err,
                        "{label}: more findings than the {} listed",
                        report.findings.len()
                    )?;
                }
            }
            Err(failure) => match failure.position {
                Some((line, column)) => {
                    writeln!(err, "{label}:{line}:{column}: {}", failure.message)?
                }
                None => writeln!(err, "async-patterns: {label}: {}", failure.message)?,
            },
        }
    }
    Ok(())
}

fn summary(results: &[FileResult], err: &mut dyn Write) -> io::Result<()> {
    let failed = results.iter().filter(|r| r.outcome.is_err()).count();
    let found: usize = results
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok())
        .map(|report| report.findings.len())
        .sum();
    let checked = results.len() - failed;
    writeln!(
        err,
        "{found} finding{} in {checked} file{}{}",
        if found == 1 { "" } else { "s" },
        if checked == 1 { "" } else { "s" },
        if failed > 0 {
            format!("; {failed} could not be checked")
        } else {
            String::new()
        }
    )
}

fn json(results: &[FileResult], out: &mut dyn Write) -> io::Result<()> {
    for result in results {
        let line = match &result.outcome {
            Ok(report) => {
                let mut value = serde_json::to_value(report).unwrap_or_default();
                value["file"] = serde_json::Value::String(result.label.clone());
                value
            }
            Err(failure) => {
                let (line, column) = failure.position.unzip();
                serde_json::json!({
                    "file": result.label,
                    "error": {"message": failure.message, "line": line, "column": column},
                })
            }
        };
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

/// One SARIF 2.1.0 log with one run: every rule described once, each finding a result
/// pointing at its file, line and column; a file that could not be checked is a
/// tool notification, so the log says it was not judged rather than clean.
fn sarif(results: &[FileResult], out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<sarif::ReportingDescriptor> = Rule::ALL
        .iter()
        .map(|rule| {
            sarif::ReportingDescriptor::builder()
                .id(rule.code())
                .name(rule.id())
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(rule.summary())
                        .build(),
                )
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(serde_json::json!(level(rule.severity())))
                        .build(),
                )
                .build()
        })
        .collect();
    let mut found = Vec::new();
    let mut notifications = Vec::new();
    for result in results {
        let uri = result.label.replace('\\', "/");
        match &result.outcome {
            Ok(report) => {
                for f in &report.findings {
                    // SARIF's "no index" is -1; every finding's rule is in ALL.
                    let rule_index = Rule::ALL
                        .iter()
                        .position(|r| r.id() == f.rule)
                        .map_or(-1, |i| i as i64);
                    let region = sarif::Region::builder()
                        .start_line(f.line as i64)
                        .start_column(f.column as i64)
                        .build();
                    let location = sarif::Location::builder()
                        .physical_location(
                            sarif::PhysicalLocation::builder()
                                .artifact_location(
                                    sarif::ArtifactLocation::builder().uri(uri.clone()).build(),
                                )
                                .region(region)
                                .build(),
                        )
                        .build();
                    let result = sarif::Result::builder()
                        .rule_id(f.code.clone())
                        .rule_index(rule_index)
                        .level(level(f.severity))
                        .message(
                            sarif::Message::builder()
                                .text(format!("{} (pattern: {})", f.message, f.pattern))
                                .build(),
                        )
                        .locations(vec![location])
                        .build();
                    found.push(result);
                }
            }
            Err(failure) => notifications.push(
                sarif::Notification::builder()
                    .message(
                        sarif::Message::builder()
                            .text(format!("{}: {}", result.label, failure.message))
                            .build(),
                    )
                    .level(serde_json::json!("error"))
                    .build(),
            ),
        }
    }
    let driver = sarif::ToolComponent::builder()
        .name("async-patterns")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let invocation = sarif::Invocation::builder()
        .execution_successful(notifications.is_empty())
        .tool_execution_notifications(notifications)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(found)
        .invocations(vec![invocation])
        .build();
    let log = sarif::Sarif::builder()
        .version(serde_json::json!("2.1.0"))
        .schema(sarif::SCHEMA_URL)
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

/// GitHub Actions workflow commands: `::warning file=...,line=...,col=...::message`,
/// with the escapes the runner expects in values and in the message.
fn github(results: &[FileResult], out: &mut dyn Write) -> io::Result<()> {
    fn message(text: &str) -> String {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(text: &str) -> String {
        message(text).replace(':', "%3A").replace(',', "%2C")
    }
    for result in results {
        let file = property(&result.label);
        match &result.outcome {
            Ok(report) => {
                for f in &report.findings {
                    let command = match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info => "notice",
                    };
                    writeln!(
                        out,
                        "::{command} file={file},line={},col={},title={}::{}",
                        f.line,
                        f.column,
                        property(&format!("{} {}", f.code, f.rule)),
                        message(&format!("{} (pattern: {})", f.message, f.pattern))
                    )?;
                }
            }
            Err(failure) => {
                let at = failure
                    .position
                    .map(|(line, col)| format!(",line={line},col={col}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "::error file={file}{at},title=async-patterns::{}",
                    message(&failure.message)
                )?;
            }
        }
    }
    Ok(())
}
