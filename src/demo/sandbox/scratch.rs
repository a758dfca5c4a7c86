//! The host scratch folder, used only when the demo cannot have its own mount namespace
//! (then its HOME, TMPDIR and working folder live on the host's temp folder), and the
//! sweep of what killed servers left behind. Every function here blocks on the file
//! system: callers run them on the blocking pool, never on a runtime thread.

use crate::demo::contract::fresh_scratch_path;
pub use crate::demo::contract::SCRATCH_PREFIX as PREFIX;
use std::io;
use std::path::{Path, PathBuf};

/// A host scratch folder; see [`Scratch::remove`].
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Makes a fresh folder (mode 0700) named after this process, holding `files` (the
    /// script and its helper modules, as plain names).
    pub fn create(files: &[(&str, &[u8])]) -> io::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        let dir = fresh_scratch_path();
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        let scratch = Self(dir);
        for (name, bytes) in files {
            std::fs::write(scratch.0.join(name), bytes)?;
        }
        Ok(scratch)
    }

    /// Removes the folder and everything in it; true when it is gone.
    pub fn remove(self) -> bool {
        let _ = std::fs::remove_dir_all(&self.0);
        !self.0.exists()
    }
}

/// Whether the process that owns a name made by this module (pid after the prefix) is
/// gone.
fn owner_is_gone(name: &str) -> bool {
    let Some(owner) = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<i32>().ok())
    else {
        return false;
    };
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let alive = unsafe { libc::kill(owner, 0) } == 0
        || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    !alive
}

/// Removes scratch folders and cgroups of servers that died without cleaning up (SIGKILL
/// gives no chance to). Runs once per process, on the first demo, never at start-up.
pub fn sweep_stale(cgroup_root: &Path) {
    static SWEEP: std::sync::Once = std::sync::Once::new();
    SWEEP.call_once(|| {
        for dir in [std::env::temp_dir(), cgroup_root.to_path_buf()] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !owner_is_gone(&name) {
                    continue;
                }
                // A cgroup is removed with rmdir; a scratch folder with its contents.
                if dir == cgroup_root {
                    let _ = std::fs::remove_dir(entry.path());
                } else {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_holds_the_script_and_is_removed() {
        let scratch = Scratch::create(&[("x.py", b"import _h"), ("_h.py", b"print(1)")]).unwrap();
        let dir = scratch.0.clone();
        assert_eq!(std::fs::read(dir.join("x.py")).unwrap(), b"import _h");
        assert_eq!(std::fs::read(dir.join("_h.py")).unwrap(), b"print(1)");
        assert!(scratch.remove());
        assert!(!dir.exists());
    }

    #[test]
    fn only_names_of_dead_owners_are_stale() {
        let me = format!("{PREFIX}{}-0-0", std::process::id());
        assert!(!owner_is_gone(&me));
        assert!(!owner_is_gone("unrelated-folder"));
        // Pid numbers wrap far below this.
        assert!(owner_is_gone(&format!("{PREFIX}2147483646-0-0")));
    }
}
