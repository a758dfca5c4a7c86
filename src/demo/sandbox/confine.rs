//! Everything that runs between fork and exec: the only place with post-fork code, so
//! every `unsafe` block a reviewer must check for fork safety is in this file.
//!
//! The server is multithreaded, so after `fork` only async-signal-safe work is sound in
//! the child: another thread may have held the allocator's lock at the moment of the fork
//! and never release it in the copy. Everything here is therefore raw system calls on
//! memory prepared before the fork (C strings, compiled seccomp programs, open
//! descriptors); nothing allocates, nothing takes a lock. Restricting the child with
//! Landlock or seccomp after the fork is sound for the same reason: the child has exactly
//! one thread (fork copies only the caller), so a restriction that applies to the calling
//! thread applies to the whole process, and it is inherited by everything it starts.
//!
//! With isolation, three processes stand between the server and the demo:
//! - the *reaper* (the forked child): in the host's namespaces, it creates the *init*
//!   with `clone` into new user, PID, network, IPC, UTS, mount and cgroup namespaces,
//!   writes the init's uid and gid maps (only a process outside a user namespace may map
//!   an unprivileged host id into it), then waits and passes the demo's exit status on;
//! - the *init* (PID 1 of the new namespace): builds the minimal root, drops every
//!   privilege, applies Landlock and seccomp, forks the demo and waits. When it dies,
//!   for any reason, the kernel kills every process of the namespace;
//! - the *demo*, which only execs the interpreter.
//!
//! Each holds a parent-death signal from its parent that the demo cannot clear, so
//! killing the reaper (which the server can always do: it is the server's own child)
//! takes down the whole namespace, whatever the demo did to its own session, process
//! group or parent-death signal.

use super::root::RootPlan;
use seccompiler::BpfProgram;
use std::ffi::CStr;
use std::io;
use std::os::fd::RawFd;

/// The demo's uid and gid inside its user namespace (an ordinary user's).
pub const DEMO_ID: u32 = 1000;
/// The host id a root server maps the demo to.
pub const NOBODY: u32 = 65534;

/// What went wrong in the child, as written to the report pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Step {
    Clone = 1,
    IdMap,
    PrivateMounts,
    OpenSources,
    Identity,
    RootTmpfs,
    Folders,
    ScratchTmpfs,
    Script,
    Binds,
    PivotRoot,
    ReadOnlyRoot,
    Privileges,
    Landlock,
    Seccomp,
    Fork,
}

impl Step {
    pub fn from_byte(b: u8) -> Option<Self> {
        use Step::*;
        [
            Clone,
            IdMap,
            PrivateMounts,
            OpenSources,
            Identity,
            RootTmpfs,
            Folders,
            ScratchTmpfs,
            Script,
            Binds,
            PivotRoot,
            ReadOnlyRoot,
            Privileges,
            Landlock,
            Seccomp,
            Fork,
        ]
        .into_iter()
        .find(|s| *s as u8 == b)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Step::Clone => "creating the namespaces (no user namespaces for this user?)",
            Step::IdMap => "mapping the demo's uid and gid",
            Step::PrivateMounts => "making the mount namespace private",
            Step::OpenSources => "opening the folders to bind",
            Step::Identity => "switching to the demo's uid and gid",
            Step::RootTmpfs => "mounting the root tmpfs",
            Step::Folders => "creating the root's folders",
            Step::ScratchTmpfs => "mounting the scratch tmpfs",
            Step::Script => "writing the script and its helper modules",
            Step::Binds => "bind-mounting the system folders",
            Step::PivotRoot => "switching to the new root",
            Step::ReadOnlyRoot => "making the root read-only",
            Step::Privileges => "dropping capabilities",
            Step::Landlock => "applying Landlock",
            Step::Seccomp => "applying the seccomp filter",
            Step::Fork => "starting the demo",
        }
    }
}

/// Report pipe messages: the init's layers, or the step that failed and its errno.
pub const REPORT_READY: u8 = b'D';
pub const REPORT_FAILED: u8 = b'F';
/// Bits of the ready message.
pub const HAS_TIME_NS: u8 = 1;
pub const HAS_PROC: u8 = 2;

