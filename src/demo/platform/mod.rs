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
#[cfg(unix)]
pub mod portable;
mod scratch;
#[cfg(any(target_os = "macos", test))]
pub mod seatbelt;
mod supervise;

pub use super::options::SandboxMode;
use super::sandbox::{Outcome, Progress, SandboxError, SandboxSpec};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Runs the demo on the engine `mode` selects for this platform.
pub async fn run(
    mode: SandboxMode,
    spec: SandboxSpec,
    progress: Option<watch::Sender<Option<Progress>>>,
    cancel: CancellationToken,
) -> Result<Outcome, SandboxError> {
    #[cfg(target_os = "linux")]
    return match mode {
        // The Linux sandbox enforces strict mode itself, layer by layer.
        SandboxMode::Auto | SandboxMode::Strict => {
            super::sandbox::run(spec, progress, cancel).await
        }
        SandboxMode::Portable => portable::run(spec, progress, cancel, None).await,
    };
    // Elsewhere no engine has every layer of the Linux sandbox (no namespaces, no
    // seccomp): strict mode refuses before anything runs.
    #[cfg(not(target_os = "linux"))]
    if mode == SandboxMode::Strict {
        return Err(SandboxError::Strict(format!(
            "{} has no sandbox with every layer (namespaces, seccomp, a minimal root); \
             run with --sandbox auto to accept the layers it has",
            std::env::consts::OS
        )));
    }
    #[cfg(target_os = "macos")]
    return match mode {
        SandboxMode::Portable => portable::run(spec, progress, cancel, None).await,
        _ => portable::run(spec, progress, cancel, Some(seatbelt::confinement)).await,
    };
    // A Job Object is the only engine Windows has: every mode uses it.
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
