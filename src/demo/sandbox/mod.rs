//! The process sandbox a demo runs in (Linux): a spec in, an [`Outcome`] with its
//! [`Isolation`] report out. Another engine can stand behind the same two types.
//!
//! Layers, each reported honestly in [`Isolation`] (see docs/sandbox.md):
//! - new user, PID, network, IPC, UTS, mount, cgroup and (where the kernel has it) time
//!   namespaces, also when the server runs as root; the demo runs as an unprivileged uid
//!   with no capabilities, an empty bounding set and `no_new_privs` (`confine.rs`);
//! - a minimal root: read-only binds of what the interpreter needs, a fresh `/proc`, three
//!   devices and a size-capped scratch tmpfs; nothing else of the host (`root.rs`);
//! - a seccomp deny list (`seccomp.rs`) and Landlock as a second wall (`landlock.rs`);
//! - rlimits, the process count among them (RLIMIT_NPROC, counted per user namespace);
//!   without namespaces a pids cgroup where the server may write one (`cgroup.rs`);
//! - a deadline enforced by killing the namespace's reaper (its init and so every demo
//!   process dies with it), or without namespaces the process group and every pid left
//!   in the cgroup; output and progress bounded
//!   (`output.rs`); every call returns within its deadline plus about a second.
//!
//! Where the kernel refuses user namespaces, `auto` mode runs the demo without the
//! namespace layers (host scratch folder, `scratch.rs`) and says so in `notes`; `strict`
//! mode refuses to run it.

mod cgroup;
mod confine;
mod landlock;
mod root;
mod scratch;
mod seccomp;

pub use super::options::SandboxMode;
use super::output;
pub use super::output::Progress;
pub use cgroup::CgroupPool;

use confine::{Confinement, Isolate, Step};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use super::contract::{
    Isolation, Limits, Outcome, SandboxError, SandboxSpec, ScratchFile, DEFAULT_SCRATCH_MIB,
};

/// Set once the kernel has refused a user namespace: later runs skip the attempt.
static NAMESPACES_REFUSED: AtomicBool = AtomicBool::new(false);

/// How long killed processes get to disappear and readers to finish after the deadline.
const GRACE: Duration = Duration::from_millis(400);

/// The isolated or the fallback way of starting a demo, and what it took.
struct Started {
    child: tokio::process::Child,
    isolated: bool,
    time_ns: bool,
    proc_mounted: bool,
    landlock: bool,
    readable: Vec<PathBuf>,
    scratch: Option<scratch::Scratch>,
    /// Layers found missing while starting.
    notes: Vec<String>,
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the array with two new descriptors, owned from here on.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// What the child wrote to the report pipe: the ready byte and flags, or the step that
/// failed and its errno.
enum Report {
    Ready(u8),
    Failed(Step, i32),
    Nothing,
}

fn read_report(read: OwnedFd) -> Report {
    let mut bytes = Vec::new();
    let _ = std::fs::File::from(read).read_to_end(&mut bytes);
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            confine::REPORT_FAILED if bytes.len() >= at + 6 => {
                let errno = i32::from_ne_bytes([
                    bytes[at + 2],
                    bytes[at + 3],
                    bytes[at + 4],
                    bytes[at + 5],
                ]);
                return Step::from_byte(bytes[at + 1])
                    .map_or(Report::Nothing, |s| Report::Failed(s, errno));
            }
            confine::REPORT_READY if bytes.len() >= at + 2 => return Report::Ready(bytes[at + 1]),
            _ => at += 1,
        }
    }
    Report::Nothing
}

fn rlimits(limits: &Limits) -> Vec<(libc::__rlimit_resource_t, u64)> {
    vec![
        (libc::RLIMIT_CPU, limits.cpu_seconds),
        (libc::RLIMIT_AS, limits.address_space_bytes),
        (libc::RLIMIT_FSIZE, limits.file_size_bytes),
        (libc::RLIMIT_NOFILE, limits.open_files),
        (libc::RLIMIT_CORE, 0),
    ]
}