/// What the isolated path needs, prepared before the fork.
pub struct Isolate {
    pub root: RootPlan,
    /// `"1000 <host uid> 1\n"` and the same for gids.
    pub uid_map: Vec<u8>,
    pub gid_map: Vec<u8>,
    /// A root server clears its supplementary groups, so the demo inherits none.
    pub drop_groups: bool,
    /// A second handle on the Landlock ruleset (and the access rights it handles), to
    /// add the scratch tmpfs, which exists only once the init has mounted it.
    pub landlock_scratch: Option<(RawFd, u64)>,
    /// Descriptors of the bind sources, filled in by the init (sized before the fork).
    pub source_fds: Vec<RawFd>,
    /// Where this process's command line lives (see [`argv_area`]).
    pub argv_area: Option<(usize, usize)>,
    /// Processes (and threads) the demo may have: RLIMIT_NPROC, which the kernel counts
    /// per user namespace and uid, so inside the demo's own namespace it counts exactly
    /// the demo's tasks, for any server, privileged or not, and costs nothing (a pids
    /// cgroup costs a cgroup migration, an RCU grace period of 10-20 ms on cgroup v1).
    pub processes: u64,
}

/// The start and end address of this process's command line, from `/proc/self/stat`
/// (fields 48 and 49). The init is a copy of the server and `/proc/1/cmdline` is open to
/// the demo, so the init blanks that area: a `--token` given on the command line must
/// not be readable there. Called before the fork.
pub fn argv_area() -> Option<(usize, usize)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // `rest` starts at field 3.
    let start: usize = fields.get(48 - 3)?.parse().ok()?;
    let end: usize = fields.get(49 - 3)?.parse().ok()?;
    (start > 0 && end > start && end - start < (1 << 24)).then_some((start, end))
}

/// Everything the child applies; built by the server before the fork.
pub struct Confinement {
    pub rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    pub cgroup_procs: Option<RawFd>,
    pub landlock: Option<::landlock::RulesetCreated>,
    pub seccomp: Option<&'static [BpfProgram]>,
    /// Write end of the report pipe (close-on-exec).
    pub report: RawFd,
    pub isolate: Option<Isolate>,
}

fn errno() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

fn check(rc: libc::c_long) -> Result<libc::c_long, i32> {
    if rc < 0 {
        Err(errno())
    } else {
        Ok(rc)
    }
}

/// Writes all of `bytes` to `fd`; async-signal-safe.
fn write_all(fd: RawFd, mut bytes: &[u8]) -> Result<(), i32> {
    while !bytes.is_empty() {
        // SAFETY: `bytes` is a live slice; write(2) reads at most its length.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return Err(e);
        }
        bytes = &bytes[n as usize..];
    }
    Ok(())
}

fn report_failure(fd: RawFd, step: Step, errno: i32) -> io::Error {
    let e = errno.to_ne_bytes();
    let _ = write_all(fd, &[REPORT_FAILED, step as u8, e[0], e[1], e[2], e[3]]);
    io::Error::from_raw_os_error(errno)
}

/// Formats `/proc/<pid>/<leaf>` into `buf` without allocating.
fn proc_path<'a>(buf: &'a mut [u8; 64], pid: libc::pid_t, leaf: &[u8]) -> &'a CStr {
    let mut digits = [0u8; 12];
    let mut n = pid.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut at = 0;
    for &b in b"/proc/"
        .iter()
        .chain(digits[..len].iter().rev())
        .chain(b"/")
        .chain(leaf)
    {
        buf[at] = b;
        at += 1;
    }
    buf[at] = 0;
    // The buffer ends with the NUL just written and holds no other (digits and ASCII).
    CStr::from_bytes_with_nul(&buf[..=at]).unwrap_or(c"/proc/self/none")
}

fn write_file(path: &CStr, bytes: &[u8]) -> Result<(), i32> {
    // SAFETY: `path` is NUL-terminated; the descriptor is closed before returning.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(errno());
        }
        let written = write_all(fd, bytes);
        libc::close(fd);
        written
    }
}

/// Closes every descriptor but those in `keep` (sorted ascending).
fn close_all_except(keep: &[RawFd]) {
    let mut from: u32 = 0;
    for &fd in keep {
        if fd as u32 > from {
            close_range(from, fd as u32 - 1);
        }
        from = fd as u32 + 1;
    }
    close_range(from, u32::MAX);
}

