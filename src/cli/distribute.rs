//! The distribution commands: `install`/`uninstall` into agents' skill folders,
//! `mcp-config` for hosts, `validate` and `pack` for registries.

use super::args::{AgentTarget, ViaArg};
use super::usage;
use crate::service::SkillService;
use std::path::PathBuf;
use std::process::ExitCode;

pub(super) fn mcp_config(
    host: &str,
    write: bool,
    via: Option<ViaArg>,
    url: Option<String>,
    skill_dir: Option<&std::path::Path>,
) -> ExitCode {
    use crate::distribution::mcp_config::{self, Backup, Entry, Launch, Written};
    let binary = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .unwrap_or_else(|_| PathBuf::from(mcp_config::COMMAND));
    let launch = match (url, via) {
        (Some(url), _) if url.starts_with("http://") || url.starts_with("https://") => {
            Launch::Url(url)
        }
        (Some(url), _) => return usage(&format!("--url must be an http(s) URL, not `{url}`")),
        (None, Some(ViaArg::Binary)) => Launch::Binary(binary),
        (None, Some(ViaArg::Path)) => Launch::OnPath,
        (None, Some(ViaArg::Npx)) => Launch::Npx,
        (None, Some(ViaArg::Uvx)) => Launch::Uvx,
        (None, None) => {
            mcp_config::default_launch(host, &binary, std::env::var_os("PATH").as_deref())
        }
    };
    // The host starts the server from its own folder: the skill folder goes in absolute.
    let skill_dir = match skill_dir.map(std::fs::canonicalize).transpose() {
        Ok(dir) => dir,
        Err(e) => return usage(&format!("--skill-dir: {e}")),
    };
    let server = Entry { launch, skill_dir };
    if !write {
        return match mcp_config::snippet(host, &server) {
            Ok(text) => {
                println!("{}", text.trim_end());
                if host == "claude-code" {
                    match (&server.launch, server.command()) {
                        (Launch::Url(url), _) => {
                            eprintln!("or: claude mcp add --transport http async-patterns {url}")
                        }
                        (_, Some((command, args))) => eprintln!(
                            "or: claude mcp add async-patterns -- {command} {}",
                            args.join(" ")
                        ),
                        (_, None) => {}
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => usage(&e.to_string()),
        };
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_default();
    let project = std::env::current_dir().unwrap_or_default();
    match mcp_config::write(host, &server, &home, &project) {
        Ok(Written::Unchanged(path)) => {
            eprintln!("unchanged: {} already has this entry", path.display());
            ExitCode::SUCCESS
        }
        Ok(Written::Wrote { path, backup }) => {
            let backup = match backup {
                Backup::None => String::new(),
                Backup::Made(b) => format!(" (previous version: {})", b.display()),
                Backup::Kept(b) => format!(" (your original stays in {})", b.display()),
            };
            eprintln!("wrote {}{backup}", path.display());
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
    // The catalogue's pages beside the registry files, from the renderer the server uses.
    let pages = crate::site::pages(service, &crate::site::Mode::Packed);
    // GitHub Pages runs Jekyll, which drops dot-folders such as `.well-known/` from the
    // published site unless the root holds `.nojekyll`; other static hosts ignore it.
    let nojekyll = (".nojekyll".to_string(), Vec::new());
    for (path, bytes) in files.iter().chain(&pages).chain(std::iter::once(&nojekyll)) {
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
        "wrote {} files under {}, the catalogue's {} pages ({} and {}) and {}; serve {} \
         itself as the site's root, then `npx skills add http://HOST:PORT` or open it in a \
         browser (e.g. `python3 -m http.server -d {} 8000`)",
        files.len(),
        out.join(".well-known").display(),
        pages.len(),
        out.join(crate::site::INDEX_PATH).display(),
        out.join("patterns").display(),
        out.join(".nojekyll").display(),
        out.display(),
        out.display()
    );
    ExitCode::SUCCESS
}
