//! Demo process engines for every platform, beside the Linux sandbox (`demo::sandbox`).
//!
//! - `portable` (every Unix): its own session and process group, rlimits, an empty
//!   environment, a scratch folder, the deadline and a process-group kill. On Linux it is
//!   what `--sandbox portable` runs, so its logic is tested where CI runs.
//! - `seatbelt` (macOS): the portable engine under `sandbox-exec` with a profile that
//!   denies the network, confines writes to the scratch folder and reads to the
//!   interpreter and the system libraries.
//! - `job` (Windows): a Job Object that kills the whole tree when closed and caps the
//!   process count and memory, plus the deadline.
//!
//! Each reports the layers that held in `Isolation`, and in `Isolation::notes` the ones
//! it lacks compared with the Linux sandbox.

#[cfg(windows)]
mod job;
mod output;
#[cfg(unix)]
pub mod portable;
mod scratch;
#[cfg(any(target_os = "macos", test))]
pub mod seatbelt;
mod supervise;

use super::sandbox::{Outcome, Progress, SandboxError, SandboxSpec};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Which process engine runs a Python demo (`--sandbox`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxMode {
    /// The strongest engine this platform has.
    #[default]
    Auto,
    /// The portable engine (session, rlimits, deadline, group kill) even where a stronger
    /// one exists: how its logic is exercised on Linux.
    Portable,
}

/// Runs the demo on the engine `mode` selects for this platform.
pub async fn run(
    mode: SandboxMode,
    spec: SandboxSpec,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> Result<Outcome, SandboxError> {
    #[cfg(target_os = "linux")]
    return match mode {
        SandboxMode::Auto => super::sandbox::run(spec, progress, cancel).await,
        SandboxMode::Portable => portable::run(spec, progress, cancel, None).await,
    };
    #[cfg(target_os = "macos")]
    return match mode {
        SandboxMode::Auto => {
            portable::run(spec, progress, cancel, Some(seatbelt::confinement)).await
        }
        SandboxMode::Portable => portable::run(spec, progress, cancel, None).await,
    };
    // A Job Object is the only engine Windows has: both modes use it.
    #[cfg(windows)]
    return {
        let _ = mode;
        job::run(spec, progress, cancel).await
    };
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    return {
        let _ = mode;
        portable::run(spec, progress, cancel, None).await
    };
}
