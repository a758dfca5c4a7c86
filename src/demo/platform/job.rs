//! Windows: the demo runs in a Job Object that kills every process in it when its last
//! handle closes (a deadline, a cancel, or a server that dies for any reason), and caps
//! the number of processes, the job's memory and each process's CPU time.

use super::scratch::Scratch;
use super::supervise::supervise;
use crate::demo::sandbox::{Isolation, Limits, Outcome, Progress, SandboxError, SandboxSpec};
use std::io;
use std::process::Stdio;
use std::time::Instant;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JOB_OBJECT_LIMIT_ACTIVE_PROCESS, JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION,
    JOB_OBJECT_LIMIT_JOB_MEMORY, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, JOB_OBJECT_LIMIT_PROCESS_TIME,
};

/// No console window for the demo when the server itself has none.
const CREATE_NO_WINDOW: u32 = 0x0800_0000;

/// An owned Job Object handle; closing it kills whatever is still inside.
struct Job(HANDLE);

// SAFETY: a kernel handle is a process-wide value, usable from any thread.
unsafe impl Send for Job {}
unsafe impl Sync for Job {}

impl Job {
    fn create(limits: &Limits) -> io::Result<Self> {
        // SAFETY: no security attributes and no name: an anonymous job we own.
        let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        let job = Job(handle);
        // SAFETY: an all-zero JOBOBJECT_EXTENDED_LIMIT_INFORMATION is a valid "no limits".
        let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        let basic = &mut info.BasicLimitInformation;
        basic.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
            | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
            | JOB_OBJECT_LIMIT_JOB_MEMORY
            | JOB_OBJECT_LIMIT_PROCESS_TIME
            | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
        basic.ActiveProcessLimit = u32::try_from(limits.processes).unwrap_or(u32::MAX);
        // In 100 ns ticks.
        basic.PerProcessUserTimeLimit =
            i64::try_from(limits.cpu_seconds.saturating_mul(10_000_000)).unwrap_or(i64::MAX);
        info.JobMemoryLimit = usize::try_from(limits.address_space_bytes).unwrap_or(usize::MAX);
        // SAFETY: `info` is the struct this information class expects, with its size.
        let ok = unsafe {
            SetInformationJobObject(
                job.0,
                JobObjectExtendedLimitInformation,
                std::ptr::from_ref(&info).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(job)
    }

    fn assign(&self, child: &tokio::process::Child) -> io::Result<()> {
        let process = child
            .raw_handle()
            .ok_or_else(|| io::Error::other("the demo has already exited"))?;
        // SAFETY: both handles are open: the job is ours, the process is our live child.
        if unsafe { AssignProcessToJobObject(self.0, process as HANDLE) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn terminate(&self) {
        // SAFETY: terminating our own job ends only the processes inside it.
        unsafe { TerminateJobObject(self.0, 1) };
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: we own the handle and close it once; KILL_ON_JOB_CLOSE ends the demo.
        unsafe { CloseHandle(self.0) };
    }
}

fn command(spec: &SandboxSpec, scratch: &std::path::Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(&spec.interpreter);
    command
        // No PYTHON* variables, no user site-packages; the script's folder (the scratch
        // folder, holding only the helper modules we wrote) stays importable.
        .arg("-E")
        .arg("-s")
        .arg("-B")
        .arg("-u")
        // Pipes would otherwise get the ANSI code page, and a demo printing "→" would fail.
        .args(["-X", "utf8"])
        .arg(scratch.join(&spec.script_name))
        .args(&spec.args)
        .current_dir(scratch)
        .env_clear()
        .env("TEMP", scratch)
        .env("TMP", scratch)
        .env("USERPROFILE", scratch)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .creation_flags(CREATE_NO_WINDOW)
        .kill_on_drop(true);
    // CPython cannot start (no random source, no sockets) without SYSTEMROOT.
    if let Some(root) = std::env::var_os("SYSTEMROOT") {
        let mut path = std::path::PathBuf::from(&root);
        path.push("System32");
        command.env("SYSTEMROOT", root).env("PATH", path);
    }
    command
}

pub async fn run(
    spec: SandboxSpec,
    progress: Option<watch::Sender<Option<Progress>>>,
    cancel: CancellationToken,
) -> Result<Outcome, SandboxError> {
    let scratch = Scratch::for_demo(&spec).map_err(SandboxError::Scratch)?;
    let job = Job::create(&spec.limits).map_err(SandboxError::Job)?;
    let started = Instant::now();
    let child = command(&spec, scratch.path())
        .spawn()
        .map_err(|source| SandboxError::Spawn {
            interpreter: spec.interpreter.display().to_string(),
            source,
        })?;
    let mut notes = Vec::new();
    let in_job = match job.assign(&child) {
        Ok(()) => true,
        Err(e) => {
            notes.push(format!(
                "not in a Job Object ({e}): no process or memory limit, and only the demo itself is killed at the deadline"
            ));
            false
        }
    };
    let ended = supervise(
        child,
        started,
        spec.timeout,
        spec.output_cap,
        progress,
        cancel,
        |child| {
            if in_job {
                job.terminate();
            }
            let _ = child.start_kill();
        },
    )
    .await;
    drop(job);
    let scratch_dir = scratch.path().to_path_buf();
    drop(scratch);
    notes.extend([
        "Windows engine: a Job Object and the deadline; no network isolation, the demo can open connections".to_string(),
        "no filesystem confinement: the demo can read and write any file the server can".to_string(),
        "the demo joins its Job Object just after it starts: a process it starts in that first instant is outside the job".to_string(),
    ]);
    let mut limits = vec![format!("cpu {} s per process", spec.limits.cpu_seconds)];
    if in_job {
        limits.push(format!("processes {} (Job Object)", spec.limits.processes));
        limits.push(format!(
            "memory {} MiB (Job Object)",
            spec.limits.address_space_bytes >> 20
        ));
    }
    Ok(Outcome {
        exit_code: ended.status.and_then(|s| s.code()),
        signal: None,
        timed_out: ended.timed_out,
        cancelled: ended.cancelled,
        duration: ended.duration,
        stdout: String::from_utf8_lossy(&ended.stdout.0).into_owned(),
        stdout_truncated: ended.stdout.1,
        stderr: String::from_utf8_lossy(&ended.stderr.0).into_owned(),
        stderr_truncated: ended.stderr.1,
        isolation: Isolation {
            pid_namespace: false,
            network_isolated: false,
            process_group: in_job,
            pids_cgroup: false,
            rlimits: if in_job { limits } else { Vec::new() },
            empty_environment: true,
            scratch_removed: !scratch_dir.exists(),
            filesystem_confined: false,
            readable_paths: Vec::new(),
            processes_limited: in_job,
            notes,
            ..Isolation::none(spec.mode)
        },
    })
}
