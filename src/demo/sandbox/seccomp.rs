//! The system-call deny list every demo runs under (seccomp-bpf, built with `seccompiler`).
//!
//! It is a deny list, not an allow list: CPython and its extension modules use a wide and
//! changing set of calls, and the other layers (namespaces, no capabilities, Landlock)
//! already take away what most calls could reach. What is denied here is kernel surface
//! a demo never needs and that has a history of privilege escalations (keyrings, BPF,
//! io_uring, perf, user-namespace creation), or that changes state outside the demo
//! (clocks, host names, mounts, modules). `socketpair(AF_UNIX)`, which asyncio's event loop
//! needs for its self-pipe, stays allowed.
//!
//! The programs are compiled once, before any fork, so the child only hands finished
//! bytes to the kernel.

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `ioctl` requests that set inode flags: `FS_IOC_SETFLAGS` (and its 32-bit twin) and
/// `FS_IOC_FSSETXATTR` can make a file immutable or append-only, which outlives the run;
/// `TIOCSTI` pushes input into a terminal.
const DENIED_IOCTLS: &[u64] = &[0x4008_6602, 0x4004_6602, 0x401c_5820, 0x5412];

/// Namespace flags refused in `clone`: a demo may fork and start threads, not make
/// namespaces (whose creation is a common first step of kernel exploits).
const NAMESPACE_FLAGS: &[u64] = &[
    libc::CLONE_NEWUSER as u64,
    libc::CLONE_NEWNS as u64,
    libc::CLONE_NEWPID as u64,
    libc::CLONE_NEWNET as u64,
    libc::CLONE_NEWIPC as u64,
    libc::CLONE_NEWUTS as u64,
    libc::CLONE_NEWCGROUP as u64,
];

/// Calls refused outright with `EPERM`.
const DENIED: &[libc::c_long] = &[
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_bpf,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_perf_event_open,
    libc::SYS_syslog,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_open_tree,
    libc::SYS_move_mount,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_setns,
    libc::SYS_unshare,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_reboot,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_clock_adjtime,
    libc::SYS_adjtimex,
    libc::SYS_sethostname,
    libc::SYS_setdomainname,
    libc::SYS_acct,
    libc::SYS_quotactl,
    libc::SYS_userfaultfd,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_lookup_dcookie,
    libc::SYS_vhangup,
];

/// Why the filter could not be built (only on an architecture `seccompiler` lacks).
#[derive(Debug, Clone, thiserror::Error)]
#[error("seccomp filter unavailable: {0}")]
pub struct SeccompUnavailable(String);

/// The two programs a demo gets: the deny list (`EPERM`), and `clone3` answered with
/// `ENOSYS` (its flags sit in memory a filter cannot read, and `ENOSYS` makes the C
/// library fall back to `clone`, whose flags the first program checks).
pub fn programs() -> Result<&'static [BpfProgram], SeccompUnavailable> {
    static BUILT: OnceLock<Result<Vec<BpfProgram>, SeccompUnavailable>> = OnceLock::new();
    BUILT
        .get_or_init(|| build().map_err(|e| SeccompUnavailable(e.to_string())))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

fn build() -> Result<Vec<BpfProgram>, seccompiler::BackendError> {
    let arch = std::env::consts::ARCH.try_into()?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        DENIED.iter().map(|&call| (call, Vec::new())).collect();
    let ioctl = DENIED_IOCTLS
        .iter()
        .map(|&request| {
            SeccompRule::new(vec![SeccompCondition::new(
                1,
                SeccompCmpArgLen::Dword,
                SeccompCmpOp::Eq,
                request,
            )?])
        })
        .collect::<Result<Vec<_>, _>>()?;
    rules.insert(libc::SYS_ioctl, ioctl);
    let clone = NAMESPACE_FLAGS
        .iter()
        .map(|&flag| {
            SeccompRule::new(vec![SeccompCondition::new(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(flag),
                flag,
            )?])
        })
        .collect::<Result<Vec<_>, _>>()?;
    rules.insert(libc::SYS_clone, clone);
    let deny = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?;
    let clone3 = SeccompFilter::new(
        [(libc::SYS_clone3, Vec::new())].into(),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )?;
    Ok(vec![deny.try_into()?, clone3.try_into()?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_programs_compile_for_this_machine() {
        let programs = programs().expect("x86_64 and aarch64 are supported");
        assert_eq!(programs.len(), 2);
        // One comparison per denied call at least.
        assert!(programs[0].len() > DENIED.len());
    }
}
