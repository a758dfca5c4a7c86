//! The scratch folder a demo runs in: the only place it may write, removed afterwards.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Shared with the Linux sandbox's folders, so its sweep of stale folders finds ours too.
const SCRATCH_PREFIX: &str = "async-patterns-demo-";

/// Removed with its contents on drop, so no path out of a run leaves one behind.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn create() -> io::Result<Self> {
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
        // macOS hands out /var/... which is a symlink to /private/var/...: the Seatbelt
        // profile matches real paths, so the folder is named by its canonical form.
        if cfg!(target_os = "macos") {
            return Ok(Self(std::fs::canonicalize(&dir).unwrap_or(dir)));
        }
        Ok(Self(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
