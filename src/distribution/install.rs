//! `install` / `uninstall`: put the skill into an assistant's skills folder, using the
//! same folder conventions as the `skills` CLI, byte-identical to the served skill.

use crate::catalog::Catalog;
use std::path::{Path, PathBuf};

/// Agents we know the skills folders of: (name, project folder, global folder under
/// HOME, a folder whose presence means the agent is installed).
const AGENTS: &[(&str, &str, &str)] = &[
    ("claude-code", ".claude/skills", ".claude/skills"),
    ("cursor", ".agents/skills", ".cursor/skills"),
    ("codex", ".agents/skills", ".agents/skills"),
    ("opencode", ".agents/skills", ".config/opencode/skills"),
    ("github-copilot", ".agents/skills", ".copilot/skills"),
    ("gemini-cli", ".agents/skills", ".gemini/skills"),
];

pub fn agent_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = AGENTS.iter().map(|a| a.0).collect();
    names.push("vscode");
    names
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("unknown agent `{0}`; one of: {list}, all", list = agent_names().join(", "))]
    UnknownAgent(String),
    #[error(
        "no agent detected under {0} (looked for ~/.claude, ~/.cursor, ...); name one with --agent"
    )]
    NoneDetected(String),
    #[error("{0} is a symbolic link; refusing to write through it")]
    Symlink(String),
    #[error("{path} holds a changed copy ({changed} file(s) differ or are extra); keeping it, use --force to replace it")]
    Changed { path: String, changed: usize },
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Project,
}

/// The skills folder for `agent` (`vscode` is GitHub Copilot's folder).
fn skills_dir(
    agent: &str,
    scope: Scope,
    home: &Path,
    project: &Path,
) -> Result<PathBuf, InstallError> {
    let key = if agent == "vscode" {
        "github-copilot"
    } else {
        agent
    };
    let (_, local, global) = AGENTS
        .iter()
        .find(|a| a.0 == key)
        .ok_or_else(|| InstallError::UnknownAgent(agent.to_string()))?;
    Ok(match scope {
        Scope::Global => {
            if key == "claude-code" {
                if let Some(dir) = std::env::var_os("CLAUDE_CONFIG_DIR") {
                    return Ok(PathBuf::from(dir).join("skills"));
                }
            }
            home.join(global)
        }
        Scope::Project => project.join(local),
    })
}

/// Target folders for `--agent NAME` (or every detected agent for `all`), deduplicated.
/// Each target comes with its base folder (home or project).
pub fn targets(
    agent: &str,
    scope: Scope,
    home: &Path,
    project: &Path,
    skill: &str,
) -> Result<Vec<(PathBuf, PathBuf)>, InstallError> {
    let base = match scope {
        Scope::Global => home.to_path_buf(),
        Scope::Project => project.to_path_buf(),
    };
    let agents: Vec<&str> = if agent == "all" {
        let found: Vec<&str> = AGENTS
            .iter()
            .filter(|(name, _, global)| {
                let marker = Path::new(global).components().next().map(|c| home.join(c));
                marker.is_some_and(|m| m.is_dir())
                    || (*name == "claude-code" && home.join(".claude").is_dir())
            })
            .map(|a| a.0)
            .collect();
        if found.is_empty() {
            return Err(InstallError::NoneDetected(home.display().to_string()));
        }
        found
    } else {
        vec![agent]
    };
    let mut dirs = Vec::new();
    for a in agents {
        let dir = (
            base.clone(),
            skills_dir(a, scope, home, project)?.join(skill),
        );
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    Ok(dirs)
}

/// Refuses a target whose path runs through a symbolic link below `base` (the home or
/// project folder, which may itself be a link).
fn check_no_symlink(base: &Path, path: &Path) -> Result<(), InstallError> {
    let mut current = base.to_path_buf();
    for component in path.strip_prefix(base).unwrap_or(path).components() {
        current.push(component);
        if std::fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(InstallError::Symlink(current.display().to_string()));
        }
    }
    Ok(())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |e| InstallError::Io(path.display().to_string(), e)
}

/// Files under `dir` (relative paths), sorted.
fn existing_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    Written,
    UpToDate,
    Replaced,
}

/// Copies every file of the skill into `target`.
pub fn install(
    catalog: &Catalog,
    base: &Path,
    target: &Path,
    force: bool,
) -> Result<Installed, InstallError> {
    check_no_symlink(base, target)?;
    let mut outcome = Installed::Written;
    if target.exists() {
        let differing = existing_files(target)
            .iter()
            .filter(|rel| {
                catalog.file(rel).is_none_or(|f| {
                    std::fs::read(target.join(rel)).ok().as_deref() != Some(&f.bytes[..])
                })
            })
            .count()
            + catalog
                .files
                .iter()
                .filter(|f| !target.join(&f.path).is_file())
                .count();
        if differing == 0 {
            return Ok(Installed::UpToDate);
        }
        if !force {
            return Err(InstallError::Changed {
                path: target.display().to_string(),
                changed: differing,
            });
        }
        std::fs::remove_dir_all(target).map_err(io(target))?;
        outcome = Installed::Replaced;
    }
    for file in &catalog.files {
        let path = target.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, &file.bytes).map_err(io(&path))?;
    }
    Ok(outcome)
}

/// Removes the files install wrote (same path, same bytes) and the folders left empty;
/// files changed since are kept and returned.
pub fn uninstall(
    catalog: &Catalog,
    base: &Path,
    target: &Path,
) -> Result<Vec<String>, InstallError> {
    check_no_symlink(base, target)?;
    let mut kept = Vec::new();
    for rel in existing_files(target) {
        let path = target.join(&rel);
        let ours = catalog
            .file(&rel)
            .is_some_and(|f| std::fs::read(&path).ok().as_deref() == Some(&f.bytes[..]));
        if ours {
            std::fs::remove_file(&path).map_err(io(&path))?;
        } else {
            kept.push(rel);
        }
    }
    let mut dirs: Vec<&String> = catalog.dirs.iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for dir in dirs {
        let _ = std::fs::remove_dir(target.join(dir)); // only succeeds when empty
    }
    Ok(kept)
}
