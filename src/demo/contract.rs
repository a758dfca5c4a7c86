//! What every demo engine shares: the run's spec and limits, how it ended, and the
//! isolation report. The Linux sandbox (`demo::sandbox`) and the other platforms' engines
//! (`demo::platform`) fill the same types, so a report reads the same everywhere and the
//! published output schema holds on every platform.

pub use super::options::SandboxMode;
use serde::Serialize;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[cfg(target_os = "linux")]
pub use super::sandbox::CgroupPool;

/// Host scratch folders (and pooled cgroups) of every engine start with this and the
/// server's pid, so the Linux sandbox's sweep of what killed servers left finds them all.
pub const SCRATCH_PREFIX: &str = "async-patterns-demo-";

/// A fresh host scratch path in the temp folder (not created): the server's pid, a
/// per-process counter and the clock keep concurrent and successive runs apart.
pub fn fresh_scratch_path() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!(
        "{SCRATCH_PREFIX}{}-{n}-{nanos:x}",
        std::process::id()
    ))
}

/// Off Linux there is no pids cgroup to hand out: the pool is empty by construction.
#[cfg(not(target_os = "linux"))]
#[derive(Debug, Default)]
pub struct CgroupPool;

/// Resource limits applied to the demo process tree.
#[derive(Debug, Clone)]
pub struct Limits {
    pub cpu_seconds: u64,
    pub address_space_bytes: u64,
    pub file_size_bytes: u64,
    pub open_files: u64,
    /// Processes (and threads) the demo may have at once: RLIMIT_NPROC in its user
    /// namespace, or the pids cgroup without one.
    pub processes: u64,
    /// Size of the scratch tmpfs (HOME, TMPDIR and working folder).
    pub scratch_bytes: u64,
}

pub const DEFAULT_SCRATCH_MIB: u64 = 64;

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_seconds: 10,
            // Python with a few threads (each glibc arena reserves 64 MiB) fits easily.
            address_space_bytes: 1 << 30,
            file_size_bytes: 16 << 20,
            open_files: 256,
            processes: 64,
            scratch_bytes: DEFAULT_SCRATCH_MIB << 20,
        }
    }
}

pub struct SandboxSpec {
    pub interpreter: PathBuf,
    /// The interpreter's prefixes: bound into the demo's root and readable.
    pub interpreter_roots: Vec<PathBuf>,
    pub script_name: String,
    pub script: Vec<u8>,
    /// The skill's private helper modules (`scripts/_*.py`), written beside the script so
    /// its plain `import` finds them: Python puts the script's folder on `sys.path`.
    pub helpers: Vec<ScratchFile>,
    pub args: Vec<String>,
    pub timeout: Duration,
    pub limits: Limits,
    pub mode: SandboxMode,
    /// Bytes kept per stream; the rest is read and dropped.
    pub output_cap: usize,
    /// Where the pids cgroup comes from (see [`CgroupPool`]).
    pub cgroups: Arc<CgroupPool>,
}

/// A file an engine writes into the demo's scratch folder before the demo starts.
#[derive(Debug, Clone)]
pub struct ScratchFile {
    /// A plain file name (no folder part).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl SandboxSpec {
    /// Everything an engine writes into the scratch folder: the script first, then the
    /// helper modules. Refused when a name is not a plain file name or repeats, as a name
    /// with a folder part could reach outside the scratch folder.
    pub fn scratch_files(&self) -> io::Result<Vec<(&str, &[u8])>> {
        let files: Vec<(&str, &[u8])> =
            std::iter::once((self.script_name.as_str(), &self.script[..]))
                .chain(self.helpers.iter().map(|f| (f.name.as_str(), &f.bytes[..])))
                .collect();
        for (i, (name, _)) in files.iter().enumerate() {
            let plain = !name.is_empty()
                && *name != "."
                && *name != ".."
                && !name.contains(['/', '\\', '\0', ':']);
            if !plain || files[..i].iter().any(|(seen, _)| seen == name) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("`{name}` cannot be written into the scratch folder: not a plain, unique file name"),
                ));
            }
        }
        Ok(files)
    }
}

