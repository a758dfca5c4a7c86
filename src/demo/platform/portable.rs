//! The portable engine: what every Unix offers without privileges or kernel features.
//! The demo gets its own session and process group (so one kill reaches its children),
//! rlimits on CPU time, memory, file size, open files and core dumps, an empty
//! environment, stdin from /dev/null and a scratch folder removed afterwards; the deadline
//! kills the whole group. On macOS the interpreter is started through a [`Confinement`]
//! (Seatbelt), which adds network and filesystem isolation.

use super::scratch::Scratch;
use super::supervise::supervise;
use crate::demo::sandbox::{Isolation, Limits, Outcome, Progress, SandboxError, SandboxSpec};
use std::ffi::OsString;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// A program the interpreter is started through that confines it (macOS's
/// `sandbox-exec` with a profile): no network, reads and writes limited.
pub struct Confinement {
    pub program: PathBuf,
    /// Arguments that come before the interpreter's path.
    pub args: Vec<OsString>,
    /// What the demo may read besides its scratch folder, for the report.
    pub readable_paths: Vec<String>,
}

/// Builds the confinement for a demo once its scratch folder exists.
pub type Confine = fn(&SandboxSpec, &Path) -> Confinement;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

/// macOS accepts RLIMIT_AS but does not enforce it, so it is not claimed there.
const ENFORCES_ADDRESS_SPACE_LIMIT: bool = !cfg!(target_os = "macos");

fn set_limit(resource: Resource, value: u64) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value as libc::rlim_t,
        rlim_max: value as libc::rlim_t,
    };
    // SAFETY: setrlimit only reads the struct we pass.
    if unsafe { libc::setrlimit(resource, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Runs in the forked child before exec: only async-signal-safe calls.
fn detach_and_limit(limits: &Limits) -> io::Result<()> {
    // SAFETY: setsid has no memory effects; it makes the child a session and group leader.
    if unsafe { libc::setsid() } < 0 {
        return Err(io::Error::last_os_error());
    }
    set_limit(libc::RLIMIT_CPU, limits.cpu_seconds)?;
    if ENFORCES_ADDRESS_SPACE_LIMIT {
        set_limit(libc::RLIMIT_AS, limits.address_space_bytes)?;
    }
    set_limit(libc::RLIMIT_FSIZE, limits.file_size_bytes)?;
    set_limit(libc::RLIMIT_NOFILE, limits.open_files)?;
    set_limit(libc::RLIMIT_CORE, 0)
}

fn command(
    spec: &SandboxSpec,
    scratch: &Path,
    script: &Path,
    confinement: Option<&Confinement>,
) -> std::process::Command {
    let mut command = match confinement {
        Some(c) => {
            let mut command = std::process::Command::new(&c.program);
            command.args(&c.args).arg(&spec.interpreter);
            command
        }
        None => std::process::Command::new(&spec.interpreter),
    };
    command
        // No PYTHON* variables, no user site-packages (what -I also does, but -I would keep
        // the script's folder, which holds only the helper modules we wrote, off sys.path).
        .arg("-E")
        .arg("-s")
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
    // SAFETY: `detach_and_limit` makes only async-signal-safe system calls.
    unsafe {
        command.pre_exec(move || detach_and_limit(&limits));
    }
    command
}

/// Kills the demo's process group (it is the group's leader), then the demo itself in
/// case it left the group.
fn kill_group(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        let pid = pid as libc::pid_t;
        kill_leftovers(pid);
        // SAFETY: signalling our own child, not yet reaped.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

/// Kills what is left in the demo's process group once the demo is gone: children it did
/// not wait for. POSIX keeps a process ID from being reused while a group of that ID
/// exists, so this reaches the demo's leftovers or nothing.
fn kill_leftovers(group: libc::pid_t) {
    // SAFETY: signalling a process group our child created.
    unsafe { libc::kill(-group, libc::SIGKILL) };
}

pub async fn run(
    spec: SandboxSpec,
    progress: Option<watch::Sender<Option<Progress>>>,
    cancel: CancellationToken,
    confine: Option<Confine>,
) -> Result<Outcome, SandboxError> {
    let scratch = Scratch::for_demo(&spec).map_err(SandboxError::Scratch)?;
    let script = scratch.path().join(&spec.script_name);
    let confinement = confine.map(|confine| confine(&spec, scratch.path()));
    let started = Instant::now();
    let mut command = tokio::process::Command::from(command(
        &spec,
        scratch.path(),
        &script,
        confinement.as_ref(),
    ));
    command.kill_on_drop(true);
    let child = command.spawn().map_err(|source| SandboxError::Spawn {
        interpreter: spec.interpreter.display().to_string(),
        source,
    })?;
    let group = child.id().map(|pid| pid as libc::pid_t);
    let ended = supervise(
        child,
        started,
        spec.timeout,
        spec.output_cap,
        progress,
        cancel,
        kill_group,
    )
    .await;
    if let Some(group) = group {
        kill_leftovers(group);
    }
    let scratch_dir = scratch.path().to_path_buf();
    drop(scratch);
    Ok(Outcome {
        exit_code: ended.status.and_then(|s| s.code()),
        signal: ended.status.and_then(|s| s.signal()),
        timed_out: ended.timed_out,
        cancelled: ended.cancelled,
        duration: ended.duration,
        stdout: String::from_utf8_lossy(&ended.stdout.0).into_owned(),
        stdout_truncated: ended.stdout.1,
        stderr: String::from_utf8_lossy(&ended.stderr.0).into_owned(),
        stderr_truncated: ended.stderr.1,
        isolation: isolation(&spec, confinement.as_ref(), !scratch_dir.exists()),
    })
}

/// The report: the layers this engine held, and in `notes` each one the Linux sandbox
/// has that this run lacked.
fn isolation(
    spec: &SandboxSpec,
    confinement: Option<&Confinement>,
    scratch_removed: bool,
) -> Isolation {
    let limits = &spec.limits;
    let mut rlimits = vec![format!("cpu {} s", limits.cpu_seconds)];
    if ENFORCES_ADDRESS_SPACE_LIMIT {
        rlimits.push(format!(
            "address space {} MiB",
            limits.address_space_bytes >> 20
        ));
    }
    rlimits.extend([
        format!("file size {} MiB", limits.file_size_bytes >> 20),
        format!("open files {}", limits.open_files),
        "core dumps 0".to_string(),
    ]);
    let mut notes = vec![
        "portable engine: no PID namespace, so grandchildren that call setsid can outlive the demo".to_string(),
        "no process-count limit: fork bombs are bounded only by the deadline and the CPU limit".to_string(),
        "no parent-death signal: a demo outlives a server killed with SIGKILL until it exits or reaches its CPU limit".to_string(),
    ];
    if !ENFORCES_ADDRESS_SPACE_LIMIT {
        notes.push("no memory limit: macOS does not enforce RLIMIT_AS".to_string());
    }
    if confinement.is_none() {
        notes.push("no network isolation: the demo can open connections".to_string());
        notes.push(
            "no filesystem confinement: the demo can read and write any file the server can"
                .to_string(),
        );
    }
    Isolation {
        pid_namespace: false,
        network_isolated: confinement.is_some(),
        process_group: true,
        pids_cgroup: false,
        rlimits,
        empty_environment: true,
        scratch_removed,
        filesystem_confined: confinement.is_some(),
        readable_paths: confinement
            .map(|c| c.readable_paths.clone())
            .unwrap_or_default(),
        notes,
        ..Isolation::none(spec.mode)
    }
}
