//! What the end-to-end tests share. This module drives the real binary over stdio, as
//! an MCP client would: one JSON message per line; [`http`] drives it over Streamable
//! HTTP.
#![allow(dead_code)]

pub mod fixtures;
pub mod http;
pub mod in_process;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

pub const MODERN: &str = "2026-07-28";
pub const WAIT: Duration = Duration::from_secs(20);

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_async-patterns"))
}

/// Whether a `python3` runs here (demo tests have nothing to run without one). When
/// not, says so on stderr (shown with `--nocapture`), so a skip is never silent.
pub fn have_python() -> bool {
    let found = Command::new("python3")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: no python3 on PATH");
    }
    found
}

/// Processes whose command line mentions `needle` (other than this test process), as
/// "pid: command line".
pub fn processes_mentioning(needle: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) || name == me {
            continue;
        }
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains(needle) {
                found.push(format!("{name}: {text}"));
            }
        }
    }
    found
}

/// Demo scratch folders that the server with this pid made in the temp folder.
pub fn scratch_dirs_of(pid: u32) -> Vec<PathBuf> {
    let prefix = format!("async-patterns-demo-{pid}-");
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

pub use fixtures::fixture;

/// A client's end of one stdio connection, whatever runs the server: it writes lines
/// and reads the server's lines, keeping the messages it was not waiting for.
pub struct Client {
    stdin: Option<Box<dyn Write + Send>>,
    lines: Receiver<String>,
    /// Messages read while waiting for something else (notifications, other replies).
    pub backlog: Vec<Value>,
    next_id: u64,
}

impl Client {
    fn new(stdin: Box<dyn Write + Send>, lines: Receiver<String>) -> Self {
        Self {
            stdin: Some(stdin),
            lines,
            backlog: Vec::new(),
            next_id: 1000,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn send(&mut self, message: &Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.send_raw(line.as_bytes());
    }

    /// The next line from stdout, parsed; every line must be JSON (stdout is the protocol).
    pub fn next_message(&mut self, wait: Duration) -> Option<Value> {
        match self.lines.recv_timeout(wait) {
            Ok(line) => Some(
                serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}")),
            ),
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Waits for the reply to `id`, keeping everything else in the backlog.
    pub fn reply_to(&mut self, id: &Value) -> Value {
        if let Some(pos) = self
            .backlog
            .iter()
            .position(|m| &m["id"] == id && m.get("method").is_none())
        {
            return self.backlog.remove(pos);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .next_message(left)
                .unwrap_or_else(|| panic!("no reply to id {id}"));
            if &message["id"] == id && message.get("method").is_none() {
                return message;
            }
            self.backlog.push(message);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = json!(self.next_id);
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
        self.reply_to(&id)
    }

    /// A modern request: the protocol version and client capabilities ride in `_meta`.
    pub fn modern(&mut self, method: &str, mut params: Value) -> Value {
        if params.is_null() {
            params = json!({});
        }
        params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(MODERN);
        params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
        self.request(method, params)
    }

    /// A legacy handshake at `version`; returns the initialize result.
    pub fn initialize(&mut self, version: &str) -> Value {
        let reply = self.request(
            "initialize",
            json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "tests", "version": "0"}}),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        reply
    }

    pub fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        self.modern("tools/call", json!({"name": name, "arguments": arguments}))
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }
}

/// The real binary, spawned, speaking over its stdin and stdout.
pub struct Server {
    pub child: Child,
    client: Client,
}

impl std::ops::Deref for Server {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl Server {
    pub fn spawn(args: &[&str]) -> Self {
        Self::spawn_with(args, &[])
    }

    /// `async-patterns <global args> serve <serve args>`.
    pub fn spawn_with(args: &[&str], serve_args: &[&str]) -> Self {
        let mut child = Command::new(bin())
            .args(args)
            .arg("serve")
            .args(serve_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn async-patterns");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = Box::new(child.stdin.take().unwrap());
        Self {
            child,
            client: Client::new(stdin, rx),
        }
    }

    /// The embedded skill.
    pub fn embedded() -> Self {
        Self::spawn(&[])
    }

    pub fn with_skill(dir: &str) -> Self {
        let path = fixture(dir);
        Self::spawn(&["--skill-dir", path.to_str().unwrap()])
    }

    /// Closes stdin and waits for the exit status (bounded).
    pub fn finish(mut self) -> std::process::ExitStatus {
        self.close_stdin();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after stdin closed"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn error_code(reply: &Value) -> i64 {
    reply["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error, got {reply}"))
}

/// A tool result's structured content (asserting it matches its text block).
pub fn structured(reply: &Value) -> Value {
    let result = &reply["result"];
    assert!(result.is_object(), "no result: {reply}");
    let structured = result["structuredContent"].clone();
    let text = result["content"][0]["text"].as_str().expect("text block");
    if result["isError"] == json!(false) {
        let parsed: Value = serde_json::from_str(text).expect("text block is the JSON");
        assert_eq!(
            parsed, structured,
            "text block and structuredContent differ"
        );
    }
    structured
}
