//! The process sandbox a demo runs in (Linux).
//!
//! Layers, each reported honestly in [`Isolation`]:
//! - a new PID namespace whose init is the demo: when it dies, the kernel kills every
//!   process of the demo, including grandchildren that forked or called `setsid`;
//! - a new network namespace (loopback only, down): no network;
//! - its own session and process group, and `PR_SET_PDEATHSIG` so nothing outlives a
//!   server that is killed;
//! - rlimits on CPU time, address space, file size, open files and core dumps, and a
//!   pids cgroup (where writable) that stops fork bombs even for root;
//! - an empty environment, stdin from /dev/null, a fresh scratch folder removed after;
//! - Landlock: reads limited to the system library folders and the interpreter's
//!   prefixes, writes to the scratch folder, no TCP, no signals outside the demo.
//!
//! Namespaces need root (or unprivileged user namespaces); where the kernel refuses,
//! the demo runs without that layer and the result says so.

use serde::Serialize;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Resource limits applied to the demo process tree.
#[derive(Debug, Clone)]
pub struct Limits {
    pub cpu_seconds: u64,
    pub address_space_bytes: u64,
    pub file_size_bytes: u64,
    pub open_files: u64,
    /// Processes (and threads) the demo may have at once, via the pids cgroup.
    pub processes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_seconds: 10,
            // Python with a few threads (each glibc arena reserves 64 MiB) fits easily.
            address_space_bytes: 1 << 30,
            file_size_bytes: 16 << 20,
            open_files: 256,
            processes: 64,
        }
    }
}

pub struct SandboxSpec {
    pub interpreter: PathBuf,
    /// The interpreter's prefixes: readable under Landlock.
    pub interpreter_roots: Vec<PathBuf>,
    pub script_name: String,
    pub script: Vec<u8>,
    pub args: Vec<String>,
    pub timeout: Duration,
    pub limits: Limits,
    /// Bytes kept per stream; the rest is read and dropped.
    pub output_cap: usize,
    /// Where the pids cgroup comes from (see [`CgroupPool`]).
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
    pub process_group: bool,
    pub pids_cgroup: bool,
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
}

/// The scratch folder; removed on drop, so no path leaves one behind.
struct Scratch(PathBuf);

const SCRATCH_PREFIX: &str = "async-patterns-demo-";
const PIDS_CGROUP_ROOT: &str = "/sys/fs/cgroup/pids";

