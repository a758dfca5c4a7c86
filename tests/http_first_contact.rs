//! What a person or a script meets first on `serve --http`: a page at `/`, the URL on
//! stdout with `--print-url`, and `--log-level info` saying what happens (names only).

use crate::support::fixture;
use crate::support::http::HttpServer;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_root_page_says_what_this_is_and_where_mcp_and_the_registry_are() {
    let server = HttpServer::tiny(&[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    // Without a request for HTML (scripts, curl), `/` stays a few lines of text.
    assert!(page
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    assert_eq!(page.header("vary"), Some("Accept"));
    let text = page.text();
    let base = format!("http://{}", server.host());
    for expected in [
        format!("{base}/mcp"),
        format!("{base}/.well-known/agent-skills/index.json"),
        format!("{base}/.well-known/skills/index.json"),
        format!("{base}/index.html"),
        "MCP server".to_string(),
    ] {
        assert!(text.contains(&expected), "{expected} missing from:\n{text}");
    }
    // Every URL it names answers.
    assert_eq!(
        server.get("/.well-known/agent-skills/index.json").status,
        200
    );
    assert_eq!(server.send("HEAD", "/", &[], b"").status, 200);
    assert_eq!(server.send("POST", "/", &[], b"x").status, 405);
    assert_eq!(server.get("/nothing-here").status, 404);
}

#[test]
fn print_url_puts_the_bound_url_alone_on_stdout() {
    let skill = fixture("tiny-skill");
    let mut child = Command::new(env!("CARGO_BIN_EXE_async-patterns"))
        .args(["--skill-dir", skill.to_str().unwrap(), "serve"])
        .args(["--http", "127.0.0.1:0", "--print-url"])
        .env_remove("ASYNC_PATTERNS_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let url = line.trim_end();
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/mcp"))
        .unwrap_or_else(|| panic!("not the MCP URL: {line:?}"));
    assert!(port.parse::<u16>().is_ok_and(|p| p != 0), "{line:?}");
    // Without an HTTP address there is no URL to print.
    let out = Command::new(env!("CARGO_BIN_EXE_async-patterns"))
        .args(["serve", "--print-url"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// stderr lines until `wanted` has been seen (bounded).
fn log_until(server: &HttpServer, wanted: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut lines = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = server.stderr.recv_timeout(Duration::from_millis(100)) {
            let done = line.contains(wanted);
            lines.push(line);
            if done {
                return lines;
            }
        }
    }
    panic!("no log line with {wanted:?} in {lines:?}");
}

#[test]
fn log_level_info_tells_start_up_sessions_and_tool_calls_but_no_secrets() {
    let token = "tok-very-secret-123";
    let server = HttpServer::start(&["--log-level", "info", "--token", token], &[]);
    let mut log = log_until(&server, "serving MCP at");
    let auth = format!("Bearer {token}");
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "first-contact-test", "version": "9"}}});
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("Authorization", auth.as_str()),
    ];
    let reply = server.send("POST", "/mcp", &headers, init.to_string().as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
    log.extend(log_until(&server, "HTTP session opened"));
    let call = crate::support::http::modern_body(
        2,
        "tools/call",
        json!({"name": "search_patterns", "arguments": {"query": "argument-content-xyz"}}),
    );
    let reply = server.modern_raw(&call, &[("Authorization", auth.as_str())]);
    assert_eq!(reply.status, 200, "{}", reply.text());
    log.extend(log_until(&server, "tool call"));
    let all = log.join("\n");
    assert!(
        all.contains("client session started") && all.contains("first-contact-test"),
        "{all}"
    );
    assert!(all.contains("search_patterns"), "{all}");
    assert!(!all.contains(token), "the token was logged: {all}");
    assert!(
        !all.contains("argument-content-xyz"),
        "arguments were logged: {all}"
    );
}