fn close_range(first: u32, last: u32) {
    // SAFETY: close_range(2) takes plain integers; closing descriptors this process will
    // never use again is the point.
    if unsafe { libc::syscall(libc::SYS_close_range, first, last, 0u32) } != 0 {
        // Kernels before 5.9: close one by one, up to the usual limit.
        for fd in first..last.min(4096) {
            // SAFETY: as above, one descriptor at a time.
            unsafe {
                libc::close(fd as i32);
            }
        }
    }
}

fn set_death_signal() -> Result<(), i32> {
    // SAFETY: prctl with integer arguments only.
    check(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) }.into())
        .map(drop)
}

/// Removes every capability: ambient, bounding set, then effective, permitted and
/// inheritable. Needs no privilege to lower, so it also works for a root server
/// without namespaces.
fn drop_capabilities() -> Result<(), i32> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    // SAFETY: prctl and capset with integers and two stack structs of the layout
    // capset(2) defines for _LINUX_CAPABILITY_VERSION_3.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        );
        for cap in 0..64 {
            // EINVAL past the kernel's last capability; EPERM without CAP_SETPCAP
            // (then the bounding set cannot matter: nothing can raise capabilities
            // under no_new_privs).
            libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0);
        }
        let header = Header {
            version: 0x2008_0522,
            pid: 0,
        };
        let data = [Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        }; 2];
        check(libc::syscall(libc::SYS_capset, &header, data.as_ptr()))?;
        check(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0).into())?;
    }
    Ok(())
}

fn apply_seccomp(programs: Option<&'static [BpfProgram]>) -> Result<(), i32> {
    for program in programs.unwrap_or_default() {
        // Sets no_new_privs, then one seccomp(2) call on the compiled program; no
        // allocation (the error value carries an errno only).
        seccompiler::apply_filter(program).map_err(|_| libc::EACCES)?;
    }
    Ok(())
}

fn apply_landlock(ruleset: Option<::landlock::RulesetCreated>) -> Result<(), i32> {
    if let Some(ruleset) = ruleset {
        // Sets no_new_privs, then landlock_restrict_self(2). Fails closed: a ruleset
        // that was built but cannot be enforced stops the run.
        ruleset.restrict_self().map_err(|_| libc::EACCES)?;
    }
    Ok(())
}

fn set_limits(limits: &[(libc::__rlimit_resource_t, u64)]) -> Result<(), i32> {
    for &(resource, value) in limits {
        let limit = libc::rlimit {
            rlim_cur: value as libc::rlim_t,
            rlim_max: value as libc::rlim_t,
        };
        // SAFETY: setrlimit only reads the struct.
        check(unsafe { libc::setrlimit(resource, &limit) }.into())?;
    }
    Ok(())
}

