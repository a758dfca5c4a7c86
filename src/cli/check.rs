//! `check`: the async-pitfall checker over files, for people and CI.

use super::usage;
use std::path::PathBuf;
use std::process::ExitCode;

/// Reads one input of `check`; `-` is standard input.
pub(super) fn read_source(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

pub(super) fn check_files(files: &[PathBuf], python: Option<&str>, json: bool) -> ExitCode {
    use crate::check::CheckError;
    let python = match python
        .map(str::parse::<crate::catalog::PyVersion>)
        .transpose()
    {
        Ok(python) => python,
        Err(e) => return usage(&e.to_string()),
    };
    let (mut failed, mut found) = (0usize, 0usize);
    for path in files {
        let label = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let result = read_source(path).map_err(|e| (None, e)).and_then(|code| {
            crate::check::check(&code, python).map_err(|e| match &e {
                CheckError::Syntax {
                    line,
                    column,
                    message,
                } => (Some((*line, *column)), format!("syntax error: {message}")),
                _ => (None, e.to_string()),
            })
        });
        match result {
            Ok(report) => {
                found += report.findings.len();
                if json {
                    let mut value = serde_json::to_value(&report).unwrap_or_default();
                    value["file"] = serde_json::Value::String(label);
                    println!("{value}");
                    continue;
                }
                for f in &report.findings {
                    println!(
                        "{label}:{}:{}: {} [{}] {} (pattern: {})",
                        f.line,
                        f.column,
                        f.rule,
                        f.severity.as_str(),
                        f.message,
                        f.pattern
                    );
                }
                if report.truncated {
                    eprintln!(
                        "{label}: more findings than the {} listed",
                        report.findings.len()
                    );
                }
            }
            Err((position, message)) => {
                failed += 1;
                if json {
                    let (line, column) = position.unzip();
                    println!(
                        "{}",
                        serde_json::json!({
                            "file": label,
                            "error": {"message": message, "line": line, "column": column},
                        })
                    );
                } else {
                    match position {
                        Some((line, column)) => eprintln!("{label}:{line}:{column}: {message}"),
                        None => eprintln!("async-patterns: {label}: {message}"),
                    }
                }
            }
        }
    }
    if !json {
        let checked = files.len() - failed;
        eprintln!(
            "{found} finding{} in {checked} file{}{}",
            if found == 1 { "" } else { "s" },
            if checked == 1 { "" } else { "s" },
            if failed > 0 {
                format!("; {failed} could not be checked")
            } else {
                String::new()
            }
        );
    }
    if failed > 0 {
        ExitCode::from(2)
    } else if found > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
