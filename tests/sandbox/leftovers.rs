//! What a sandbox test checks after every attack: nothing of the demo is left on the
//! host, neither processes nor scratch folders nor cgroups nor mounts.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

pub use crate::common::processes_mentioning as processes;

/// Host paths named after the server with this pid: scratch folders and pids cgroups.
pub fn named_after(server: u32) -> Vec<String> {
    let prefix = format!("async-patterns-demo-{server}-");
    [
        std::env::temp_dir(),
        Path::new("/sys/fs/cgroup/pids").to_path_buf(),
    ]
    .iter()
    .filter_map(|dir| std::fs::read_dir(dir).ok())
    .flatten()
    .flatten()
    .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
    .map(|e| e.path().display().to_string())
    .collect()
}

/// Mounts of the host that a demo could have made (its tmpfs, its /proc, its binds).
pub fn demo_mounts() -> Vec<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("async-patterns-demo") || l.contains("size=65536k,nr_inodes=32768"))
        .map(String::from)
        .collect()
}

/// Waits (up to 5 s, as the kernel reaps asynchronously) until no process mentions any
/// of `needles`, and checks the server left no scratch folder and no mount. Cgroups are
/// pooled while the server runs: `server_gone` says whether they must be gone too.
pub fn assert_none(server: u32, needles: &[&str], server_gone: bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left: Vec<String> = needles.iter().flat_map(|n| processes(n)).collect();
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "processes left behind: {left:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let named: Vec<String> = named_after(server)
        .into_iter()
        .filter(|p| server_gone || !p.starts_with("/sys/"))
        .collect();
    assert!(named.is_empty(), "left behind: {named:?}");
    assert!(demo_mounts().is_empty(), "mounts left: {:?}", demo_mounts());
}