impl Confinement {
    /// Runs in the forked child (the `pre_exec` hook). Returns in the process that is to
    /// exec the interpreter; with isolation the forked child itself never returns.
    pub fn enter(&mut self) -> io::Result<()> {
        let fail = |step, e| report_failure(self.report, step, e);
        // SAFETY: setsid takes no arguments.
        if unsafe { libc::setsid() } < 0 {
            return Err(io::Error::last_os_error());
        }
        set_death_signal().map_err(io::Error::from_raw_os_error)?;
        if let Some(fd) = self.cgroup_procs {
            write_all(fd, b"0").map_err(io::Error::from_raw_os_error)?;
        }
        set_limits(&self.rlimits).map_err(io::Error::from_raw_os_error)?;
        let Some(isolate) = self.isolate.as_mut() else {
            drop_capabilities().map_err(|e| fail(Step::Privileges, e))?;
            apply_landlock(self.landlock.take()).map_err(|e| fail(Step::Landlock, e))?;
            apply_seccomp(self.seccomp).map_err(|e| fail(Step::Seccomp, e))?;
            let _ = write_all(self.report, &[REPORT_READY, 0]);
            return Ok(());
        };
        if isolate.drop_groups {
            // SAFETY: an empty group list; no pointer is read.
            unsafe {
                libc::setgroups(0, std::ptr::null());
            }
        }
        let mut go = [0; 2];
        let mut status = [0; 2];
        // SAFETY: pipe2 fills the two-element arrays.
        if unsafe { libc::pipe2(go.as_mut_ptr(), libc::O_CLOEXEC) } != 0
            || unsafe { libc::pipe2(status.as_mut_ptr(), libc::O_CLOEXEC) } != 0
        {
            return Err(io::Error::last_os_error());
        }
        let flags = libc::CLONE_NEWUSER
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWNET
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWCGROUP;
        // SAFETY: clone(2) without CLONE_VM and without a new stack is fork(2) with
        // namespace flags: the child runs on its own copy of this single-threaded
        // process, starting from this call.
        let pid = unsafe {
            libc::syscall(
                libc::SYS_clone,
                (flags | libc::SIGCHLD) as libc::c_ulong,
                0usize,
                0usize,
                0usize,
                0usize,
            )
        } as libc::pid_t;
        if pid < 0 {
            return Err(fail(Step::Clone, errno()));
        }
        if pid == 0 {
            // SAFETY: closing this process's copies of the parent's pipe ends.
            unsafe {
                libc::close(go[1]);
                libc::close(status[0]);
            }
            return init(
                isolate,
                self.landlock.take(),
                self.seccomp,
                self.report,
                go[0],
                status[1],
            );
        }
        // SAFETY: closing the init's pipe ends in this process.
        unsafe {
            libc::close(go[0]);
            libc::close(status[1]);
        }
        let mut buf = [0u8; 64];
        let mapped = write_file(proc_path(&mut buf, pid, b"setgroups"), b"deny")
            .and_then(|()| write_file(proc_path(&mut buf, pid, b"uid_map"), &isolate.uid_map))
            .and_then(|()| write_file(proc_path(&mut buf, pid, b"gid_map"), &isolate.gid_map))
            .and_then(|()| write_all(go[1], b"g"));
        if let Err(e) = mapped {
            // SAFETY: the init is this process's child and not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            return Err(fail(Step::IdMap, e));
        }
        reap(pid, go[1], status[0])
    }
}

/// The reaper's life after the init runs: keeps only the descriptors it needs (std's
/// spawn waits for its status pipe to close, and the output pipes must close when the
/// demo is gone), waits for the init and exits as the demo did.
fn reap(init: libc::pid_t, alive: RawFd, status: RawFd) -> ! {
    let mut keep = [alive, status];
    keep.sort_unstable();
    close_all_except(&keep);
    let mut raw = 0;
    // SAFETY: waitpid on our own child into a stack integer; read into a stack array;
    // signal/kill/_exit on this process. None returns into Rust code that could unwind.
    unsafe {
        loop {
            let r = libc::waitpid(init, &mut raw, 0);
            if r == init || (r < 0 && errno() != libc::EINTR) {
                break;
            }
        }
        let mut bytes = [0u8; 4];
        if libc::read(status, bytes.as_mut_ptr().cast(), 4) == 4 {
            raw = i32::from_ne_bytes(bytes);
        }
        if libc::WIFSIGNALED(raw) {
            let sig = libc::WTERMSIG(raw);
            libc::signal(sig, libc::SIG_DFL);
            libc::kill(libc::getpid(), sig);
        }
        libc::_exit(if libc::WIFEXITED(raw) {
            libc::WEXITSTATUS(raw)
        } else {
            125
        });
    }
}