/// Removes scratch folders and pids cgroups of servers that died without cleaning up
/// (SIGKILL gives no chance to). Folder names carry the owner's pid; a folder is stale when that process
/// is gone. Runs once per process, on the first demo, never at start-up.
fn sweep_stale_scratch() {
    static SWEEP: std::sync::Once = std::sync::Once::new();
    SWEEP.call_once(|| {
        let places = [std::env::temp_dir(), PathBuf::from(PIDS_CGROUP_ROOT)];
        for entry in places
            .iter()
            .filter_map(|dir| std::fs::read_dir(dir).ok())
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(owner) = name
                .strip_prefix(SCRATCH_PREFIX)
                .and_then(|rest| rest.split('-').next())
                .and_then(|pid| pid.parse::<i32>().ok())
            else {
                continue;
            };
            // SAFETY: signal 0 only checks whether the process exists.
            let alive = unsafe { libc::kill(owner, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
            if !alive {
                // A cgroup is removed with rmdir; a scratch folder with its contents.
                if entry.path().starts_with(PIDS_CGROUP_ROOT) {
                    let _ = std::fs::remove_dir(entry.path());
                } else {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    });
}

impl Scratch {
    fn create() -> io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "{SCRATCH_PREFIX}{}-{n}-{nanos:x}",
            std::process::id()
        ));
        std::fs::create_dir(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A pids cgroup (v1 hierarchy at /sys/fs/cgroup/pids) holding one demo at a time;
/// removed on drop.
struct PidsCgroup {
    dir: PathBuf,
    procs: OwnedFd,
}

impl PidsCgroup {
    fn create(name: &str, max: u64) -> io::Result<Self> {
        let root = Path::new(PIDS_CGROUP_ROOT);
        let dir = root.join(name);
        std::fs::create_dir(&dir)?;
        let setup = || -> io::Result<OwnedFd> {
            std::fs::write(dir.join("pids.max"), max.to_string())?;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(dir.join("cgroup.procs"))?;
            Ok(OwnedFd::from(file))
        };
        match setup() {
            Ok(procs) => Ok(Self { dir, procs }),
            Err(e) => {
                let _ = std::fs::remove_dir(&dir);
                Err(e)
            }
        }
    }
}

impl Drop for PidsCgroup {
    fn drop(&mut self) {
        // The namespace's processes are gone by now; the kernel may need a moment to
        // release them from the group.
        for _ in 0..50 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Reusable pids cgroups, one per concurrently running demo. Moving a process into a
/// freshly made cgroup (v1) costs 5-20 ms of RCU synchronisation; into one that has held
/// a process before, a fraction of a millisecond. So groups are kept and reused for the
/// life of the runner, and removed when it is dropped.
#[derive(Default)]
pub struct CgroupPool {
    free: std::sync::Mutex<Vec<PidsCgroup>>,
    created: AtomicU64,
}

impl CgroupPool {
    fn take(&self, max: u64) -> io::Result<PidsCgroup> {
        if let Some(group) = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(group);
        }
        let n = self.created.fetch_add(1, Ordering::Relaxed);
        PidsCgroup::create(
            &format!("{SCRATCH_PREFIX}{}-slot-{n}", std::process::id()),
            max,
        )
    }

    fn give(&self, group: PidsCgroup) {
        self.free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(group);
    }
}

#[derive(Clone, Copy)]
struct Layers {
    namespaces: bool,
}

fn last_error() -> io::Error {
    io::Error::last_os_error()
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value as libc::rlim_t,
        rlim_max: value as libc::rlim_t,
    };
    // SAFETY: setrlimit only reads the struct.
    if unsafe { libc::setrlimit(resource, &limit) } != 0 {
        return Err(last_error());
    }
    Ok(())
}

/// Runs in the forked child before exec; only async-signal-safe calls.
fn confine(
    layers: Layers,
    limits: &Limits,
    cgroup_fd: Option<i32>,
    landlock: Option<::landlock::RulesetCreated>,
) -> io::Result<()> {
    // SAFETY (whole function): plain syscalls on values owned by this process.
    unsafe {
        if libc::setsid() < 0 {
            return Err(last_error());
        }
        if let Some(fd) = cgroup_fd {
            let zero = b"0";
            if libc::write(fd, zero.as_ptr().cast(), zero.len()) < 0 {
                return Err(last_error());
            }
        }
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
            return Err(last_error());
        }
    }
    set_limit(libc::RLIMIT_CPU, limits.cpu_seconds)?;
    set_limit(libc::RLIMIT_AS, limits.address_space_bytes)?;
    set_limit(libc::RLIMIT_FSIZE, limits.file_size_bytes)?;
    set_limit(libc::RLIMIT_NOFILE, limits.open_files)?;
    set_limit(libc::RLIMIT_CORE, 0)?;
    if let Some(ruleset) = landlock {
        // Also sets no_new_privs. Fails closed: a ruleset that was built but cannot be
        // enforced stops the spawn rather than running the demo unconfined.
        ruleset
            .restrict_self()
            .map_err(|_| io::Error::from_raw_os_error(libc::EACCES))?;
    }
    if !layers.namespaces {
        return Ok(());
    }
    // SAFETY: unshare/fork/waitpid/kill/_exit are async-signal-safe.
    unsafe {
        let flags = if libc::geteuid() == 0 {
            libc::CLONE_NEWPID | libc::CLONE_NEWNET
        } else {
            libc::CLONE_NEWUSER | libc::CLONE_NEWPID | libc::CLONE_NEWNET
        };
        if libc::unshare(flags) != 0 {
            return Err(last_error());
        }
        // The new PID namespace applies to children: fork once, so the demo becomes its
        // init. This process stays behind as a thin reaper that mirrors the exit status.
        let pid = libc::fork();
        if pid < 0 {
            return Err(last_error());
        }
        if pid == 0 {
            // The demo: dies with the reaper (which the server kills on deadline).
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                libc::_exit(127);
            }
            return Ok(());
        }
        // The reaper never execs, so it must let go of every descriptor it inherited:
        // std's spawn waits on a close-on-exec status pipe until the child execs, and
        // the output pipes should close as soon as the demo's processes are gone.
        if libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32) != 0 {
            for fd in 0..4096 {
                libc::close(fd);
            }
        }
        let mut status = 0;
        loop {
            let r = libc::waitpid(pid, &mut status, 0);
            if r == pid {
                break;
            }
            if r < 0 && *libc::__errno_location() != libc::EINTR {
                libc::_exit(126);
            }
        }
        if libc::WIFSIGNALED(status) {
            let sig = libc::WTERMSIG(status);
            libc::signal(sig, libc::SIG_DFL);
            libc::kill(libc::getpid(), sig);
        }
        libc::_exit(if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            125
        });
    }
}

