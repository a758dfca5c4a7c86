//! TEMPORARY minimal sandbox (process group + deadline + capped output); replaced by the
//! full sandbox (namespaces, rlimits, privilege drop) in the demo-runner work.

use serde::Serialize;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub cpu_seconds: u64,
}

pub struct SandboxSpec {
    pub interpreter: PathBuf,
    pub script_name: String,
    pub script: Vec<u8>,
    pub args: Vec<String>,
    pub timeout: Duration,
    pub limits: Limits,
    pub output_cap: usize,
}

#[derive(Debug, Clone)]
pub struct Progress {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Isolation {
    pub process_group: bool,
    pub notes: Vec<String>,
}

pub struct Outcome {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub cancelled: bool,
    pub duration: Duration,
    pub stdout: String,
    pub stdout_truncated: bool,
    pub stderr: String,
    pub stderr_truncated: bool,
    pub isolation: Isolation,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

async fn drain(mut r: impl tokio::io::AsyncRead + Unpin, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut truncated = false;
    while let Ok(n) = r.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = cap.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
        truncated |= n > room;
    }
    (kept, truncated)
}

pub async fn run(
    spec: SandboxSpec,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> Result<Outcome, SandboxError> {
    let dir = std::env::temp_dir().join(format!("async-patterns-demo-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let script = dir.join(&spec.script_name);
    std::fs::write(&script, &spec.script)?;
    let start = Instant::now();
    let mut child = tokio::process::Command::new(&spec.interpreter)
        .arg(&script)
        .args(&spec.args)
        .current_dir(&dir)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let out = tokio::spawn(drain(child.stdout.take().expect("piped"), spec.output_cap));
    let err = tokio::spawn(drain(child.stderr.take().expect("piped"), spec.output_cap));
    let (mut timed_out, mut cancelled) = (false, false);
    let status = tokio::select! {
        s = child.wait() => Some(s?),
        _ = tokio::time::sleep(spec.timeout) => { timed_out = true; None }
        _ = cancel.cancelled() => { cancelled = true; None }
    };
    if status.is_none() {
        if let Some(pid) = child.id() {
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
        }
        let _ = child.wait().await;
    }
    let (stdout, so_t) = out.await.unwrap_or_default();
    let (stderr, se_t) = err.await.unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    let mut kept_err = String::new();
    for line in stderr.lines() {
        if let Some(json) = line.strip_prefix("@progress ") {
            if let (Some(tx), Ok(v)) = (&progress, serde_json::from_str::<serde_json::Value>(json))
            {
                let _ = tx.send(Progress {
                    progress: v["progress"].as_f64().unwrap_or(0.0),
                    total: v["total"].as_f64(),
                    message: v["message"].as_str().map(String::from),
                });
            }
        } else {
            kept_err.push_str(line);
            kept_err.push('\n');
        }
    }
    let _ = std::fs::remove_file(&script);
    use std::os::unix::process::ExitStatusExt;
    Ok(Outcome {
        exit_code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        timed_out,
        cancelled,
        duration: start.elapsed(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stdout_truncated: so_t,
        stderr: kept_err,
        stderr_truncated: se_t,
        isolation: Isolation {
            process_group: true,
            notes: vec!["temporary sandbox: no namespaces or rlimits yet".into()],
        },
    })
}
