//! macOS: the demo runs under `sandbox-exec` (Seatbelt) with a deny-by-default profile: no
//! network, writes only into the scratch folder, reads only of the system libraries, the
//! interpreter's prefixes and the scratch folder. The same mechanism confines the Codex CLI
//! and Claude Code sandboxes on macOS. `sandbox-exec` is deprecated in name only: Apple's
//! own services still run under Seatbelt profiles.
//!
//! Paths reach the profile as `-D NAME=value` parameters, never spliced into its text, so
//! no folder name can change the policy.

use super::portable::Confinement;
use crate::demo::sandbox::SandboxSpec;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

const SANDBOX_EXEC: &str = "/usr/bin/sandbox-exec";

/// What a dynamically linked CPython needs to start and import its standard library.
const SYSTEM_READABLE: &[&str] = &[
    "/usr/lib",
    "/usr/share",
    "/System",
    "/Library/Apple",
    "/private/var/db/dyld",
    "/private/var/db/timezone",
];

/// The profile for a demo whose interpreter lives under `roots` parameters `ROOT_0`..
fn profile(roots: usize) -> String {
    let mut readable: Vec<String> = SYSTEM_READABLE
        .iter()
        .map(|p| format!("(subpath \"{p}\")"))
        .collect();
    readable.extend((0..roots).map(|i| format!("(subpath (param \"ROOT_{i}\"))")));
    format!(
        "(version 1)\n\
         (deny default)\n\
         (allow process-exec process-fork)\n\
         (allow signal (target same-sandbox))\n\
         (allow process-info* (target same-sandbox))\n\
         (allow sysctl-read)\n\
         ; asyncio wakes its event loop through a local socketpair.\n\
         (allow system-socket (socket-domain AF_UNIX))\n\
         ; stat() anywhere (symlinked prefixes resolve), contents only below.\n\
         (allow file-read-metadata)\n\
         (allow file-read* (literal \"/\") (literal \"/dev/null\") (literal \"/dev/urandom\") \
         (literal \"/dev/random\") (subpath (param \"SCRATCH\")) {})\n\
         (allow file-write* (subpath (param \"SCRATCH\")) (literal \"/dev/null\"))\n\
         (allow file-ioctl (literal \"/dev/null\"))\n",
        readable.join(" ")
    )
}

fn define(name: &str, value: &Path) -> [OsString; 2] {
    let mut definition = OsString::from(format!("{name}="));
    definition.push(value);
    ["-D".into(), definition]
}

/// The `sandbox-exec` invocation for `spec`'s interpreter, confined to `scratch`.
pub fn confinement(spec: &SandboxSpec, scratch: &Path) -> Confinement {
    // Seatbelt matches real paths: /tmp and /var are symlinks into /private on macOS.
    let roots: Vec<PathBuf> = spec
        .interpreter_roots
        .iter()
        .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
        .collect();
    let mut args: Vec<OsString> = vec!["-p".into(), profile(roots.len()).into()];
    args.extend(define("SCRATCH", scratch));
    for (i, root) in roots.iter().enumerate() {
        args.extend(define(&format!("ROOT_{i}"), root));
    }
    let mut readable_paths: Vec<String> = SYSTEM_READABLE.iter().map(|p| p.to_string()).collect();
    readable_paths.extend(roots.iter().map(|r| r.display().to_string()));
    Confinement {
        program: PathBuf::from(SANDBOX_EXEC),
        args,
        readable_paths,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_denies_by_default_and_never_allows_the_network() {
        let text = profile(2);
        assert!(text.starts_with("(version 1)\n(deny default)\n"));
        assert!(!text.contains("network"), "{text}");
        assert!(text.contains("(subpath (param \"ROOT_1\"))"));
        assert!(!text.contains("ROOT_2"));
    }

    #[test]
    fn profile_allows_writes_only_to_the_scratch_folder_and_dev_null() {
        let text = profile(1);
        let writes: Vec<&str> = text.lines().filter(|l| l.contains("file-write")).collect();
        assert_eq!(
            writes,
            ["(allow file-write* (subpath (param \"SCRATCH\")) (literal \"/dev/null\"))"]
        );
    }

    #[test]
    fn paths_travel_as_parameters_not_profile_text() {
        let spec = SandboxSpec {
            interpreter: PathBuf::from("/opt/py/bin/python3"),
            interpreter_roots: vec![PathBuf::from("/nonexistent/a\")(allow default")],
            script_name: "x.py".into(),
            script: Vec::new(),
            helpers: Vec::new(),
            args: Vec::new(),
            timeout: std::time::Duration::from_secs(1),
            limits: Default::default(),
            mode: Default::default(),
            output_cap: 1024,
            cgroups: Default::default(),
        };
        let c = confinement(&spec, Path::new("/private/tmp/scratch"));
        assert_eq!(c.program, Path::new(SANDBOX_EXEC));
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args[0], "-p");
        assert!(!args[1].contains("allow default"));
        assert_eq!(
            &args[2..],
            [
                "-D",
                "SCRATCH=/private/tmp/scratch",
                "-D",
                "ROOT_0=/nonexistent/a\")(allow default"
            ]
        );
        assert!(c.readable_paths.contains(&"/usr/lib".to_string()));
    }
}