/// Reads a stream to the end, keeping at most `cap` bytes.
async fn drain_capped(mut reader: impl AsyncRead + Unpin, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut truncated = false;
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

/// Reads stderr line by line: `@progress` lines go to the channel as they arrive, the
/// rest is kept up to `cap` bytes.
async fn drain_stderr(
    reader: impl AsyncRead + Unpin,
    cap: usize,
    progress: Option<mpsc::UnboundedSender<Progress>>,
) -> (Vec<u8>, bool) {
    const MAX_LINE: usize = 64 * 1024;
    let mut reader = BufReader::new(reader);
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        // Bounded line reads: a newline-free flood cannot grow `line` without limit.
        let n = match (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(n) => n,
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        if let Some(json) = line.strip_prefix(b"@progress ") {
            if let (Some(tx), Ok(value)) =
                (&progress, serde_json::from_slice::<serde_json::Value>(json))
            {
                if let Some(p) = value.get("progress").and_then(serde_json::Value::as_f64) {
                    let _ = tx.send(Progress {
                        progress: p,
                        total: value.get("total").and_then(serde_json::Value::as_f64),
                        message: value
                            .get("message")
                            .and_then(|m| m.as_str())
                            .map(String::from),
                    });
                    continue;
                }
            }
        }
        let room = cap.saturating_sub(kept.len());
        kept.extend_from_slice(&line[..line.len().min(room)]);
        truncated |= line.len() > room;
    }
    (kept, truncated)
}

fn spawn(
    spec: &SandboxSpec,
    scratch: &Path,
    script: &Path,
    layers: Layers,
    cgroup_fd: Option<i32>,
    landlock: Option<::landlock::RulesetCreated>,
) -> io::Result<tokio::process::Child> {
    let mut command = std::process::Command::new(&spec.interpreter);
    command
        .arg("-I") // isolated mode: no user site-packages, no PYTHON* variables
        .arg("-B")
        .arg("-u")
        .arg(script)
        .args(&spec.args)
        .current_dir(scratch)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .env("HOME", scratch)
        .env("TMPDIR", scratch)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let limits = spec.limits.clone();
    let mut landlock = landlock;
    // SAFETY: `confine` performs only async-signal-safe system calls.
    unsafe {
        command.pre_exec(move || confine(layers, &limits, cgroup_fd, landlock.take()));
    }
    let mut command = tokio::process::Command::from(command);
    command.kill_on_drop(true);
    command.spawn()
}

fn kill_tree(pid: Option<u32>) {
    if let Some(pid) = pid {
        let pid = pid as i32;
        // SAFETY: signalling our own child and its process group.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

pub async fn run(
    spec: SandboxSpec,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> Result<Outcome, SandboxError> {
    sweep_stale_scratch();
    let scratch = Scratch::create().map_err(SandboxError::Scratch)?;
    let script = scratch.0.join(&spec.script_name);
    std::fs::write(&script, &spec.script).map_err(SandboxError::Scratch)?;
    let mut notes = Vec::new();

    let cgroup = match spec.cgroups.take(spec.limits.processes) {
        Ok(group) => Some(group),
        Err(e) => {
            notes.push(format!(
                "no pids cgroup ({e}); fork bombs are bounded only by the deadline"
            ));
            None
        }
    };
    let cgroup_fd = cgroup.as_ref().map(|g| g.procs.as_raw_fd());

    let landlock = |notes: &mut Vec<String>| match super::landlock::prepare(
        &spec.interpreter_roots,
        &scratch.0,
    ) {
        Ok(prepared) => Some(prepared),
        Err(e) => {
            notes.push(format!(
                "no Landlock ({e}); the demo can read any file the server can"
            ));
            None
        }
    };
    let start = Instant::now();
    let mut layers = Layers { namespaces: true };
    let first = landlock(&mut notes);
    let confined = first.is_some();
    let readable_paths: Vec<String> = first
        .as_ref()
        .map(|p| p.readable.iter().map(|r| r.display().to_string()).collect())
        .unwrap_or_default();
    let first = first.map(|p| p.ruleset);
    let mut child = match spawn(&spec, &scratch.0, &script, layers, cgroup_fd, first) {
        Ok(child) => child,
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EPERM | libc::EINVAL | libc::ENOSPC | libc::EUSERS)
            ) =>
        {
            notes.push(format!(
                "namespaces unavailable ({e}); running without PID and network isolation"
            ));
            layers.namespaces = false;
            let again = if confined {
                landlock(&mut notes).map(|p| p.ruleset)
            } else {
                None
            };
            spawn(&spec, &scratch.0, &script, layers, cgroup_fd, again).map_err(|source| {
                SandboxError::Spawn {
                    interpreter: spec.interpreter.display().to_string(),
                    source,
                }
            })?
        }
        Err(source) => {
            return Err(SandboxError::Spawn {
                interpreter: spec.interpreter.display().to_string(),
                source,
            })
        }
    };
    let pid = child.id();
    let stdout = child
        .stdout
        .take()
        .map(|s| tokio::spawn(drain_capped(s, spec.output_cap)));
    let stderr = child
        .stderr
        .take()
        .map(|s| tokio::spawn(drain_stderr(s, spec.output_cap, progress)));

    let (mut timed_out, mut cancelled) = (false, false);
    let status = tokio::select! {
        status = child.wait() => status.ok(),
        _ = tokio::time::sleep(spec.timeout) => { timed_out = true; None }
        _ = cancel.cancelled() => { cancelled = true; None }
    };
    let status = match status {
        Some(status) => Some(status),
        None => {
            kill_tree(pid);
            child.wait().await.ok()
        }
    };
    let duration = start.elapsed();
    // With the PID namespace gone every writer is dead and the pipes close at once.
    // Without it an escaped grandchild could hold them open, so reading is bounded.
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
    let (out, out_truncated) = collect(stdout).await;
    let (err, err_truncated) = collect(stderr).await;
    if let Some(group) = cgroup {
        spec.cgroups.give(group);
    }
    let scratch_dir = scratch.0.clone();
    drop(scratch);

    let mut rlimits = vec![
        format!("cpu {} s", spec.limits.cpu_seconds),
        format!(
            "address space {} MiB",
            spec.limits.address_space_bytes >> 20
        ),
        format!("file size {} MiB", spec.limits.file_size_bytes >> 20),
        format!("open files {}", spec.limits.open_files),
        "core dumps 0".to_string(),
    ];
    if cgroup_fd.is_some() {
        rlimits.push(format!("processes {} (pids cgroup)", spec.limits.processes));
    }
    if !layers.namespaces {
        notes.push(
            "grandchildren that call setsid can outlive the demo without a PID namespace".into(),
        );
    }
    Ok(Outcome {
        exit_code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        timed_out,
        cancelled,
        duration,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stdout_truncated: out_truncated,
        stderr: String::from_utf8_lossy(&err).into_owned(),
        stderr_truncated: err_truncated,
        isolation: Isolation {
            pid_namespace: layers.namespaces,
            network_isolated: layers.namespaces,
            process_group: true,
            pids_cgroup: cgroup_fd.is_some(),
            rlimits,
            empty_environment: true,
            scratch_removed: !scratch_dir.exists(),
            filesystem_confined: confined,
            readable_paths,
            notes,
        },
    })
}
