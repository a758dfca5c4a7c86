//! `mcp-config`: the server's entry in an MCP host's configuration, printed or merged into
//! the host's file (other entries kept, a backup made, written atomically, a malformed
//! file reported and left alone). JSON files are edited as a concrete syntax tree
//! (`jsonc-parser`), so the user's key order, formatting and comments (VS Code's
//! `mcp.json` is JSON with comments) survive; TOML likewise through `toml_edit`. The entry starts the server in one of the ways it is
//! distributed ([`Launch`]), or points the host at a running HTTP server.

use jsonc_parser::cst::{CstInputValue, CstRootNode};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

pub const HOSTS: &[&str] = &["claude-code", "claude-desktop", "cursor", "vscode", "codex"];
const SERVER_NAME: &str = "async-patterns";
/// The command name `cargo install`, the release archives and the npm launcher provide.
pub const COMMAND: &str = "async-patterns";
/// The npm launcher (its per-platform binaries are optional dependencies).
pub const NPM_PACKAGE: &str = "@async-patterns/mcp";
/// The PyPI wheel; its command has the same name, so `uvx NAME` finds it.
pub const PYPI_PACKAGE: &str = "async-patterns-mcp";

/// How the host starts the server, or where it reaches one that runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// This binary by its absolute path: works as long as the binary stays there.
    Binary(PathBuf),
    /// `async-patterns` looked up on PATH: for project files that get committed and are
    /// used on other machines.
    OnPath,
    /// `npx -y @async-patterns/mcp serve`: needs only Node.
    Npx,
    /// `uvx async-patterns-mcp serve`: needs only uv.
    Uvx,
    /// A server already running with `serve --http` (Streamable HTTP).
    Url(String),
}

impl Launch {
    /// The stdio command line, or `None` for a URL entry.
    pub fn command(&self) -> Option<(String, Vec<String>)> {
        let serve = |args: &[&str]| args.iter().map(|a| a.to_string()).collect();
        Some(match self {
            Launch::Binary(path) => (path.display().to_string(), serve(&["serve"])),
            Launch::OnPath => (COMMAND.into(), serve(&["serve"])),
            Launch::Npx => ("npx".into(), serve(&["-y", NPM_PACKAGE, "serve"])),
            Launch::Uvx => ("uvx".into(), serve(&[PYPI_PACKAGE, "serve"])),
            Launch::Url(_) => return None,
        })
    }
}

/// The server's entry: how it is started, and the skill folder it serves when not the
/// embedded one (`--skill-dir`, carried into the host's command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub launch: Launch,
    pub skill_dir: Option<PathBuf>,
}

impl Entry {
    /// The stdio command line with `--skill-dir` before `serve`, or `None` for a URL.
    pub fn command(&self) -> Option<(String, Vec<String>)> {
        let (command, mut args) = self.launch.command()?;
        if let Some(dir) = &self.skill_dir {
            let at = args.len().saturating_sub(1);
            args.splice(
                at..at,
                ["--skill-dir".to_string(), dir.display().to_string()],
            );
        }
        Some((command, args))
    }
}

/// What `write` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The file already had exactly this entry: nothing was written, no backup made
    /// (so an earlier backup of the user's own file survives a second run).
    Unchanged(PathBuf),
    /// The file was written.
    Wrote { path: PathBuf, backup: Backup },
}

/// Where the user's own version of the file is, after a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backup {
    /// The file did not exist before.
    None,
    /// The file as it was before this write (it held no entry of ours).
    Made(PathBuf),
    /// The file already held an entry of ours, so it is not the user's original: the
    /// backup an earlier write made of that original is left as it is.
    Kept(PathBuf),
}

/// Hosts whose config lives in the project (and so is often committed).
fn is_project_file(host: &str) -> bool {
    matches!(host, "claude-code" | "vscode")
}