/// PID 1 of the demo's namespaces. Returns only in the demo process, ready to exec.
fn init(
    isolate: &mut Isolate,
    landlock: Option<::landlock::RulesetCreated>,
    seccomp: Option<&'static [BpfProgram]>,
    report: RawFd,
    go: RawFd,
    status: RawFd,
) -> io::Result<()> {
    let fail = |step, e| report_failure(report, step, e);
    set_death_signal().map_err(|e| fail(Step::Clone, e))?;
    let mut byte = [0u8; 1];
    // SAFETY: reads one byte into a stack array. EOF means the reaper died or refused
    // to map our ids: then there is nothing to do but leave.
    if unsafe { libc::read(go, byte.as_mut_ptr().cast(), 1) } != 1 {
        // SAFETY: _exit ends this process without running anything else.
        unsafe { libc::_exit(1) };
    }
    let layers = build_root(isolate, report)?;
    // After the uid change: the count is of the demo's uid in this namespace.
    set_limits(&[(libc::RLIMIT_NPROC, isolate.processes)]).map_err(|e| fail(Step::Identity, e))?;
    let mut flags = layers;
    // SAFETY: unshare with a flag; the time namespace applies to the demo from its
    // exec on. Older kernels lack it (EINVAL): the report says so.
    if unsafe { libc::unshare(libc::CLONE_NEWTIME) } == 0 {
        flags |= HAS_TIME_NS;
    }
    if let Some((start, end)) = isolate.argv_area {
        // SAFETY: [start, end) is this process's own command line as the kernel reports
        // it: part of the initial stack, mapped and writable for the life of the process
        // (here a private copy of the server's). Nothing in this process reads the
        // arguments again: the init only waits and exits.
        unsafe { std::ptr::write_bytes(start as *mut u8, 0, end - start) };
    }
    // SAFETY: prctl with a NUL-terminated name of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"sandbox-init".as_ptr(), 0, 0, 0) };
    drop_capabilities().map_err(|e| fail(Step::Privileges, e))?;
    // This process is a copy of the server, environment and memory included, and the
    // demo shares its uid: non-dumpable, its /proc entries (environ, mem, maps) are
    // closed to the demo. The demo's own exec makes the demo dumpable again.
    // SAFETY: prctl with integer arguments only.
    check(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) }.into())
        .map_err(|e| fail(Step::Privileges, e))?;
    if let (Some((fd, access)), Some(_)) = (isolate.landlock_scratch, &landlock) {
        allow_beneath(fd, c"/tmp", access).map_err(|e| fail(Step::Landlock, e))?;
        if layers & HAS_PROC != 0 {
            // The fresh /proc shows only this namespace: the demo may read it.
            allow_beneath(fd, c"/proc", access & LANDLOCK_READ)
                .map_err(|e| fail(Step::Landlock, e))?;
        }
    }
    apply_landlock(landlock).map_err(|e| fail(Step::Landlock, e))?;
    apply_seccomp(seccomp).map_err(|e| fail(Step::Seccomp, e))?;
    // Changing uid cleared the parent-death signal: arm it again, then make sure the
    // reaper did not die before it was armed (it holds the other end of `go`).
    set_death_signal().map_err(|e| fail(Step::Identity, e))?;
    let mut poll = libc::pollfd {
        fd: go,
        events: 0,
        revents: 0,
    };
    // SAFETY: poll on one stack pollfd, without waiting.
    if unsafe { libc::poll(&mut poll, 1, 0) } != 0 {
        // SAFETY: _exit ends this process.
        unsafe { libc::_exit(1) };
    }
    let _ = write_all(report, &[REPORT_READY, flags]);
    // SAFETY: as the reaper's clone: a fork of this single-threaded process; the flags
    // carry no namespace (seccomp would refuse them now).
    let demo = unsafe {
        libc::syscall(
            libc::SYS_clone,
            libc::SIGCHLD as libc::c_ulong,
            0usize,
            0usize,
            0usize,
            0usize,
        )
    } as libc::pid_t;
    if demo < 0 {
        return Err(fail(Step::Fork, errno()));
    }
    if demo == 0 {
        // SAFETY: the demo does not need the status pipe or the liveness pipe.
        unsafe {
            libc::close(status);
            libc::close(go);
        }
        return Ok(());
    }
    close_all_except(&[status.min(go), status.max(go)]);
    // SAFETY: waits for children (as init, also the demo's orphans) into a stack
    // integer; write and _exit as above. _exit of PID 1 makes the kernel kill every
    // process left in the namespace.
    unsafe {
        let mut raw = 0;
        loop {
            let r = libc::waitpid(-1, &mut raw, 0);
            if r == demo {
                let _ = write_all(status, &raw.to_ne_bytes());
                libc::_exit(0);
            }
            if r < 0 && errno() != libc::EINTR {
                libc::_exit(125);
            }
        }
    }
}

