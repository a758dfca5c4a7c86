//! The server's sandbox options (`--sandbox`, `--demo-scratch-mib`), shared by `serve`
//! and `run`, and the rule that makes `strict` the default for a server reachable from
//! the network.

use super::sandbox::DEFAULT_SCRATCH_MIB;
use serde::Serialize;

/// How demos are isolated (`--sandbox`). Reported back in `isolation.mode`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum SandboxMode {
    /// Every layer the platform allows; missing ones are named in `isolation.notes`.
    #[default]
    Auto,
    /// Refuse to run a demo unless every layer is in place.
    Strict,
    /// The portable engine (own session, rlimits, deadline, group kill) even where a
    /// stronger one exists: how its logic is exercised on Linux.
    Portable,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// How demos are sandboxed: `auto` runs them with every layer the kernel allows and
    /// names missing ones in `isolation.notes`; `strict` refuses to run a demo unless
    /// every layer holds; `portable` uses the portable engine (session, rlimits,
    /// deadline, group kill) everywhere. Default: auto, but strict for --http on a
    /// non-loopback address.
    #[arg(long, value_enum, value_name = "MODE", env = "ASYNC_PATTERNS_SANDBOX")]
    pub sandbox: Option<SandboxMode>,
    /// Size of each demo's scratch tmpfs (its HOME, TMPDIR and working folder), in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_SCRATCH_MIB,
          value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub demo_scratch_mib: u64,
}

/// How the server runs demos: the sandbox mode and the scratch tmpfs size.
#[derive(Debug, Clone, Copy)]
pub struct SandboxOptions {
    pub mode: SandboxMode,
    pub scratch_mib: u64,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            mode: SandboxMode::Auto,
            scratch_mib: DEFAULT_SCRATCH_MIB,
        }
    }
}

impl SandboxArgs {
    /// The options in force; `http` is the `--http` address when serving over HTTP. A
    /// server others can reach runs demos strictly unless told otherwise.
    pub fn options(&self, http: Option<&str>) -> SandboxOptions {
        let remote = http
            .and_then(|raw| crate::transport::http::parse_addr(raw).ok())
            .is_some_and(|addr| !addr.ip().is_loopback());
        let mode = self.sandbox.unwrap_or(if remote {
            SandboxMode::Strict
        } else {
            SandboxMode::Auto
        });
        SandboxOptions {
            mode,
            scratch_mib: self.demo_scratch_mib,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(sandbox: Option<SandboxMode>) -> SandboxArgs {
        SandboxArgs {
            sandbox,
            demo_scratch_mib: 8,
        }
    }

    #[test]
    fn strict_is_the_default_only_off_loopback() {
        assert_eq!(args(None).options(None).mode, SandboxMode::Auto);
        assert_eq!(
            args(None).options(Some("127.0.0.1:8000")).mode,
            SandboxMode::Auto
        );
        assert_eq!(
            args(None).options(Some("[::1]:8000")).mode,
            SandboxMode::Auto
        );
        assert_eq!(
            args(None).options(Some("0.0.0.0:8000")).mode,
            SandboxMode::Strict
        );
        assert_eq!(
            args(None).options(Some("192.0.2.7:80")).mode,
            SandboxMode::Strict
        );
        // Said explicitly, the mode wins.
        let auto = args(Some(SandboxMode::Auto));
        assert_eq!(auto.options(Some("0.0.0.0:8000")).mode, SandboxMode::Auto);
        assert_eq!(auto.options(None).scratch_mib, 8);
    }
}
