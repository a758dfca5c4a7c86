//! The demo runner: runs an entry's demo under a deadline, either as its Python script in
//! the process sandbox or on the native tokio engine, with a global concurrency limit.

pub mod contract;
pub mod interpreter;
pub mod native;
mod options;
pub mod output;
pub mod params;
pub mod platform;
#[cfg(target_os = "linux")]
pub mod sandbox;
pub mod timeline;
/// Off Linux the engines' shared types stand where the Linux sandbox would; `platform`
/// holds the engines that fill them.
#[cfg(not(target_os = "linux"))]
pub mod sandbox {
    pub use super::contract::*;
    pub use super::output::Progress;
}

use crate::catalog::{Catalog, PyVersion};
use interpreter::{Interpreter, Interpreters};
pub use options::SandboxMode;
pub use options::{SandboxArgs, SandboxOptions};
use sandbox::{Isolation, Limits, SandboxSpec, ScratchFile};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio_util::sync::CancellationToken;

pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;
pub const MAX_TIMEOUT_MS: u64 = 60_000;
/// Bytes of stdout and of stderr kept per demo; the rest is drained and dropped.
pub const OUTPUT_CAP: usize = 64 * 1024;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Python,
    Native,
}

pub struct DemoRequest {
    pub id: String,
    pub params: Map<String, Value>,
    pub timeout: Duration,
    pub engine: Engine,
    pub python: Option<PyVersion>,
}

/// A progress event on its way to the caller (MCP progress, or the CLI's spinner).
#[derive(Debug, Clone)]
pub struct ProgressEvent {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DemoReport {
    pub id: String,
    pub engine: Engine,
    /// The interpreter that ran the script (python engine only).
    pub interpreter: Option<Interpreter>,
    /// The effective parameters (given values, defaults for the rest).
    pub params: Map<String, Value>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub duration_ms: f64,
    pub stdout: String,
    pub stdout_truncated: bool,
    pub stderr: String,
    pub stderr_truncated: bool,
    /// The demo's last stdout line, parsed (its JSON summary); null if it printed none.
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub summary: Option<Value>,
    /// How the run was isolated; null for the native engine (no process).
    pub isolation: Option<Isolation>,
}

impl DemoReport {
    /// Did the demo run to completion on its own? (Not: did it show a failure on purpose.)
    pub fn succeeded(&self) -> bool {
        !self.timed_out && self.exit_code == Some(0) && self.summary.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("no demo for `{id}`")]
    NoDemo { id: String },
    #[error("{0}")]
    BadParams(String),
    #[error(transparent)]
    NoInterpreter(#[from] interpreter::NoInterpreter),
    #[error("all {slots} demo slots stayed busy until the deadline; try again shortly or with a longer deadline (timeout_ms, run --timeout-ms)")]
    Busy { slots: usize },
    #[error(
        "the native engine has no mirror of `{id}`; it covers: {covered}. Use engine \"python\""
    )]
    NoNativeMirror { id: String, covered: String },
    #[error("the native engine failed: {0}")]
    Native(String),
    #[error("the demo was cancelled")]
    Cancelled,
    #[error("the sandbox could not start the demo: {0}")]
    Sandbox(#[from] sandbox::SandboxError),
}

pub struct DemoRunner {
    interpreters: Interpreters,
    slots: Arc<Semaphore>,
    slot_count: usize,
    limits: Limits,
    mode: SandboxMode,
    cgroups: Arc<sandbox::CgroupPool>,
}

impl DemoRunner {
    pub fn new(python: Option<PathBuf>) -> Self {
        Self::with_options(python, SandboxOptions::default())
    }

    pub fn with_options(python: Option<PathBuf>, options: SandboxOptions) -> Self {
        // One demo per core keeps the server's own threads responsive; at least two so a
        // slow demo never blocks every other caller.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let slot_count = cores.max(2);
        Self {
            interpreters: Interpreters::new(python),
            slots: Arc::new(Semaphore::new(slot_count)),
            slot_count,
            limits: Limits {
                scratch_bytes: options.scratch_mib.max(1) << 20,
                ..Limits::default()
            },
            mode: options.mode,
            cgroups: Arc::default(),
        }
    }