/// Builds the minimal root (see `root.rs`) and makes it this process's `/`. Returns
/// the report bits of optional layers that held.
fn build_root(isolate: &mut Isolate, report: RawFd) -> io::Result<u8> {
    let fail = |step, e| report_failure(report, step, e);
    let root = &isolate.root;
    // SAFETY (each block below): mount(2), open(2), mkdir(2), symlink(2), chdir(2) and
    // the new mount API take NUL-terminated strings prepared before the fork, stack
    // structs, and descriptors this process owns; results are checked.
    unsafe {
        check(
            libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            )
            .into(),
        )
        .map_err(|e| fail(Step::PrivateMounts, e))?;
        // Opened with the server's own identity, before switching to the demo's: a
        // root server's interpreter may live where nobody else may look (/root).
        for (slot, bind) in isolate.source_fds.iter_mut().zip(&root.binds) {
            *slot = check(libc::open(bind.source.as_ptr(), libc::O_PATH | libc::O_CLOEXEC).into())
                .map_err(|e| fail(Step::OpenSources, e))? as RawFd;
        }
        // Keep capabilities across the uid change (they go later, all at once); files
        // made from here on belong to the demo's mapped ids.
        check(
            libc::prctl(
                libc::PR_SET_SECUREBITS,
                1 << 2, /* NO_SETUID_FIXUP */
                0,
                0,
                0,
            )
            .into(),
        )
        .map_err(|e| fail(Step::Identity, e))?;
        let id = DEMO_ID as libc::c_ulong;
        check(libc::syscall(libc::SYS_setresgid, id, id, id))
            .and_then(|_| check(libc::syscall(libc::SYS_setresuid, id, id, id)))
            .map_err(|e| fail(Step::Identity, e))?;
        check(
            libc::mount(
                c"tmpfs".as_ptr(),
                root.base.as_ptr(),
                c"tmpfs".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV,
                c"mode=0755,size=1048576,nr_inodes=4096".as_ptr().cast(),
            )
            .into(),
        )
        .map_err(|e| fail(Step::RootTmpfs, e))?;
        for dir in &root.dirs {
            check(libc::mkdir(dir.as_ptr(), 0o755).into()).map_err(|e| fail(Step::Folders, e))?;
        }
        for file in &root.files {
            let fd = check(
                libc::open(
                    file.as_ptr(),
                    libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o644,
                )
                .into(),
            )
            .map_err(|e| fail(Step::Folders, e))?;
            libc::close(fd as RawFd);
        }
        for (text, link) in &root.symlinks {
            check(libc::symlink(text.as_ptr(), link.as_ptr()).into())
                .map_err(|e| fail(Step::Folders, e))?;
        }
        check(
            libc::mount(
                c"tmpfs".as_ptr(),
                root.scratch_dir.as_ptr(),
                c"tmpfs".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV,
                root.scratch_options.as_ptr().cast(),
            )
            .into(),
        )
        .map_err(|e| fail(Step::ScratchTmpfs, e))?;
        // The script and its helper modules, paths and bytes prepared before the fork:
        // each is a new file (O_EXCL) in the fresh tmpfs, written in full or reported.
        for (path, bytes) in &root.writes {
            let fd = check(
                libc::open(
                    path.as_ptr(),
                    libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o644,
                )
                .into(),
            )
            .map_err(|e| fail(Step::Script, e))? as RawFd;
            let written = write_all(fd, bytes);
            libc::close(fd);
            written.map_err(|e| fail(Step::Script, e))?;
        }
        for (bind, &source) in root.binds.iter().zip(&isolate.source_fds) {
            bind_mount(source, &bind.target, bind.device).map_err(|e| fail(Step::Binds, e))?;
            libc::close(source);
        }
        let mut layers = 0;
        // A fresh /proc shows only this namespace's processes. Some container runtimes
        // mask parts of their /proc, and then the kernel refuses a new one (EPERM): the
        // demo runs without /proc and the report says so.
        if libc::mount(
            c"proc".as_ptr(),
            root.proc_dir.as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        ) == 0
        {
            layers |= HAS_PROC;
        }
        check(libc::chdir(root.base.as_ptr()).into()).map_err(|e| fail(Step::PivotRoot, e))?;
        check(libc::syscall(
            libc::SYS_pivot_root,
            c".".as_ptr(),
            c".".as_ptr(),
        ))
        .map_err(|e| fail(Step::PivotRoot, e))?;
        check(libc::umount2(c".".as_ptr(), libc::MNT_DETACH).into())
            .map_err(|e| fail(Step::PivotRoot, e))?;
        check(libc::chdir(c"/".as_ptr()).into()).map_err(|e| fail(Step::PivotRoot, e))?;
        check(
            libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REMOUNT
                    | libc::MS_BIND
                    | libc::MS_RDONLY
                    | libc::MS_NOSUID
                    | libc::MS_NODEV,
                std::ptr::null(),
            )
            .into(),
        )
        .map_err(|e| fail(Step::ReadOnlyRoot, e))?;
        check(libc::chdir(c"/tmp".as_ptr()).into()).map_err(|e| fail(Step::ReadOnlyRoot, e))?;
        Ok(layers)
    }
}

