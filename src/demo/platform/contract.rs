//! Off Linux this file is `demo::sandbox`: the types a demo run is described and reported
//! with, the same shape the Linux sandbox gives (so `run_demo`'s `isolation` reads alike
//! everywhere). The engines that fill them are in `demo::platform`.
//!
//! Keep the fields in step with `src/demo/sandbox.rs`: both are compiled in CI (Linux
//! natively, this one in the cross builds of scripts/cross/run.sh).

use serde::Serialize;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Resource limits applied to the demo process tree.
#[derive(Debug, Clone)]
pub struct Limits {
    pub cpu_seconds: u64,
    pub address_space_bytes: u64,
    pub file_size_bytes: u64,
    pub open_files: u64,
    /// Processes the demo may have at once (a Job Object's cap on Windows).
    pub processes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_seconds: 10,
            address_space_bytes: 1 << 30,
            file_size_bytes: 16 << 20,
            open_files: 256,
            processes: 64,
        }
    }
}

/// pids cgroups exist only on Linux; the runner holds this empty stand-in elsewhere so it
/// is built the same way on every platform.
#[derive(Debug, Default)]
pub struct CgroupPool;

pub struct SandboxSpec {
    pub interpreter: PathBuf,
    /// The interpreter's prefixes: readable under Seatbelt.
    pub interpreter_roots: Vec<PathBuf>,
    pub script_name: String,
    pub script: Vec<u8>,
    pub args: Vec<String>,
    pub timeout: Duration,
    pub limits: Limits,
    /// Bytes kept per stream; the rest is read and dropped.
    pub output_cap: usize,
    pub cgroups: std::sync::Arc<CgroupPool>,
}

/// A `@progress {...}` line from the demo's stderr.
#[derive(Debug, Clone)]
pub struct Progress {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

/// How the run was isolated: every layer says whether it was in force.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Isolation {
    pub pid_namespace: bool,
    pub network_isolated: bool,
    /// The demo's whole process tree is killed as one (process group, or Job Object).
    pub process_group: bool,
    pub pids_cgroup: bool,
    pub rlimits: Vec<String>,
    pub empty_environment: bool,
    pub scratch_removed: bool,
    /// Seatbelt confines file access: reads to the system libraries and the interpreter's
    /// prefixes, writes to the scratch folder.
    pub filesystem_confined: bool,
    /// What the demo may read when confined (its scratch folder besides).
    pub readable_paths: Vec<String>,
    /// Each layer of the Linux sandbox this run lacked.
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
    #[error("cannot prepare the scratch folder: {0}")]
    Scratch(io::Error),
    #[error("cannot start {interpreter}: {source}")]
    Spawn {
        interpreter: String,
        source: io::Error,
    },
    /// Windows only: the Job Object that holds the demo could not be made.
    #[error("cannot set up the demo's Job Object: {0}")]
    Job(io::Error),
}
