//! The scratch folder a demo runs in: the only place it may write, removed afterwards.

use crate::demo::contract::{fresh_scratch_path, SandboxSpec};
use std::io;
use std::path::{Path, PathBuf};

/// Removed with its contents on drop, so no path out of a run leaves one behind.
pub struct Scratch(PathBuf);

impl Scratch {
    /// A fresh folder holding the demo's script and its helper modules
    /// (`SandboxSpec::scratch_files`); removed again if they cannot be written.
    pub fn for_demo(spec: &SandboxSpec) -> io::Result<Self> {
        let scratch = Self::create()?;
        for (name, bytes) in spec.scratch_files()? {
            std::fs::write(scratch.0.join(name), bytes)?;
        }
        Ok(scratch)
    }

    fn create() -> io::Result<Self> {
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
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
