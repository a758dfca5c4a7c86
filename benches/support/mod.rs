//! What the benchmark harnesses share: the binary under test and readings from /proc.

use std::path::PathBuf;
use std::process::Command;

/// The release binary: `ASYNC_PATTERNS_BIN` if set, else built here first.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("ASYNC_PATTERNS_BIN") {
        return PathBuf::from(path);
    }
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "async-patterns"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo build");
    assert!(status.success(), "release build failed");
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/async-patterns")
}

/// A `/proc/PID/status` field in KiB, e.g. `VmRSS` or `VmHWM`; `None` once it is gone.
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