/// Starts the demo. Blocking (fork, and the child's set-up until it execs): called on
/// the blocking pool.
fn start(
    spec: &SandboxSpec,
    cgroup_procs: Option<i32>,
    isolate: bool,
) -> Result<Started, SandboxError> {
    let mut notes = Vec::new();
    let spawn_error = |source| SandboxError::Spawn {
        interpreter: spec.interpreter.display().to_string(),
        source,
    };
    let seccomp = match seccomp::programs() {
        Ok(programs) => Some(programs),
        Err(e) => {
            notes.push(e.to_string());
            None
        }
    };
    let files = spec.scratch_files().map_err(SandboxError::Scratch)?;
    let (host_scratch, root_plan) = if isolate {
        let plan = root::plan(&spec.interpreter_roots, &files, spec.limits.scratch_bytes)
            .map_err(SandboxError::Scratch)?;
        (None, Some(plan))
    } else {
        let scratch = scratch::Scratch::create(&files).map_err(SandboxError::Scratch)?;
        (Some(scratch), None)
    };
    let landlock = match landlock::prepare(
        &spec.interpreter_roots,
        host_scratch.as_ref().map(|s| s.0.as_path()),
    ) {
        Ok(prepared) => Some(prepared),
        Err(e) => {
            notes.push(format!("no Landlock ({e})"));
            None
        }
    };
    // A second handle on the ruleset for the child to add its scratch tmpfs.
    let landlock_dup: Option<(OwnedFd, u64)> = match (&landlock, &root_plan) {
        (Some(prepared), Some(_)) => {
            let dup = prepared
                .ruleset
                .try_clone()
                .map_err(SandboxError::Scratch)?;
            Option::<OwnedFd>::from(dup).map(|fd| (fd, prepared.handled))
        }
        _ => None,
    };
    let mut readable: Vec<PathBuf> = landlock
        .as_ref()
        .map(|p| p.readable.clone())
        .unwrap_or_default();
    if let Some(plan) = &root_plan {
        readable = plan.readable.clone();
    }
    let confined = landlock.is_some();
    let (report_read, report_write) = pipe().map_err(SandboxError::Scratch)?;
    let uid = effective_ids();
    let mut confinement = Confinement {
        rlimits: rlimits(&spec.limits),
        cgroup_procs,
        landlock: landlock.map(|p| p.ruleset),
        seccomp,
        report: report_write.as_raw_fd(),
        isolate: root_plan.map(|root| {
            let outer = |id: u32| if uid.0 == 0 { confine::NOBODY } else { id };
            Isolate {
                source_fds: vec![-1; root.binds.len()],
                argv_area: confine::argv_area(),
                processes: spec.limits.processes,
                root,
                uid_map: format!("{} {} 1\n", confine::DEMO_ID, outer(uid.0)).into_bytes(),
                gid_map: format!("{} {} 1\n", confine::DEMO_ID, outer(uid.1)).into_bytes(),
                drop_groups: uid.0 == 0,
                landlock_scratch: landlock_dup
                    .as_ref()
                    .map(|(fd, bits)| (fd.as_raw_fd(), *bits)),
            }
        }),
    };
    let (script, home): (PathBuf, PathBuf) = match &host_scratch {
        Some(dir) => (dir.0.join(&spec.script_name), dir.0.clone()),
        None => (
            Path::new(root::SCRATCH_IN_ROOT).join(&spec.script_name),
            PathBuf::from(root::SCRATCH_IN_ROOT),
        ),
    };
    let mut command = std::process::Command::new(&spec.interpreter);
    command
        // No PYTHON* variables, no user site-packages (what -I also does, but -I would keep
        // the script's folder, which holds only the helper modules we wrote, off sys.path).
        .arg("-E")
        .arg("-s")
        .arg("-B")
        .arg("-u")
        .arg(&script)
        .args(&spec.args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .env("HOME", &home)
        .env("TMPDIR", &home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if host_scratch.is_some() {
        command.current_dir(&home);
    }
    // SAFETY: `Confinement::enter` performs only async-signal-safe system calls on
    // memory prepared above (see confine.rs for the argument, step by step).
    unsafe {
        command.pre_exec(move || confinement.enter());
    }
    let mut command = tokio::process::Command::from(command);
    command.kill_on_drop(true);
    let spawned = command.spawn();
    drop(report_write);
    drop(landlock_dup);
    let report = read_report(report_read);
    match (spawned, report) {
        (Ok(child), Report::Ready(flags)) => Ok(Started {
            child,
            isolated: isolate,
            time_ns: flags & confine::HAS_TIME_NS != 0,
            proc_mounted: flags & confine::HAS_PROC != 0,
            landlock: confined,
            readable,
            scratch: host_scratch,
            notes,
        }),
        (Ok(mut child), _) => {
            let _ = child.start_kill();
            Err(spawn_error(io::Error::other(
                "the sandbox did not report back",
            )))
        }
        (Err(_), Report::Failed(step, errno)) => Err(SandboxError::Layer {
            why: format!(
                "{}: {}",
                step.describe(),
                io::Error::from_raw_os_error(errno)
            ),
            refused: matches!(step, Step::Clone | Step::IdMap),
        }),
        (Err(e), _) => Err(spawn_error(e)),
    }
}

/// This process's effective uid and gid.
fn effective_ids() -> (u32, u32) {
    // SAFETY: geteuid and getegid cannot fail and take no arguments.
    unsafe { (libc::geteuid(), libc::getegid()) }
}

/// Kills what is left of a demo: the reaper (and with it the namespace), the process
/// group (without namespaces), and every pid in the cgroup.
fn kill(child: &mut tokio::process::Child, isolated: bool) {
    if !isolated {
        if let Some(pid) = child.id() {
            // SAFETY: SIGKILL to the process group our own, not yet reaped child leads
            // (it called setsid, so its pid is the group's id).
            unsafe {
                libc::kill(-(pid as i32), libc::SIGKILL);
            }
        }
    }
    let _ = child.start_kill();
}

/// A pids cgroup for a run without namespaces, or `None` (with a note) where the server
/// may not make one. A pooled group is at hand without touching cgroupfs; making one
/// blocks, so it happens on the blocking pool.
async fn take_cgroup(
    spec: &Arc<SandboxSpec>,
    notes: &mut Vec<String>,
) -> Result<Option<cgroup::PidsCgroup>, SandboxError> {
    let taken = match spec.cgroups.reuse() {
        Some(group) => Ok(group),
        None => {
            let spec = spec.clone();
            tokio::task::spawn_blocking(move || spec.cgroups.take(spec.limits.processes))
                .await
                .map_err(|e| SandboxError::Worker(e.to_string()))?
        }
    };
    Ok(match taken {
        Ok(group) => Some(group),
        Err(e) => {
            notes.push(format!(
                "no pids cgroup ({e}); fork bombs are bounded only by the deadline and the other rlimits"
            ));
            None
        }
    })
}

pub async fn run(
    spec: SandboxSpec,
    progress: Option<watch::Sender<Option<Progress>>>,
    cancel: CancellationToken,
) -> Result<Outcome, SandboxError> {
    let deadline = tokio::time::Instant::now() + spec.timeout;
    let spec = Arc::new(spec);
    // Detached: the first run of a process sweeps what killed servers left behind.
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if !SWEPT.swap(true, Ordering::Relaxed) {
        tokio::task::spawn_blocking(|| scratch::sweep_stale(Path::new(cgroup::ROOT)));
    }
    let blocking = |f: Box<dyn FnOnce() -> Result<Started, SandboxError> + Send>| async move {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| SandboxError::Worker(e.to_string()))?
    };

    let mut notes = Vec::new();
    // The pids cgroup is for runs without namespaces only (see `Isolate::processes`).
    let mut cgroup = None;

    let started_at = Instant::now();
    let mut started = None;
    if !NAMESPACES_REFUSED.load(Ordering::Relaxed) {
        let spec2 = spec.clone();
        let attempt = blocking(Box::new(move || start(&spec2, None, true))).await;
        match attempt {
            Ok(s) => started = Some(s),
            Err(SandboxError::Layer { why, refused }) => {
                // A refusal of user namespaces is remembered; any other failure (a folder
                // to bind vanished, say) falls back for this run only.
                if refused {
                    NAMESPACES_REFUSED.store(true, Ordering::Relaxed);
                }
                notes.push(format!(
                    "no namespaces ({why}); the demo runs without its own root, PID, network, IPC, UTS and mount namespaces"
                ));
                if spec.mode == SandboxMode::Strict {
                    return Err(SandboxError::Strict(why));
                }
            }
            Err(other) => return Err(other),
        }
    } else {
        notes.push("no namespaces (refused earlier in this process); the demo runs without its own root, PID, network, IPC, UTS and mount namespaces".into());
        if spec.mode == SandboxMode::Strict {
            return Err(SandboxError::Strict("user namespaces are refused".into()));
        }
    }
    let mut started = match started {
        Some(s) => s,
        None => {
            cgroup = take_cgroup(&spec, &mut notes).await?;
            let cgroup_procs = cgroup.as_ref().map(|g| g.procs.as_raw_fd());
            let spec2 = spec.clone();
            blocking(Box::new(move || start(&spec2, cgroup_procs, false))).await?
        }
    };
    let cgroup_procs = cgroup.as_ref().map(|g| g.procs.as_raw_fd());
    notes.append(&mut started.notes);
    if !started.landlock {
        notes.push("no Landlock: the second wall around files is missing".into());
    }
    if spec.mode == SandboxMode::Strict && (!started.landlock || seccomp::programs().is_err()) {
        kill(&mut started.child, started.isolated);
        return Err(SandboxError::Strict(notes.join("; ")));
    }

    let stdout = started
        .child
        .stdout
        .take()
        .map(|s| tokio::spawn(output::drain_capped(s, spec.output_cap)));
    let stderr = started
        .child
        .stderr
        .take()
        .map(|s| tokio::spawn(output::drain_stderr(s, spec.output_cap, progress)));

    let (mut timed_out, mut cancelled) = (false, false);
    let status = tokio::select! {
        status = started.child.wait() => status.ok(),
        _ = tokio::time::sleep_until(deadline) => { timed_out = true; None }
        _ = cancel.cancelled() => { cancelled = true; None }
    };
    let duration = started_at.elapsed();
    let status = match status {
        Some(status) => Some(status),
        None => {
            kill(&mut started.child, started.isolated);
            tokio::time::timeout(GRACE, started.child.wait())
                .await
                .ok()
                .and_then(Result::ok)
        }
    };
    // Whatever the demo did, its cgroup is emptied, off the runtime's threads; the group
    // goes back to the pool only once empty.
    if let Some(group) = cgroup {
        let spec = spec.clone();
        drop(tokio::task::spawn_blocking(move || {
            spec.cgroups.give_back(group)
        }));
    }
    // With the namespace gone every writer is dead and the pipes close at once; an
    // escaped process (no namespaces) could hold them open, so reading is bounded, and
    // a reader still running is aborted (which also drops the progress sender).
    let collect = |handle: Option<tokio::task::JoinHandle<(Vec<u8>, bool)>>| async move {
        match handle {
            Some(mut h) => match tokio::time::timeout(GRACE, &mut h).await {
                Ok(Ok(kept)) => kept,
                _ => {
                    h.abort();
                    (Vec::new(), false)
                }
            },
            None => (Vec::new(), false),
        }
    };
    let ((out, out_truncated), (err, err_truncated)) =
        tokio::join!(collect(stdout), collect(stderr));
    let scratch_removed = match started.scratch.take() {
        None => true,
        Some(dir) => {
            // Removal can take long (many files): off the runtime, and not waited for
            // past a short grace; the report says whether it finished.
            let removal = tokio::task::spawn_blocking(move || dir.remove());
            matches!(
                tokio::time::timeout(Duration::from_millis(200), removal).await,
                Ok(Ok(true))
            )
        }
    };

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
    if started.isolated {
        rlimits.push(format!(
            "processes {} (RLIMIT_NPROC in its user namespace)",
            spec.limits.processes
        ));
    } else if cgroup_procs.is_some() {
        rlimits.push(format!("processes {} (pids cgroup)", spec.limits.processes));
    }
    let isolated = started.isolated;
    let mut namespaces: Vec<String> = if isolated {
        ["user", "pid", "network", "ipc", "uts", "mount", "cgroup"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        Vec::new()
    };
    if isolated && started.time_ns {
        namespaces.push("time".into());
    } else if isolated {
        notes.push("no time namespace (the kernel lacks it)".into());
    }
    if isolated && !started.proc_mounted {
        notes.push("no /proc: the kernel refused a fresh one (a masked host /proc?)".into());
    }
    if !isolated {
        notes.push(
            "without a PID namespace, a grandchild that calls setsid can outlive the demo unless the pids cgroup catches it".into(),
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
            mode: spec.mode,
            user_namespace: isolated,
            namespaces,
            pid_namespace: isolated,
            network_isolated: isolated,
            minimal_root: isolated,
            scratch_bytes: isolated.then_some(spec.limits.scratch_bytes),
            capabilities_dropped: true,
            seccomp: seccomp::programs().is_ok(),
            process_group: true,
            pids_cgroup: cgroup_procs.is_some(),
            processes_limited: started.isolated || cgroup_procs.is_some(),
            rlimits,
            empty_environment: true,
            scratch_removed,
            filesystem_confined: started.landlock,
            readable_paths: started
                .readable
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            notes,
        },
    })
}
