//! `mcp-config`'s entry forms, through the real binary: the one-line installs (npx, uvx),
//! the bare command name for committed project files when it is on PATH, and a URL entry
//! for a server running over HTTP.

use crate::support::bin;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

fn mcp_config(args: &[&str], path_var: &Path) -> Output {
    Command::new(bin())
        .arg("mcp-config")
        .args(args)
        .env("PATH", path_var)
        .output()
        .unwrap()
}

fn printed_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[cfg(unix)]
#[test]
fn project_files_name_the_bare_command_when_this_binary_is_on_path() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        std::fs::canonicalize(bin()).unwrap(),
        dir.path().join("async-patterns"),
    )
    .unwrap();
    let vscode = printed_json(&mcp_config(&["--host", "vscode"], dir.path()));
    assert_eq!(
        vscode["servers"]["async-patterns"],
        json!({"type": "stdio", "command": "async-patterns", "args": ["serve"]})
    );
    let claude = printed_json(&mcp_config(&["--host", "claude-code"], dir.path()));
    assert_eq!(
        claude["mcpServers"]["async-patterns"]["command"],
        "async-patterns"
    );
    // A user-level file is never shared: it keeps the exact binary.
    let cursor = printed_json(&mcp_config(&["--host", "cursor"], dir.path()));
    let binary = std::fs::canonicalize(bin()).unwrap();
    assert_eq!(
        cursor["mcpServers"]["async-patterns"]["command"],
        binary.to_str().unwrap()
    );
}

#[cfg(unix)]
#[test]
fn another_async_patterns_on_path_is_not_taken_for_this_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("async-patterns"), "#!/bin/sh\n").unwrap();
    let vscode = printed_json(&mcp_config(&["--host", "vscode"], dir.path()));
    let binary = std::fs::canonicalize(bin()).unwrap();
    assert_eq!(
        vscode["servers"]["async-patterns"]["command"],
        binary.to_str().unwrap()
    );
    // Asked for explicitly, the bare name is given even so.
    let forced = printed_json(&mcp_config(
        &["--host", "vscode", "--via", "path"],
        dir.path(),
    ));
    assert_eq!(
        forced["servers"]["async-patterns"]["command"],
        "async-patterns"
    );
}

#[test]
fn npx_and_uvx_entries_are_the_one_line_installs() {
    let nowhere = tempfile::tempdir().unwrap();
    let npx = printed_json(&mcp_config(
        &["--host", "claude-desktop", "--via", "npx"],
        nowhere.path(),
    ));
    assert_eq!(
        npx["mcpServers"]["async-patterns"],
        json!({"command": "npx", "args": ["-y", "@async-patterns/mcp", "serve"]})
    );
    let uvx = printed_json(&mcp_config(
        &["--host", "vscode", "--via", "uvx"],
        nowhere.path(),
    ));
    assert_eq!(
        uvx["servers"]["async-patterns"],
        json!({"type": "stdio", "command": "uvx", "args": ["async-patterns-mcp", "serve"]})
    );
    let codex = mcp_config(&["--host", "codex", "--via", "npx"], nowhere.path());
    let doc: toml_edit::DocumentMut = String::from_utf8_lossy(&codex.stdout).parse().unwrap();
    assert_eq!(
        doc["mcp_servers"]["async-patterns"]["command"].as_str(),
        Some("npx")
    );
    let hint = String::from_utf8_lossy(
        &mcp_config(&["--host", "claude-code", "--via", "uvx"], nowhere.path()).stderr,
    )
    .into_owned();
    assert!(
        hint.contains("claude mcp add async-patterns -- uvx async-patterns-mcp serve"),
        "{hint}"
    );
}

#[test]
fn url_entries_point_each_host_at_a_running_http_server() {
    let nowhere = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:8765/mcp";
    let vscode = printed_json(&mcp_config(
        &["--host", "vscode", "--url", url],
        nowhere.path(),
    ));
    assert_eq!(
        vscode["servers"]["async-patterns"],
        json!({"type": "http", "url": url})
    );
    let claude = printed_json(&mcp_config(
        &["--host", "claude-code", "--url", url],
        nowhere.path(),
    ));
    assert_eq!(
        claude["mcpServers"]["async-patterns"],
        json!({"type": "http", "url": url})
    );
    let cursor = printed_json(&mcp_config(
        &["--host", "cursor", "--url", url],
        nowhere.path(),
    ));
    assert_eq!(cursor["mcpServers"]["async-patterns"], json!({"url": url}));
    let codex = mcp_config(&["--host", "codex", "--url", url], nowhere.path());
    let doc: toml_edit::DocumentMut = String::from_utf8_lossy(&codex.stdout).parse().unwrap();
    assert_eq!(
        doc["mcp_servers"]["async-patterns"]["url"].as_str(),
        Some(url)
    );
    assert!(doc["mcp_servers"]["async-patterns"]
        .get("command")
        .is_none());

    // Claude Desktop's file has no remote entries: a clear refusal, not a broken file.
    let desktop = mcp_config(&["--host", "claude-desktop", "--url", url], nowhere.path());
    assert_eq!(desktop.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&desktop.stderr).contains("Connectors"));
    let bad = mcp_config(
        &["--host", "vscode", "--url", "127.0.0.1:8765"],
        nowhere.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
}

#[test]
fn written_url_entry_replaces_a_command_entry_and_keeps_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join(".cursor/mcp.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        r#"{"mcpServers": {"async-patterns": {"command": "/old/async-patterns", "args": ["serve"]}, "other": {"command": "x"}}}"#,
    )
    .unwrap();
    let out = Command::new(bin())
        .args([
            "mcp-config",
            "--host",
            "cursor",
            "--write",
            "--url",
            "http://127.0.0.1:9/mcp",
        ])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        written["mcpServers"]["async-patterns"],
        json!({"url": "http://127.0.0.1:9/mcp"})
    );
    assert_eq!(written["mcpServers"]["other"]["command"], "x");
}