/// How the run was isolated: every layer says whether it was in force.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Isolation {
    /// The mode the server runs demos in (`auto` or `strict`).
    pub mode: SandboxMode,
    /// The demo ran as an unprivileged uid in its own user namespace.
    pub user_namespace: bool,
    /// The namespaces the demo had of its own.
    pub namespaces: Vec<String>,
    pub pid_namespace: bool,
    pub network_isolated: bool,
    /// Only the interpreter's folders (read-only), a fresh /proc, /dev/null, /dev/zero,
    /// /dev/urandom and the scratch tmpfs were visible.
    pub minimal_root: bool,
    /// Size cap of the scratch tmpfs, when it had one.
    pub scratch_bytes: Option<u64>,
    /// No capabilities, an empty bounding set, no_new_privs.
    pub capabilities_dropped: bool,
    pub seccomp: bool,
    pub process_group: bool,
    pub pids_cgroup: bool,
    /// The number of processes and threads is capped (per user namespace, or by the
    /// pids cgroup).
    pub processes_limited: bool,
    pub rlimits: Vec<String>,
    pub empty_environment: bool,
    pub scratch_removed: bool,
    /// Landlock confines file access: reads to the system library folders and the
    /// interpreter's prefixes, writes to the scratch folder; no TCP, no outside signals.
    pub filesystem_confined: bool,
    /// What the demo may read when confined (its scratch folder besides).
    pub readable_paths: Vec<String>,
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
    #[error("the sandbox is in strict mode and a layer is missing: {0}")]
    Strict(String),
    /// A layer could not be set up; `refused` when the kernel refuses user namespaces
    /// to this process (which will not change while it runs).
    #[error("the sandbox failed {why}")]
    Layer { why: String, refused: bool },
    #[error("the sandbox's worker thread failed: {0}")]
    Worker(String),
    /// Windows only: the Job Object that holds the demo could not be made.
    #[error("cannot set up the demo's Job Object: {0}")]
    Job(io::Error),
}

impl Isolation {
    /// A report with no layer in force, for engines to fill in what they have.
    pub fn none(mode: SandboxMode) -> Self {
        Self {
            mode,
            user_namespace: false,
            namespaces: Vec::new(),
            pid_namespace: false,
            network_isolated: false,
            minimal_root: false,
            scratch_bytes: None,
            capabilities_dropped: false,
            seccomp: false,
            process_group: false,
            pids_cgroup: false,
            processes_limited: false,
            rlimits: Vec::new(),
            empty_environment: false,
            scratch_removed: false,
            filesystem_confined: false,
            readable_paths: Vec::new(),
            notes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(script_name: &str, helpers: &[&str]) -> SandboxSpec {
        SandboxSpec {
            interpreter: PathBuf::from("python3"),
            interpreter_roots: Vec::new(),
            script_name: script_name.into(),
            script: b"import _h".to_vec(),
            helpers: helpers
                .iter()
                .map(|name| ScratchFile {
                    name: (*name).into(),
                    bytes: name.as_bytes().to_vec(),
                })
                .collect(),
            args: Vec::new(),
            timeout: Duration::from_secs(1),
            limits: Limits::default(),
            mode: SandboxMode::default(),
            output_cap: 1024,
            cgroups: Default::default(),
        }
    }

    #[test]
    fn scratch_files_are_the_script_then_its_helpers() {
        let spec = spec("gather.py", &["_timeline.py", "_b.py"]);
        let files = spec.scratch_files().unwrap();
        let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["gather.py", "_timeline.py", "_b.py"]);
        assert_eq!(files[0].1, b"import _h");
        assert_eq!(files[1].1, b"_timeline.py");
    }

    #[test]
    fn a_name_that_could_leave_the_scratch_folder_or_repeat_is_refused() {
        for bad in [
            "../_x.py",
            "sub/_x.py",
            "..",
            "",
            "c:_x.py",
            "a\\_x.py",
            "gather.py",
        ] {
            let err = spec("gather.py", &["_ok.py", bad])
                .scratch_files()
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
            assert!(err.to_string().contains("plain, unique"), "{bad:?}: {err}");
        }
    }
}
