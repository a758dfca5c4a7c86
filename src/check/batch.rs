//! Checking many files as a linter does: folders walked with ripgrep's `ignore` crate
//! (so `.gitignore`, `.ignore` and hidden folders are honoured), each file's target
//! Python read from its project, and the files checked in parallel. Results come back
//! in a stable order (the order paths were given, then sorted within a folder), so
//! output and exit codes do not depend on thread timing.

use super::target::Targets;
use super::{check_with, CheckError, Options, Report};
use crate::catalog::PyVersion;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What to check and how.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Files and folders; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Overrides every file's own target (`--python`).
    pub python: Option<PyVersion>,
    pub ignore_noqa: bool,
}

/// Why a file has no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Where the syntax error is, for a syntax error.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

#[derive(Debug)]
pub struct FileResult {
    /// The path as given or found (`<stdin>` for standard input).
    pub label: String,
    pub outcome: Result<Report, Failure>,
}

/// A file to check, and the target Python it will be checked for.
struct Job {
    label: String,
    source: Source,
    python: Option<PyVersion>,
}

enum Source {
    Stdin(String),
    File(PathBuf),
    /// A path that could not be walked: reported as that file's failure.
    Unreadable(String),
}

/// Checks every input; one result per file found, in a stable order.
pub fn run(batch: &Batch) -> Vec<FileResult> {
    let jobs = jobs(batch);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileResult>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(index) else {
                    break;
                };
                let result = check_job(job, batch.ignore_noqa);
                if let Ok(mut results) = results.lock() {
                    results[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn check_job(job: &Job, ignore_noqa: bool) -> FileResult {
    let code = match &job.source {
        Source::Stdin(code) => Ok(code.clone()),
        Source::File(path) => read_source(path),
        Source::Unreadable(message) => Err(message.clone()),
    };
    let outcome = code
        .map_err(|message| Failure {
            position: None,
            message,
        })
        .and_then(|code| {
            let options = Options {
                python: job.python,
                ignore_noqa,
            };
            check_with(&code, options).map_err(|e| match e {
                CheckError::Syntax {
                    line,
                    column,
                    message,
                } => Failure {
                    position: Some((line, column)),
                    message: format!("syntax error: {message}"),
                },
                other => Failure {
                    position: None,
                    message: other.to_string(),
                },
            })
        });
    FileResult {
        label: job.label.clone(),
        outcome,
    }
}

fn jobs(batch: &Batch) -> Vec<Job> {
    let mut targets = Targets::default();
    let mut jobs = Vec::new();
    let mut target_of = |path: &Path| batch.python.or_else(|| targets.for_file(path));
    for path in &batch.paths {
        if path.as_os_str() == "-" {
            let mut code = Vec::new();
            let source = match std::io::stdin().lock().read_to_end(&mut code) {
                Ok(_) => match String::from_utf8(code) {
                    Ok(code) => Source::Stdin(code),
                    Err(_) => Source::Unreadable("not UTF-8 text".into()),
                },
                Err(e) => Source::Unreadable(e.to_string()),
            };
            jobs.push(Job {
                label: "<stdin>".into(),
                source,
                python: batch.python,
            });
            continue;
        }
        if !path.is_dir() {
            // A file named on the command line is checked whatever its name or
            // ignore rules say: the user asked for it.
            jobs.push(Job {
                label: path.display().to_string(),
                python: target_of(path),
                source: Source::File(path.clone()),
            });
            continue;
        }
        let mut found = Vec::new();
        let walk = ignore::WalkBuilder::new(path)
            .require_git(false)
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        for entry in walk {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let python_file = entry
                        .path()
                        .extension()
                        .is_some_and(|e| e == "py" || e == "pyi");
                    if is_file && python_file {
                        found.push(entry.into_path());
                    }
                }
                Err(e) => jobs.push(Job {
                    label: path.display().to_string(),
                    source: Source::Unreadable(e.to_string()),
                    python: None,
                }),
            }
        }
        for file in found {
            jobs.push(Job {
                label: file.display().to_string(),
                python: target_of(&file),
                source: Source::File(file),
            });
        }
    }
    jobs
}

/// Reads one file, refusing what is too big before reading it all.
fn read_source(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(super::MAX_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > super::MAX_SOURCE_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len(), |m| m.len() as usize);
        return Err(CheckError::TooLarge { bytes: size }.to_string());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// The linter's exit status: 2 when a file could not be checked, 1 when anything was
/// found, 0 when every file is clean.
pub fn exit_status(results: &[FileResult]) -> u8 {
    if results.iter().any(|r| r.outcome.is_err()) {
        2
    } else if results.iter().any(|r| {
        r.outcome
            .as_ref()
            .is_ok_and(|report| !report.findings.is_empty())
    }) {
        1
    } else {
        0
    }
}
