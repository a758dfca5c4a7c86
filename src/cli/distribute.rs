//! The distribution commands: `install`/`uninstall` into agents' skill folders,
//! `mcp-config` for hosts, `validate` and `pack` for registries.

use super::args::AgentTarget;
use super::usage;
use crate::service::SkillService;
use std::path::PathBuf;
use std::process::ExitCode;

pub(super) fn mcp_config(host: &str, write: bool) -> ExitCode {
    let binary = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .unwrap_or_else(|_| PathBuf::from("async-patterns"));
    if !write {
        return match crate::distribution::mcp_config::snippet(host, &binary) {
            Ok(text) => {
                println!("{}", text.trim_end());
                if host == "claude-code" {
                    eprintln!(
                        "or: claude mcp add async-patterns -- {} serve",
                        binary.display()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => usage(&e.to_string()),
        };
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let project = std::env::current_dir().unwrap_or_default();
    match crate::distribution::mcp_config::write(host, &binary, &home, &project) {
        Ok((path, backup)) => {
            eprintln!(
                "wrote {}{}",
                path.display(),
                backup
                    .map(|b| format!(" (previous version: {})", b.display()))
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("async-patterns: {e}");
            ExitCode::from(1)
        }
    }
}

/// `install` (with `force`) or, with `remove`, `uninstall`.
pub(super) fn install_command(
    service: &SkillService,
    args: &AgentTarget,
    force: bool,
    remove: bool,
) -> ExitCode {
    use crate::distribution::install::{self, Installed, Scope};
    let scope = if args.global {
        Scope::Global
    } else {
        Scope::Project
    };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let project = std::env::current_dir().unwrap_or_default();
    let catalog = service.catalog.get();
    let targets = match install::targets(&args.agent, scope, &home, &project, &catalog.name) {
        Ok(t) => t,
        Err(e) => return usage(&e.to_string()),
    };
    let mut failed = false;
    for (base, target) in targets {
        if remove {
            match install::uninstall(catalog, &base, &target) {
                Ok(kept) if kept.is_empty() => eprintln!("removed {}", target.display()),
                Ok(kept) => eprintln!(
                    "removed {}; kept changed files: {}",
                    target.display(),
                    kept.join(", ")
                ),
                Err(e) => {
                    eprintln!("async-patterns: {e}");
                    failed = true;
                }
            }
        } else {
            match install::install(catalog, &base, &target, force) {
                Ok(Installed::Written) => eprintln!("installed {}", target.display()),
                Ok(Installed::Replaced) => eprintln!("replaced {}", target.display()),
                Ok(Installed::UpToDate) => eprintln!("up to date: {}", target.display()),
                Err(e) => {
                    eprintln!("async-patterns: {e}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Validates the skill built into this binary, from any working directory: its bytes are
/// written to a scratch folder (the checks read folders) under the skill's own name.
pub(super) fn validate_embedded(json: bool) -> ExitCode {
    let written = tempfile::tempdir().and_then(|tmp| {
        let root = crate::catalog::write_embedded(tmp.path())?;
        Ok((tmp, root))
    });
    match written {
        Ok((_tmp, root)) => {
            let label = format!("(embedded) {}", crate::catalog::EMBEDDED_NAME);
            validate(&root, &label, json)
        }
        Err(e) => {
            eprintln!("error: cannot write the embedded skill to a scratch folder: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Validates the folder `dir`, naming it `shown` in messages.
pub(super) fn validate(dir: &std::path::Path, shown: &str, json: bool) -> ExitCode {
    let report = crate::distribution::validate::validate(dir);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for p in &report.problems {
            match p.line {
                Some(line) => eprintln!("{shown}/{}:{line}: {}", p.file, p.message),
                None => eprintln!("{shown}/{}: {}", p.file, p.message),
            }
        }
        if report.valid {
            eprintln!("valid skill: {shown}");
        }
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub(super) fn pack(service: &SkillService, out: &std::path::Path) -> ExitCode {
    let files = match crate::distribution::registry::site(service.catalog.get()) {
        Ok(files) => files,
        Err(e) => return usage(&format!("cannot build the archive: {e}")),
    };
    for (path, bytes) in &files {
        let target = out.join(path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, bytes));
        if let Err(e) = written {
            return usage(&format!("cannot write {}: {e}", target.display()));
        }
    }
    eprintln!(
        "wrote {} files under {}; serve that folder and run `npx skills add http://HOST:PORT`",
        files.len(),
        out.join(".well-known").display()
    );
    ExitCode::SUCCESS
}
