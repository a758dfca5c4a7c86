//! The demo's file system: a plan, made in the server before the fork, for the minimal
//! root the child builds in its own mount namespace.
//!
//! The root is an empty tmpfs holding read-only bind mounts of what the interpreter
//! needs (the system library folders and the interpreter's own prefixes), the three
//! harmless devices, a fresh `/proc` of the demo's PID namespace, and a size-capped tmpfs
//! at `/tmp` that is the demo's HOME, TMPDIR and working folder. Nothing else of the
//! host exists there, so no host socket, secret or file size can even be named. Both
//! tmpfs die with the namespace, which is the whole cleanup.
//!
//! Every path is turned into a C string here, because the child must not allocate.

use std::collections::BTreeSet;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Where the demo's scratch tmpfs appears inside its root.
pub const SCRATCH_IN_ROOT: &str = "/tmp";

/// System paths bound read-only when present (symlinks among them, such as a merged
/// `/bin -> usr/bin`, are recreated as symlinks).
const SYSTEM: &[&str] = &[
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/libx32",
    "/bin",
    "/sbin",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/alternatives",
];

/// Devices bound (writable, as they are harmless sinks and sources).
const DEVICES: &[&str] = &["/dev/null", "/dev/zero", "/dev/urandom"];

/// Host folders the root's own tmpfs may be mounted on (inside the child's private
/// mount namespace, so the host never sees it); the first that exists is used.
const BASES: &[&str] = &["/tmp", "/mnt", "/var/tmp", "/opt"];

/// One bind mount: a host path and where it appears under the new root.
pub struct Bind {
    pub source: CString,
    pub target: CString,
    /// A device node: keep its mount's `nodev`-free flags and leave it writable.
    pub device: bool,
}

/// Everything the child needs to build the root, as ready C strings.
pub struct RootPlan {
    /// The host folder the root tmpfs is mounted on (in the child's namespace only).
    pub base: CString,
    /// Folders to create under `base`, parents first.
    pub dirs: Vec<CString>,
    /// Empty files to create under `base` (targets of file binds).
    pub files: Vec<CString>,
    /// `(link text, path under base)`.
    pub symlinks: Vec<(CString, CString)>,
    pub binds: Vec<Bind>,
    pub proc_dir: CString,
    pub scratch_dir: CString,
    /// Mount options of the scratch tmpfs (size and inode caps).
    pub scratch_options: CString,
    /// `(path under base, bytes)` of each file written into the scratch tmpfs: the script,
    /// then the skill's helper modules it imports.
    pub writes: Vec<(CString, Vec<u8>)>,
    /// The host paths bound read-only (for the isolation report).
    pub readable: Vec<PathBuf>,
}

fn cstring(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path holds a NUL byte"))
}

fn under(base: &Path, path: &Path) -> PathBuf {
    base.join(path.strip_prefix("/").unwrap_or(path))
}

