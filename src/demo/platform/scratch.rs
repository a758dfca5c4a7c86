//! The scratch folder a demo runs in: the only place it may write, removed afterwards.

use crate::demo::contract::fresh_scratch_path;
use std::io;
use std::path::{Path, PathBuf};

/// Removed with its contents on drop, so no path out of a run leaves one behind.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn create() -> io::Result<Self> {
        // Named like the Linux sandbox's folders, so its sweep finds ours too.
        let dir = fresh_scratch_path();
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

    /// Writes `(plain file name, bytes)` pairs into the folder: the script and its helper
    /// modules (see `SandboxSpec::scratch_files`).
    pub fn write(&self, files: &[(&str, &[u8])]) -> io::Result<()> {
        for (name, bytes) in files {
            std::fs::write(self.0.join(name), bytes)?;
        }
        Ok(())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