    /// Chooses the process engine (`--sandbox`); the platform's strongest by default.
    pub async fn run(
        &self,
        catalog: &Catalog,
        request: DemoRequest,
        progress: Option<mpsc::Sender<ProgressEvent>>,
        cancel: CancellationToken,
    ) -> Result<DemoReport, DemoError> {
        let entry = catalog
            .entry(&request.id)
            .ok_or_else(|| DemoError::NoDemo {
                id: request.id.clone(),
            })?;
        let demo = entry.demo.as_ref().ok_or_else(|| DemoError::NoDemo {
            id: request.id.clone(),
        })?;
        let (flags, effective) =
            params::to_flags(&demo.params, &request.params).map_err(DemoError::BadParams)?;
        let deadline = Instant::now() + request.timeout;

        let _slot = tokio::select! {
            slot = tokio::time::timeout(request.timeout, self.slots.clone().acquire_owned()) => match slot {
                Ok(Ok(slot)) => slot,
                _ => return Err(DemoError::Busy { slots: self.slot_count }),
            },
            _ = cancel.cancelled() => return Err(DemoError::Cancelled),
        };

        match request.engine {
            Engine::Native => {
                if !native::supports(&request.id) {
                    return Err(DemoError::NoNativeMirror {
                        id: request.id.clone(),
                        covered: native::NATIVE_IDS.join(", "),
                    });
                }
                let id = request.id.clone();
                let params = effective.clone();
                let started = Instant::now();
                // The mirror runs on its own paused-clock runtime: exact and instant.
                let job = tokio::task::spawn_blocking(move || native::run_paused(&id, &params));
                let summary = tokio::select! {
                    joined = job => joined
                        .map_err(|e| DemoError::Native(e.to_string()))?
                        .map_err(|e| DemoError::Native(e.to_string()))?,
                    _ = cancel.cancelled() => return Err(DemoError::Cancelled),
                };
                Ok(DemoReport {
                    id: request.id,
                    engine: Engine::Native,
                    interpreter: None,
                    params: effective,
                    exit_code: Some(0),
                    signal: None,
                    timed_out: false,
                    duration_ms: round_ms(started.elapsed()),
                    stdout: format!("{summary}\n"),
                    stdout_truncated: false,
                    stderr: String::new(),
                    stderr_truncated: false,
                    summary: Some(summary),
                    isolation: None,
                })
            }
            Engine::Python => {
                let interpreter = self.interpreters.find(request.python)?;
                let script = catalog
                    .file(&demo.script)
                    .ok_or_else(|| DemoError::NoDemo {
                        id: request.id.clone(),
                    })?;
                let remaining = deadline.saturating_duration_since(Instant::now());
                let spec = SandboxSpec {
                    interpreter: interpreter.path.clone(),
                    interpreter_roots: interpreter.roots.clone(),
                    script_name: format!("{}.py", request.id),
                    script: script.bytes.to_vec(),
                    helpers: catalog
                        .helper_modules()
                        .filter_map(|f| {
                            let name = f.path.strip_prefix("scripts/")?;
                            Some(ScratchFile {
                                name: name.to_string(),
                                bytes: f.bytes.to_vec(),
                            })
                        })
                        .collect(),
                    args: flags,
                    timeout: remaining,
                    limits: self.limits.clone(),
                    mode: self.mode,
                    output_cap: OUTPUT_CAP,
                    cgroups: self.cgroups.clone(),
                };
                // One slot, latest wins (see demo::output): a flood of progress lines
                // costs no memory. The relay hands one update at a time to the caller's
                // bounded channel and picks the newest when there is room again.
                let (tx, mut rx) = watch::channel::<Option<sandbox::Progress>>(None);
                let event = |p: sandbox::Progress| ProgressEvent {
                    progress: p.progress,
                    total: p.total,
                    message: p.message,
                };
                let outcome = {
                    let relay = async {
                        let Some(out) = &progress else {
                            return std::future::pending().await;
                        };
                        while rx.changed().await.is_ok() {
                            let Ok(permit) = out.reserve().await else {
                                break;
                            };
                            if let Some(p) = rx.borrow_and_update().clone() {
                                permit.send(event(p));
                            }
                        }
                        std::future::pending().await
                    };
                    tokio::select! {
                        biased;
                        outcome = platform::run(self.mode, spec, Some(tx), cancel.clone()) => outcome?,
                        () = relay => unreachable!("the relay never finishes on its own"),
                    }
                };
                // The demo's last update may still wait in its slot: it goes if there is
                // room soon, without waiting long for a slow client (the result follows).
                let last = {
                    let last = rx.borrow_and_update();
                    last.has_changed().then(|| last.clone()).flatten()
                };
                if let (Some(out), Some(p)) = (&progress, last) {
                    let _ =
                        tokio::time::timeout(Duration::from_millis(50), out.send(event(p))).await;
                }
                if outcome.cancelled {
                    return Err(DemoError::Cancelled);
                }
                let summary = last_json_line(&outcome.stdout);
                Ok(DemoReport {
                    id: request.id,
                    engine: Engine::Python,
                    interpreter: Some(interpreter),
                    params: effective,
                    exit_code: outcome.exit_code,
                    signal: outcome.signal,
                    timed_out: outcome.timed_out,
                    duration_ms: round_ms(outcome.duration),
                    stdout: outcome.stdout,
                    stdout_truncated: outcome.stdout_truncated,
                    stderr: outcome.stderr,
                    stderr_truncated: outcome.stderr_truncated,
                    summary,
                    isolation: Some(outcome.isolation),
                })
            }
        }
    }
}

fn round_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// The demo convention: the last non-empty stdout line is one JSON object.
pub fn last_json_line(stdout: &str) -> Option<Value> {
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty())?;
    serde_json::from_str::<Value>(line.trim())
        .ok()
        .filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_the_last_json_object_line() {
        let out = "hello\n{\"demo\": \"x\", \"ok\": true}\n\n";
        assert_eq!(last_json_line(out).unwrap()["demo"], "x");
        assert!(last_json_line("no json\n").is_none());
        assert!(last_json_line("[1,2]\n").is_none());
    }
}