/// Plans the root for an interpreter with these prefixes. `writes` are `(plain file name,
/// bytes)` written into the scratch tmpfs (see `SandboxSpec::scratch_files`);
/// `scratch_bytes` caps the scratch tmpfs.
pub fn plan(
    interpreter_roots: &[PathBuf],
    writes: &[(&str, &[u8])],
    scratch_bytes: u64,
) -> io::Result<RootPlan> {
    let base = BASES
        .iter()
        .map(Path::new)
        .find(|p| p.is_dir())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no folder to build a root on"))?;
    let mut dirs: BTreeSet<PathBuf> = ["/proc", "/dev", "/etc", SCRATCH_IN_ROOT]
        .iter()
        .map(PathBuf::from)
        .collect();
    let mut files = BTreeSet::new();
    let mut symlinks = Vec::new();
    // Host path -> is it a directory. Sorted, so a folder comes before what it holds.
    let mut binds: Vec<(PathBuf, bool)> = Vec::new();
    for path in SYSTEM.iter().map(PathBuf::from) {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            symlinks.push((std::fs::read_link(&path)?, path));
        } else {
            binds.push((path, meta.is_dir()));
        }
    }
    for root in interpreter_roots {
        // A prefix reached through symlinks is bound at its real place and where it was
        // named, so both spellings work inside.
        let Ok(real) = std::fs::canonicalize(root) else {
            continue;
        };
        for path in [real, root.clone()] {
            if path.is_dir() {
                binds.push((path, true));
            }
        }
    }
    binds.sort();
    binds.dedup();
    // Drop binds inside another bind (the outer one already shows them) and binds whose
    // path runs through a recreated symlink (the symlink's target shows them).
    let mut kept: Vec<(PathBuf, bool)> = Vec::new();
    for (path, is_dir) in binds {
        let covered = kept.iter().any(|(outer, _)| path.starts_with(outer))
            || symlinks.iter().any(|(_, link)| path.starts_with(link));
        if !covered {
            kept.push((path, is_dir));
        }
    }
    for (path, is_dir) in &kept {
        for ancestor in path.ancestors().skip(1) {
            if ancestor != Path::new("/") {
                dirs.insert(ancestor.to_path_buf());
            }
        }
        if *is_dir {
            dirs.insert(path.clone());
        } else {
            files.insert(path.clone());
        }
    }
    let devices: Vec<PathBuf> = DEVICES
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect();
    files.extend(devices.iter().cloned());

    let mut plan_binds = Vec::new();
    for (path, _) in &kept {
        plan_binds.push(Bind {
            source: cstring(path)?,
            target: cstring(&under(base, path))?,
            device: false,
        });
    }
    for path in &devices {
        plan_binds.push(Bind {
            source: cstring(path)?,
            target: cstring(&under(base, path))?,
            device: true,
        });
    }
    let scratch = Path::new(SCRATCH_IN_ROOT);
    Ok(RootPlan {
        base: cstring(base)?,
        dirs: dirs
            .iter()
            .map(|d| cstring(&under(base, d)))
            .collect::<io::Result<_>>()?,
        files: files
            .iter()
            .map(|f| cstring(&under(base, f)))
            .collect::<io::Result<_>>()?,
        symlinks: symlinks
            .iter()
            .map(|(text, link)| Ok((cstring(text)?, cstring(&under(base, link))?)))
            .collect::<io::Result<_>>()?,
        binds: plan_binds,
        proc_dir: cstring(&under(base, Path::new("/proc")))?,
        scratch_dir: cstring(&under(base, scratch))?,
        scratch_options: CString::new(format!("size={scratch_bytes},nr_inodes=32768,mode=0700"))
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?,
        writes: writes
            .iter()
            .map(|(name, bytes)| Ok((cstring(&under(base, &scratch.join(name)))?, bytes.to_vec())))
            .collect::<io::Result<_>>()?,
        readable: kept.into_iter().map(|(p, _)| p).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_binds_system_folders_once_and_recreates_symlinks() {
        let roots = vec![PathBuf::from("/usr/lib"), PathBuf::from("/no/such/prefix")];
        let files: [(&str, &[u8]); 2] = [("demo.py", b"import _h"), ("_h.py", b"print(1)")];
        let plan = plan(&roots, &files, 1 << 20).unwrap();
        let base = plan.base.to_str().unwrap().to_string();
        let targets: Vec<&str> = plan
            .binds
            .iter()
            .map(|b| b.target.to_str().unwrap())
            .collect();
        // /usr/lib is inside /usr: not bound twice; a missing prefix is skipped.
        assert!(
            targets.contains(&format!("{base}/usr").as_str()),
            "{targets:?}"
        );
        assert!(
            !targets.iter().any(|t| t.ends_with("/usr/lib")),
            "{targets:?}"
        );
        assert!(
            !targets.iter().any(|t| t.contains("/no/such")),
            "{targets:?}"
        );
        // Parents come before children, so mkdir in order works.
        let dirs: Vec<&str> = plan.dirs.iter().map(|d| d.to_str().unwrap()).collect();
        let mut sorted = dirs.clone();
        sorted.sort();
        assert_eq!(dirs, sorted);
        // The script and its helper land side by side in the scratch tmpfs, in order.
        let writes: Vec<(&str, &[u8])> = plan
            .writes
            .iter()
            .map(|(path, bytes)| (path.to_str().unwrap(), &bytes[..]))
            .collect();
        assert_eq!(writes.len(), 2);
        assert!(writes[0].0.ends_with("/tmp/demo.py"), "{writes:?}");
        assert_eq!(writes[0].1, b"import _h");
        assert!(writes[1].0.ends_with("/tmp/_h.py"), "{writes:?}");
        assert_eq!(writes[1].1, b"print(1)");
        assert!(plan
            .scratch_options
            .to_str()
            .unwrap()
            .contains("size=1048576"));
    }
}
