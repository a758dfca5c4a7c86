//! `mcp-config`: the server's entry in an MCP host's configuration, printed or merged into
//! the host's file (other entries kept, a backup made, written atomically, a malformed
//! file reported and left alone).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

pub const HOSTS: &[&str] = &["claude-code", "claude-desktop", "cursor", "vscode", "codex"];
const SERVER_NAME: &str = "async-patterns";

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
        "claude-desktop" => home.join(".config/Claude/claude_desktop_config.json"),
        "cursor" => home.join(".cursor/mcp.json"),
        "vscode" => project.join(".vscode/mcp.json"),
        "codex" => home.join(".codex/config.toml"),
        other => return Err(ConfigError::UnknownHost(other.to_string())),
    })
}

/// The server's entry in the host's own format (JSON text, or TOML for Codex).
pub fn snippet(host: &str, binary: &Path) -> Result<String, ConfigError> {
    let command = binary.display().to_string();
    Ok(match host {
        "codex" => {
            let mut doc = toml_edit::DocumentMut::new();
            merge_toml(&mut doc, &command);
            doc.to_string()
        }
        _ => {
            let (key, entry) = json_entry(host, &command)?;
            serde_json::to_string_pretty(&json!({ key: { SERVER_NAME: entry } }))
                .unwrap_or_default()
        }
    })
}

fn json_entry(host: &str, command: &str) -> Result<(&'static str, Value), ConfigError> {
    match host {
        "vscode" => Ok((
            "servers",
            json!({ "type": "stdio", "command": command, "args": ["serve"] }),
        )),
        "claude-code" => Ok((
            "mcpServers",
            json!({ "type": "stdio", "command": command, "args": ["serve"] }),
        )),
        "claude-desktop" | "cursor" => Ok((
            "mcpServers",
            json!({ "command": command, "args": ["serve"] }),
        )),
        other => Err(ConfigError::UnknownHost(other.to_string())),
    }
}

fn merge_toml(doc: &mut toml_edit::DocumentMut, command: &str) {
    let servers = doc.entry("mcp_servers").or_insert_with(|| {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        toml_edit::Item::Table(t)
    });
    let mut entry = toml_edit::Table::new();
    entry.insert("command", toml_edit::value(command));
    let mut args = toml_edit::Array::new();
    args.push("serve");
    entry.insert("args", toml_edit::value(args));
    servers[SERVER_NAME] = toml_edit::Item::Table(entry);
}

/// Merges the entry into the host's file and returns its path and the backup's, if any.
pub fn write(
    host: &str,
    binary: &Path,
    home: &Path,
    project: &Path,
) -> Result<(PathBuf, Option<PathBuf>), ConfigError> {
    let path = config_path(host, home, project)?;
    let io = |e| ConfigError::Io(path.display().to_string(), e);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let command = binary.display().to_string();
    let text = if host == "codex" {
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
        merge_toml(&mut doc, &command);
        doc.to_string()
    } else {
        let mut root: Value = match existing.as_deref().map(str::trim) {
            None | Some("") => json!({}),
            Some(text) => serde_json::from_str(text).map_err(|e| ConfigError::Malformed {
                path: path.display().to_string(),
                format: "JSON",
                detail: e.to_string(),
            })?,
        };
        let (key, entry) = json_entry(host, &command)?;
        let malformed = |detail: String| ConfigError::Malformed {
            path: path.display().to_string(),
            format: "JSON",
            detail,
        };
        let object = root
            .as_object_mut()
            .ok_or_else(|| malformed("the top level is not an object".into()))?;
        let servers = object.entry(key).or_insert_with(|| json!({}));
        let servers = servers
            .as_object_mut()
            .ok_or_else(|| malformed(format!("`{key}` is not an object")))?;
        servers.insert(SERVER_NAME.to_string(), entry);
        let mut text = serde_json::to_string_pretty(&root).unwrap_or_default();
        text.push('\n');
        text
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let backup = match existing {
        Some(old) => {
            let backup = path.with_extension(format!(
                "{}.bak",
                path.extension()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
            std::fs::write(&backup, old).map_err(io)?;
            Some(backup)
        }
        None => None,
    };
    // Atomic: a reader sees the old file or the new one, never half of either.
    let temp = path.with_extension("async-patterns-tmp");
    std::fs::write(&temp, text).map_err(io)?;
    std::fs::rename(&temp, &path).map_err(io)?;
    Ok((path, backup))
}
