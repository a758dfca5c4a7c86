//! The pids cgroup a demo runs in (cgroup v1 `pids` hierarchy, where the server may
//! write it, which in practice means root). It caps the processes a demo may have, even
//! for a fork bomb, and it is the second way a demo is killed: every pid still listed in
//! the group gets SIGKILL, whatever namespace or session it moved to.
//!
//! Moving a process into a freshly made v1 cgroup costs 5-20 ms of RCU synchronisation;
//! into one that has held a process before, a fraction of a millisecond. So groups are
//! pooled and reused for the life of the runner, but only once they are empty again.
//! Every function here blocks on cgroupfs: callers use the blocking pool.

use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const ROOT: &str = "/sys/fs/cgroup/pids";

/// One pids cgroup, holding one demo at a time; removed on drop.
pub struct PidsCgroup {
    dir: PathBuf,
    /// `cgroup.procs`, opened for writing: the child joins by writing "0" to it.
    pub procs: OwnedFd,
}

impl PidsCgroup {
    fn create(name: &str, max: u64) -> io::Result<Self> {
        let dir = Path::new(ROOT).join(name);
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

    /// The pids now in the group.
    pub fn members(&self) -> Vec<i32> {
        std::fs::read_to_string(self.dir.join("cgroup.procs"))
            .map(|text| text.lines().filter_map(|l| l.trim().parse().ok()).collect())
            .unwrap_or_default()
    }

    /// SIGKILLs every member, repeatedly, until the group is empty or `patience` runs
    /// out (a fork in flight can add a member after a pass). True when empty.
    pub fn kill_all(&self, patience: Duration) -> bool {
        let until = std::time::Instant::now() + patience;
        loop {
            let members = self.members();
            if members.is_empty() {
                return true;
            }
            for pid in members {
                // SAFETY: kill(2) on a pid read from our own cgroup; at worst the pid
                // has just exited (ESRCH), since pids are not reused while listed.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
            if std::time::Instant::now() >= until {
                return self.members().is_empty();
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for PidsCgroup {
    fn drop(&mut self) {
        // The kernel may need a moment to release exited processes from the group.
        for _ in 0..50 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Reusable pids cgroups, one per concurrently running demo.
#[derive(Default)]
pub struct CgroupPool {
    free: std::sync::Mutex<Vec<PidsCgroup>>,
    created: AtomicU64,
}

impl CgroupPool {
    /// A pooled, empty group, if one is free (no file system work).
    pub fn reuse(&self) -> Option<PidsCgroup> {
        self.free.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    /// A pooled group, or a new one (blocking: creates it on cgroupfs).
    pub fn take(&self, max: u64) -> io::Result<PidsCgroup> {
        if let Some(group) = self.reuse() {
            return Ok(group);
        }
        let n = self.created.fetch_add(1, Ordering::Relaxed);
        PidsCgroup::create(
            &format!("{}{}-slot-{n}", super::scratch::PREFIX, std::process::id()),
            max,
        )
    }

    /// Kills whatever is left in the group and pools it again once it is empty; a group
    /// that will not empty is dropped (removed) instead of being reused.
    pub fn give_back(&self, group: PidsCgroup) {
        if group.kill_all(Duration::from_millis(500)) {
            self.free
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(group);
        }
    }
}