/// Mounts a copy of the tree at `source` on `target`, read-only (devices stay writable),
/// never honouring set-uid bits, with the new mount API: its attributes only add flags,
/// so flags the host locked on the original mount are kept as they are.
fn bind_mount(source: RawFd, target: &CStr, device: bool) -> Result<(), i32> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    const OPEN_TREE_CLONE: u32 = 1;
    const AT_RECURSIVE: u32 = 0x8000;
    const MOVE_MOUNT_F_EMPTY_PATH: u32 = 4;
    const MOUNT_ATTR_RDONLY: u64 = 1;
    const MOUNT_ATTR_NOSUID: u64 = 2;
    const MOUNT_ATTR_NODEV: u64 = 4;
    let attr = MountAttr {
        attr_set: if device {
            MOUNT_ATTR_NOSUID
        } else {
            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
        },
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: open_tree, mount_setattr and move_mount on descriptors this process owns,
    // an empty C string, a stack struct of the kernel's `mount_attr` layout and its size.
    unsafe {
        let tree = check(libc::syscall(
            libc::SYS_open_tree,
            source,
            c"".as_ptr(),
            OPEN_TREE_CLONE | libc::O_CLOEXEC as u32 | AT_RECURSIVE | libc::AT_EMPTY_PATH as u32,
        ))? as RawFd;
        let done = check(libc::syscall(
            libc::SYS_mount_setattr,
            tree,
            c"".as_ptr(),
            libc::AT_EMPTY_PATH as u32 | AT_RECURSIVE,
            &attr,
            std::mem::size_of::<MountAttr>(),
        ))
        .and_then(|_| {
            check(libc::syscall(
                libc::SYS_move_mount,
                tree,
                c"".as_ptr(),
                libc::AT_FDCWD,
                target.as_ptr(),
                MOVE_MOUNT_F_EMPTY_PATH,
            ))
        });
        libc::close(tree);
        done.map(drop)
    }
}

/// Landlock's read-file and read-dir rights.
const LANDLOCK_READ: u64 = (1 << 2) | (1 << 3);

/// Grants `access` beneath `path` (of the new root) through the second handle on the
/// Landlock ruleset: the scratch tmpfs and the fresh /proc exist only in the child.
fn allow_beneath(ruleset: RawFd, path: &CStr, access: u64) -> Result<(), i32> {
    #[repr(C, packed)]
    struct PathBeneath {
        allowed_access: u64,
        parent_fd: i32,
    }
    const LANDLOCK_RULE_PATH_BENEATH: u32 = 1;
    // SAFETY: open, landlock_add_rule and close with a C string literal, a stack struct
    // of the kernel's packed `landlock_path_beneath_attr` layout and owned descriptors.
    unsafe {
        let dir = check(libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC).into())? as RawFd;
        let rule = PathBeneath {
            allowed_access: access,
            parent_fd: dir,
        };
        let done = check(libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset,
            LANDLOCK_RULE_PATH_BENEATH,
            &rule,
            0u32,
        ));
        libc::close(dir);
        done.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_paths_are_formatted_without_allocating() {
        let mut buf = [0u8; 64];
        assert_eq!(
            proc_path(&mut buf, 4_194_304, b"uid_map"),
            c"/proc/4194304/uid_map"
        );
        assert_eq!(proc_path(&mut buf, 7, b"setgroups"), c"/proc/7/setgroups");
    }

    #[test]
    fn every_step_round_trips_through_its_byte() {
        for b in 0..=u8::MAX {
            if let Some(step) = Step::from_byte(b) {
                assert_eq!(step as u8, b);
                assert!(!step.describe().is_empty());
            }
        }
        assert_eq!(Step::from_byte(Step::Seccomp as u8), Some(Step::Seccomp));
    }
}
