//! Drives the real binary over HTTP: `serve --http 127.0.0.1:0`, the port read from the
//! address it prints on stderr, and a raw HTTP/1.1 client on `TcpStream` (so tests can
//! send any Host, Origin or malformed request, and be slow on purpose).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub const MODERN: &str = "2026-07-28";
pub const LEGACY: &str = "2025-11-25";
pub const WAIT: Duration = Duration::from_secs(20);

/// A value as a client puts it in a header: as is when printable ASCII, else in the
/// `=?base64?...?=` form the Streamable HTTP transport defines.
pub fn header_safe(value: &str) -> String {
    use base64::Engine;
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        value.to_string()
    } else {
        let encoded = base64::engine::general_purpose::STANDARD.encode(value);
        format!("=?base64?{encoded}?=")
    }
}

pub use super::fixtures::fixture;

pub struct HttpServer {
    pub child: Child,
    pub port: u16,
    /// stderr lines after the address line.
    pub stderr: Receiver<String>,
}

impl HttpServer {
    /// `async-patterns --skill-dir tests/fixtures/tiny-skill serve --http 127.0.0.1:0 ARGS`.
    pub fn tiny(serve_args: &[&str]) -> Self {
        Self::start(serve_args, &[])
    }

    pub fn start(serve_args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::with_skill("tiny-skill", serve_args, env)
    }

    /// Like [`HttpServer::start`], serving the fixture skill `skill`.
    pub fn with_skill(skill: &str, serve_args: &[&str], env: &[(&str, &str)]) -> Self {
        let skill = fixture(skill);
        let mut command = Command::new(env!("CARGO_BIN_EXE_async-patterns"));
        command
            .args(["--skill-dir", skill.to_str().unwrap(), "serve"])
            .args(["--http", "127.0.0.1:0"])
            .args(serve_args)
            .env_remove("ASYNC_PATTERNS_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("spawn async-patterns");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + WAIT;
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .expect("the server printed its address on stderr");
            if let Some(rest) = line.strip_prefix("async-patterns: MCP on http://127.0.0.1:") {
                break rest
                    .strip_suffix("/mcp")
                    .expect("address ends in /mcp")
                    .parse()
                    .expect("a port");
            }
        };
        Self {
            child,
            port,
            stderr: rx,
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends one request (`Connection: close`) and reads the whole response.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut stream = self.connect();
        stream
            .write_all(&request_bytes(&self.host(), method, path, headers, body))
            .unwrap();
        read_response(&mut stream, method == "HEAD")
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream
    }

    pub fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[], b"")
    }

    /// A modern POST: `_meta` carries the version, and the mirrored headers are set
    /// from the body unless `headers` names them.
    pub fn modern(&self, method: &str, params: Value, headers: &[(&str, &str)]) -> Response {
        let body = modern_body(1, method, params);
        self.modern_raw(&body, headers)
    }

    pub fn modern_raw(&self, body: &Value, headers: &[(&str, &str)]) -> Response {
        let mut all: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            (
                "Accept".into(),
                "application/json, text/event-stream".into(),
            ),
            ("MCP-Protocol-Version".into(), MODERN.into()),
        ];
        if let Some(method) = body["method"].as_str() {
            all.push(("Mcp-Method".into(), method.into()));
        }
        let params = &body["params"];
        if let Some(name) = params["name"].as_str().or(params["uri"].as_str()) {
            all.push(("Mcp-Name".into(), header_safe(name)));
        }
        for (k, v) in headers {
            all.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
            if !v.is_empty() {
                all.push((k.to_string(), v.to_string()));
            }
        }
        let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.send("POST", "/mcp", &refs, body.to_string().as_bytes())
    }

    /// A legacy POST, with `Mcp-Session-Id` when given.
    pub fn legacy(&self, session: Option<&str>, body: &Value) -> Response {
        let mut headers = vec![
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
        ];
        if let Some(session) = session {
            headers.push(("Mcp-Session-Id", session));
        }
        self.send("POST", "/mcp", &headers, body.to_string().as_bytes())
    }

    /// `initialize` + `notifications/initialized`; returns the session id.
    pub fn legacy_session(&self) -> String {
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": LEGACY, "capabilities": {},
            "clientInfo": {"name": "http-test", "version": "0"}}});
        let response = self.legacy(None, &init);
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.json()["result"]["protocolVersion"], LEGACY);
        let session = response
            .header("mcp-session-id")
            .expect("initialize returns Mcp-Session-Id")
            .to_string();
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        assert_eq!(self.legacy(Some(&session), &initialized).status, 202);
        session
    }

    pub fn sigterm(&self) {
        unsafe_kill(self.child.id(), "TERM");
    }

    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Processes whose parent is the server (demos run as its children).
    pub fn children(&self) -> Vec<u32> {
        let me = self.child.id();
        let mut out = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(me) && fields[0] != "Z" {
                out.push(pid);
            }
        }
        out
    }
}

fn unsafe_kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn modern_body(id: u64, method: &str, params: Value) -> Value {
    let mut params = if params.is_null() { json!({}) } else { params };
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(MODERN);
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

pub fn request_bytes(
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {host}\r\n"));
    }
    head.push_str("Connection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn error_code(&self) -> i64 {
        self.json()["error"]["code"]
            .as_i64()
            .expect("a JSON-RPC error")
    }

    /// The JSON-RPC messages of an event stream, in order.
    pub fn events(&self) -> Vec<Value> {
        sse_messages(&self.text())
    }
}

pub fn sse_messages(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter(|event| !event.trim().is_empty())
        .map(|event| {
            let data: String = event
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            assert!(
                event.lines().any(|l| l == "event: message"),
                "event type: {event}"
            );
            serde_json::from_str(&data).unwrap_or_else(|e| panic!("event data ({e}): {data}"))
        })
        .collect()
}

/// Reads a response head, then its body (by length, chunked, or to the end).
pub fn read_response(stream: &mut impl Read, head_only: bool) -> Response {
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line: {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').expect("header");
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if !head_only {
        if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            loop {
                let mut size = String::new();
                reader.read_line(&mut size).expect("chunk size");
                let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk).expect("chunk");
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(length) = find("content-length") {
            body.resize(length.parse().unwrap(), 0);
            reader.read_exact(&mut body).expect("body");
        } else {
            reader.read_to_end(&mut body).expect("body");
        }
    }
    Response {
        status,
        headers,
        body,
    }
}