/// The entry form when none is asked for: the bare command name in a project file when
/// `async-patterns` on `path_var` is this very binary (so the file works for everyone
/// who installed it), else the binary's absolute path.
pub fn default_launch(host: &str, binary: &Path, path_var: Option<&OsStr>) -> Launch {
    let name = format!("{COMMAND}{}", std::env::consts::EXE_SUFFIX);
    let found = path_var
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(&name))
        .find(|candidate| candidate.is_file())
        .and_then(|candidate| std::fs::canonicalize(candidate).ok());
    match found {
        Some(on_path) if is_project_file(host) && on_path == binary => Launch::OnPath,
        _ => Launch::Binary(binary.to_path_buf()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown host `{0}`; one of: {list}", list = HOSTS.join(", "))]
    UnknownHost(String),
    #[error("{path} is not valid {format} ({detail}); left unchanged, fix or move it first")]
    Malformed {
        path: String,
        format: &'static str,
        detail: String,
    },
    #[error("{host} takes remote servers in its settings (Connectors), not in its config file; use a command entry (--via binary, path, npx or uvx)")]
    NoUrlEntry { host: String },
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// The host's config file: project files relative to `project`, user files under `home`.
pub fn config_path(host: &str, home: &Path, project: &Path) -> Result<PathBuf, ConfigError> {
    Ok(match host {
        "claude-code" => project.join(".mcp.json"),
        "claude-desktop" if cfg!(target_os = "macos") => {
            home.join("Library/Application Support/Claude/claude_desktop_config.json")
        }
        "claude-desktop" if cfg!(windows) => {
            home.join("AppData/Roaming/Claude/claude_desktop_config.json")
        }
        "claude-desktop" => home.join(".config/Claude/claude_desktop_config.json"),
        "cursor" => home.join(".cursor/mcp.json"),
        "vscode" => project.join(".vscode/mcp.json"),
        "codex" => home.join(".codex/config.toml"),
        other => return Err(ConfigError::UnknownHost(other.to_string())),
    })
}

/// The server's entry in the host's own format (JSON text, or TOML for Codex).
pub fn snippet(host: &str, server: &Entry) -> Result<String, ConfigError> {
    Ok(match host {
        "codex" => {
            let mut doc = toml_edit::DocumentMut::new();
            merge_toml(&mut doc, server);
            doc.to_string()
        }
        _ => {
            let (key, entry) = json_entry(host, server)?;
            let root = CstRootNode::parse("{}", &Default::default())
                .expect("an empty object is valid JSON");
            root.object_value_or_set().append(
                key,
                CstInputValue::Object(vec![(SERVER_NAME.into(), entry)]),
            );
            root.to_string()
        }
    })
}

fn json_entry(host: &str, server: &Entry) -> Result<(&'static str, CstInputValue), ConfigError> {
    let key = match host {
        "vscode" => "servers",
        "claude-code" | "claude-desktop" | "cursor" => "mcpServers",
        other => return Err(ConfigError::UnknownHost(other.to_string())),
    };
    let text = |s: &str| CstInputValue::String(s.to_string());
    // Keys in the order the hosts' own documentation shows them.
    let entry: Vec<(&str, CstInputValue)> = match (server.command(), &server.launch, host) {
        (Some((command, args)), _, _) => {
            let mut fields = vec![
                ("command", CstInputValue::String(command)),
                ("args", CstInputValue::from(args)),
            ];
            if matches!(host, "vscode" | "claude-code") {
                fields.insert(0, ("type", text("stdio")));
            }
            fields
        }
        (None, Launch::Url(url), "vscode" | "claude-code") => {
            vec![("type", text("http")), ("url", text(url))]
        }
        (None, Launch::Url(url), "cursor") => vec![("url", text(url))],
        _ => {
            return Err(ConfigError::NoUrlEntry {
                host: host.to_string(),
            })
        }
    };
    let entry = entry.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    Ok((key, CstInputValue::Object(entry)))
}

/// The plain value of an entry, to tell whether the file already holds it.
fn plain(value: &CstInputValue) -> Value {
    match value {
        CstInputValue::Null => Value::Null,
        CstInputValue::Bool(b) => Value::Bool(*b),
        CstInputValue::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        CstInputValue::String(s) => Value::String(s.clone()),
        CstInputValue::Array(items) => Value::Array(items.iter().map(plain).collect()),
        CstInputValue::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
        }
    }
}

fn merge_toml(doc: &mut toml_edit::DocumentMut, server: &Entry) {
    let servers = doc.entry("mcp_servers").or_insert_with(|| {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        toml_edit::Item::Table(t)
    });
    let mut entry = toml_edit::Table::new();
    match (server.command(), &server.launch) {
        (Some((command, args)), _) => {
            entry.insert("command", toml_edit::value(command));
            entry.insert(
                "args",
                toml_edit::value(args.iter().collect::<toml_edit::Array>()),
            );
        }
        (None, Launch::Url(url)) => {
            entry.insert("url", toml_edit::value(url.as_str()));
        }
        (None, _) => {}
    }
    servers[SERVER_NAME] = toml_edit::Item::Table(entry);
}

/// Merges the entry into the host's file and returns its path and the backup's, if any.
pub fn write(
    host: &str,
    server: &Entry,
    home: &Path,
    project: &Path,
) -> Result<Written, ConfigError> {
    let path = config_path(host, home, project)?;
    let io = |e| ConfigError::Io(path.display().to_string(), e);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let (text, had_entry) = if host == "codex" {
        let mut doc: toml_edit::DocumentMut =
            existing
                .as_deref()
                .unwrap_or("")
                .parse()
                .map_err(|e: toml_edit::TomlError| ConfigError::Malformed {
                    path: path.display().to_string(),
                    format: "TOML",
                    detail: e.to_string(),
                })?;
        if doc
            .get("mcp_servers")
            .is_some_and(|item| !item.is_table_like())
        {
            return Err(ConfigError::Malformed {
                path: path.display().to_string(),
                format: "TOML",
                detail: "`mcp_servers` is not a table".into(),
            });
        }
        let had_entry = doc
            .get("mcp_servers")
            .and_then(|servers| servers.get(SERVER_NAME))
            .is_some();
        merge_toml(&mut doc, server);
        (doc.to_string(), had_entry)
    } else {
        let malformed = |detail: String| ConfigError::Malformed {
            path: path.display().to_string(),
            format: "JSON",
            detail,
        };
        let source = existing.as_deref().unwrap_or("");
        let root = CstRootNode::parse(source, &Default::default())
            .map_err(|e| malformed(e.to_string()))?;
        let object = root
            .object_value_or_create()
            .ok_or_else(|| malformed("the top level is not an object".into()))?;
        let (key, entry) = json_entry(host, server)?;
        let servers = object
            .object_value_or_create(key)
            .ok_or_else(|| malformed(format!("`{key}` is not an object")))?;
        let current = servers.get(SERVER_NAME);
        let had_entry = current.is_some();
        match current {
            Some(current) => {
                let held = current.value().and_then(|node| node.to_serde_value());
                if held.as_ref() == Some(&plain(&entry)) {
                    return Ok(Written::Unchanged(path));
                }
                current.set_value(entry);
            }
            None => {
                servers.append(SERVER_NAME, entry);
            }
        }
        let mut text = root.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        (text, had_entry)
    };
    if existing.as_deref() == Some(text.as_str()) {
        return Ok(Written::Unchanged(path));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let backup_path = path.with_extension(format!(
        "{}.bak",
        path.extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let backup = match existing {
        Some(_) if had_entry && backup_path.exists() => Backup::Kept(backup_path),
        Some(old) => {
            std::fs::write(&backup_path, old).map_err(io)?;
            Backup::Made(backup_path)
        }
        None => Backup::None,
    };
    // Atomic: a reader sees the old file or the new one, never half of either.
    let temp = path.with_extension("async-patterns-tmp");
    std::fs::write(&temp, text).map_err(io)?;
    std::fs::rename(&temp, &path).map_err(io)?;
    Ok(Written::Wrote { path, backup })
}
