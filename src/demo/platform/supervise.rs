//! Watching a started demo: its output drained, its exit awaited against the deadline and
//! cancellation, and the engine's own kill when either comes first.

use crate::demo::output::{drain_capped, drain_stderr};
use crate::demo::sandbox::Progress;
use std::process::ExitStatus;
use std::time::{Duration, Instant};
use tokio::process::Child;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How a watched demo ended, before the engine adds its isolation report.
pub struct Ended {
    pub status: Option<ExitStatus>,
    pub timed_out: bool,
    pub cancelled: bool,
    pub duration: Duration,
    pub stdout: (Vec<u8>, bool),
    pub stderr: (Vec<u8>, bool),
}

/// Waits for `child` until `timeout` or `cancel`; then `kill` ends the demo's whole tree.
/// Output readers get a bounded grace period afterwards: without a PID namespace an
/// escaped grandchild could hold the pipes open forever.
pub async fn supervise(
    mut child: Child,
    started: Instant,
    timeout: Duration,
    cap: usize,
    progress: Option<watch::Sender<Option<Progress>>>,
    cancel: CancellationToken,
    kill: impl FnOnce(&mut Child),
) -> Ended {
    let stdout = child
        .stdout
        .take()
        .map(|s| tokio::spawn(drain_capped(s, cap)));
    let stderr = child
        .stderr
        .take()
        .map(|s| tokio::spawn(drain_stderr(s, cap, progress)));
    let (mut timed_out, mut cancelled) = (false, false);
    let status = tokio::select! {
        status = child.wait() => status.ok(),
        _ = tokio::time::sleep(timeout) => { timed_out = true; None }
        _ = cancel.cancelled() => { cancelled = true; None }
    };
    let status = match status {
        Some(status) => Some(status),
        None => {
            kill(&mut child);
            child.wait().await.ok()
        }
    };
    let duration = started.elapsed();
    let collect = |handle: Option<tokio::task::JoinHandle<(Vec<u8>, bool)>>| async move {
        match handle {
            Some(h) => tokio::time::timeout(Duration::from_millis(500), h)
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default(),
            None => (Vec::new(), false),
        }
    };
    Ended {
        status,
        timed_out,
        cancelled,
        duration,
        stdout: collect(stdout).await,
        stderr: collect(stderr).await,
    }
}
