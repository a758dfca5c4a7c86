//! Filesystem, network and signal confinement for a demo with Landlock (Linux 5.13+).
//!
//! The ruleset is built in the server before the fork (it opens paths and allocates),
//! and only `restrict_self` runs in the child, which is two plain system calls. A demo
//! may then read and execute what CPython needs (the system library folders and the
//! interpreter's own prefixes), read and write its scratch folder, and nothing else: no
//! home folder, no project tree, no `/etc/passwd`, no `/proc` of other processes. On
//! kernels with TCP rules (ABI 4+) it may neither bind nor connect, and with scoping
//! (ABI 6+) it cannot signal processes outside its own domain.
//!
//! Inside the minimal root (see `root.rs`) this is the second wall: the binds there are
//! the same inodes as the host folders the rules name, and the scratch tmpfs, which
//! exists only in the child, is added there through a second handle on the ruleset.

use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, RulesetError, Scope, ABI,
};
use std::path::{Path, PathBuf};

/// The newest ABI whose rights we ask for; older kernels enforce what they know.
const WANTED: ABI = ABI::V6;

/// Read-only folders and files every CPython start touches on a Debian-like system.
/// `/usr/bin` etc. cover `/usr/bin/python3`; merged-usr symlinks resolve when opened.
const SYSTEM_READ: &[&str] = &[
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/alternatives",
    "/dev/null",
    "/dev/urandom",
    "/dev/zero",
];

/// A ruleset ready for `restrict_self` in the child.
pub struct Prepared {
    pub ruleset: RulesetCreated,
    /// The folders a demo may read (for the isolation report).
    pub readable: Vec<PathBuf>,
    /// The file-system rights the ruleset handles (what a rule may grant).
    pub handled: u64,
}

/// The kernel's Landlock ABI version (0 without Landlock).
fn kernel_abi() -> i32 {
    // SAFETY: asks for the ABI version only; no pointer is dereferenced.
    let version = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            1u32,
        )
    };
    i32::try_from(version).unwrap_or(0).max(0)
}

/// Builds the ruleset for one run. Fails when the kernel has no Landlock at all (the
/// run then goes ahead without this layer and says so); newer rights are best effort.
/// `scratch` is the host scratch folder; `None` when the child adds its own.
pub fn prepare(
    interpreter_roots: &[PathBuf],
    scratch: Option<&Path>,
) -> Result<Prepared, RulesetError> {
    let readable: Vec<PathBuf> = SYSTEM_READ
        .iter()
        .map(PathBuf::from)
        .chain(interpreter_roots.iter().cloned())
        .filter(|p| p.exists())
        .collect();
    let ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(AccessFs::from_all(ABI::V1))?
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(WANTED))?
        .handle_access(AccessNet::from_all(WANTED))?
        .scope(Scope::from_all(WANTED))?
        .create()?
        .add_rules(path_beneath_rules(&readable, AccessFs::from_read(WANTED)))?
        .add_rules(path_beneath_rules(scratch, AccessFs::from_all(WANTED)))?;
    let handled = AccessFs::from_all(ABI::from(kernel_abi().min(WANTED as i32))).bits();
    Ok(Prepared {
        ruleset,
        readable,
        handled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruleset_builds_where_landlock_exists_and_lists_only_existing_paths() {
        let scratch = std::env::temp_dir();
        let roots = vec![PathBuf::from("/no/such/prefix")];
        // SAFETY: asks the kernel for its Landlock ABI version; no pointer is read.
        let abi = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<u8>(),
                0usize,
                1u32,
            )
        };
        let prepared = prepare(&roots, Some(&scratch));
        assert_eq!(prepared.is_ok(), abi >= 1, "kernel Landlock ABI {abi}");
        if let Ok(prepared) = prepared {
            assert!(prepared.readable.iter().all(|p| p.exists()));
            assert!(prepared.readable.contains(&PathBuf::from("/usr")));
            assert!(!prepared.readable.iter().any(|p| p.starts_with("/no")));
        }
    }
}
