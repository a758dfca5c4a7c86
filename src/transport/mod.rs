//! Transports frame bytes and attach a connection context; all MCP logic lives in
//! `crate::mcp`.

pub mod http;
#[cfg(unix)]
pub mod pipe;
pub mod stdio;

/// Completes on SIGINT or SIGTERM: both transports then stop taking work, let what runs
/// unwind (demos killed, scratch folders removed) and exit 0, instead of dying mid-write.
#[cfg(unix)]
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Windows has no SIGTERM: a console client stops us with Ctrl+C (or Ctrl+Break), and
/// one that spawned us over pipes simply closes stdin.
#[cfg(windows)]
pub async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
