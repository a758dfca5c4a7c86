//! Soak and load runs against the release binary (a benchmark, not a timed test):
//!
//! 1. stdio: `SOAK_REQUESTS` (default 1,000,000) pipelined requests over one connection,
//!    mixing tools, resources, prompts, unknown ids and malformed envelopes. Every answer
//!    is matched to its request and checked; resident memory is sampled as it goes.
//! 2. backpressure: a client that stops reading. The server must stop reading too, so
//!    its memory stays bounded while the client's writes block; then every answer still
//!    arrives once the client reads again.
//! 3. HTTP: `SOAK_HTTP_REQUESTS` (default 200,000) over `SOAK_HTTP_CLIENTS` (64)
//!    keep-alive connections; zero errors, memory sampled.
//! 4. idle flood: `SOAK_IDLE` (default 10,000) connections that send nothing. The server
//!    keeps to its connection limit, and a real client is still served.
//!
//! `cargo bench --bench soak` runs everything; `SOAK_QUICK=1` is the short CI version.
//! It prints a JSON report and exits non-zero if any check fails.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;
use support::binary;

const MODERN: &str = "2026-07-28";

fn quick() -> bool {
    std::env::var_os("SOAK_QUICK").is_some()
}

fn setting(name: &str, full: u64, short: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick() { short } else { full })
}

/// `async-patterns serve` over pipes, with the embedded skill.
fn spawn_stdio(bin: &PathBuf) -> std::process::Child {
    Command::new(bin)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn")
}

/// Resident and peak memory of `pid` in KiB (VmRSS, VmHWM); 0 once it is gone.
fn memory_kib(pid: u32) -> (u64, u64) {
    let field = |name| support::status_kib(pid, name).unwrap_or(0);
    (field("VmRSS"), field("VmHWM"))
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// What a request should get back; checked on the answer.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Want {
    Snippet(usize),
    Patterns,
    Hits,
    File(usize),
    Prompt,
    ToolError,
    Code(i64),
}

fn meta() -> Value {
    json!({"io.modelcontextprotocol/protocolVersion": MODERN,
           "io.modelcontextprotocol/clientCapabilities": {}})
}

/// The request mix: a line and what its answer must be, cycling through kinds.
struct Mix {
    snippets: Vec<(String, usize)>,
    files: Vec<(String, usize)>,
}

impl Mix {
    fn message(&self, n: u64) -> (Vec<u8>, Want) {
        let id = json!(n);
        let call = |name: &str, arguments: Value| {
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                   "params": {"name": name, "arguments": arguments, "_meta": meta()}})
        };
        let (message, want) = match n % 10 {
            0..=3 => {
                let (sid, len) = &self.snippets[(n / 10) as usize % self.snippets.len()];
                (call("get_snippet", json!({"id": sid})), Want::Snippet(*len))
            }
            4 => (call("list_patterns", json!({})), Want::Patterns),
            5 => (
                call(
                    "search_patterns",
                    json!({"query": "limit concurrent requests"}),
                ),
                Want::Hits,
            ),
            6 => {
                let (uri, len) = &self.files[(n / 10) as usize % self.files.len()];
                (
                    json!({"jsonrpc": "2.0", "id": id, "method": "resources/read",
                           "params": {"uri": uri, "_meta": meta()}}),
                    Want::File(*len),
                )
            }
            7 => (
                json!({"jsonrpc": "2.0", "id": id, "method": "prompts/get",
                       "params": {"name": "explain-pattern", "arguments": {"id": "gather"}, "_meta": meta()}}),
                Want::Prompt,
            ),
            8 => (
                call("get_pattern", json!({"id": format!("no-such-{n}")})),
                Want::ToolError,
            ),
            _ => {
                // Alternate a wrong-typed method (-32600, id kept) and an unknown one.
                if n % 20 == 9 {
                    (
                        json!({"jsonrpc": "2.0", "id": id, "method": 5}),
                        Want::Code(-32600),
                    )
                } else {
                    (
                        json!({"jsonrpc": "2.0", "id": id, "method": "no/such", "params": {"_meta": meta()}}),
                        Want::Code(-32601),
                    )
                }
            }
        };
        let mut line = message.to_string().into_bytes();
        line.push(b'\n');
        (line, want)
    }
}

fn check(answer: &Value, want: Want) -> bool {
    let result = &answer["result"];
    match want {
        Want::Snippet(len) => {
            result["structuredContent"]["code"].as_str().map(str::len) == Some(len)
        }
        Want::Patterns => result["structuredContent"]["patterns"]
            .as_array()
            .is_some_and(|p| p.len() > 20),
        Want::Hits => result["structuredContent"]["hits"][0]["id"] == "semaphore",
        Want::File(len) => result["contents"][0]["text"].as_str().map(str::len) == Some(len),
        Want::Prompt => result["messages"].as_array().is_some_and(|m| !m.is_empty()),
        Want::ToolError => result["isError"] == true,
        Want::Code(code) => answer["error"]["code"] == code,
    }
}

/// Learns the catalogue (snippet ids with their code length, text files with theirs)
/// from the server itself, so the checks compare against what it serves.
fn learn(bin: &PathBuf) -> Mix {
    let mut child = spawn_stdio(bin);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ask = |message: Value| -> Value {
        writeln!(stdin, "{message}").unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    };
    let list = ask(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "list_patterns", "arguments": {}, "_meta": meta()}}));
    let ids: Vec<String> = list["result"]["structuredContent"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    let mut snippets = Vec::new();
    for id in ids.iter().take(12) {
        let reply = ask(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "get_snippet", "arguments": {"id": id}, "_meta": meta()}}));
        if let Some(code) = reply["result"]["structuredContent"]["code"].as_str() {
            snippets.push((id.clone(), code.len()));
        }
    }
    let mut files = Vec::new();
    for id in ids.iter().take(8) {
        let uri = format!("skill://async-python-patterns/references/{id}.md");
        let reply = ask(
            json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read",
            "params": {"uri": uri, "_meta": meta()}}),
        );
        if let Some(text) = reply["result"]["contents"][0]["text"].as_str() {
            files.push((uri, text.len()));
        }
    }
    drop(stdin);
    let _ = child.wait();
    assert!(!snippets.is_empty() && !files.is_empty());
    Mix { snippets, files }
}

struct StdioReport {
    requests: u64,
    answered: u64,
    wrong: u64,
    seconds: f64,
    rss_after_warmup_kib: u64,
    rss_end_kib: u64,
    peak_kib: u64,
}

/// Reads answers until `total` have come (or stdout ends), checking each against its
/// request: the id is one we sent and not answered before, and the content is right.
/// Calls `progress` with the count after each answer; returns (answered, wrong).
fn read_and_check(
    mut reader: impl BufRead,
    mix: &Mix,
    total: u64,
    mut progress: impl FnMut(u64),
) -> (u64, u64) {
    let mut seen = vec![false; total as usize];
    let (mut answered, mut wrong) = (0u64, 0u64);
    let mut line = String::new();
    while answered < total {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let answer: Value = serde_json::from_str(&line).expect("every stdout line is JSON");
        let Some(n) = answer["id"].as_u64().filter(|n| *n < total) else {
            wrong += 1;
            continue;
        };
        if std::mem::replace(&mut seen[n as usize], true) {
            wrong += 1; // answered twice
        }
        if !check(&answer, mix.message(n).1) {
            wrong += 1;
            if wrong <= 3 {
                eprintln!("wrong answer to {n}: {}", &line[..line.len().min(300)]);
            }
        }
        answered += 1;
        progress(answered);
    }
    (answered, wrong)
}

/// Pipelines `total` requests over one connection: a writer thread sends them all, this
/// thread reads and checks every answer, sampling memory as it goes.
fn stdio_soak(bin: &PathBuf, mix: &Arc<Mix>, total: u64) -> StdioReport {
    let mut child = spawn_stdio(bin);
    let pid = child.id();
    let mut stdin = std::io::BufWriter::with_capacity(256 * 1024, child.stdin.take().unwrap());
    let stdout = child.stdout.take().unwrap();
    let writer_mix = mix.clone();
    let writer = std::thread::spawn(move || {
        for n in 0..total {
            let (line, _) = writer_mix.message(n);
            stdin.write_all(&line).unwrap();
        }
        stdin.flush().unwrap();
        stdin
    });
    let start = Instant::now();
    let mut rss_after_warmup = 0;
    let reader = BufReader::with_capacity(256 * 1024, stdout);
    let (answered, wrong) = read_and_check(reader, mix, total, |answered| {
        if answered == total / 10 {
            rss_after_warmup = memory_kib(pid).0;
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    let (rss_end, peak) = memory_kib(pid);
    drop(writer.join().unwrap());
    let _ = child.wait();
    StdioReport {
        requests: total,
        answered,
        wrong,
        seconds,
        rss_after_warmup_kib: rss_after_warmup,
        rss_end_kib: rss_end,
        peak_kib: peak,
    }
}

/// A client that writes and never reads: how much could it write before blocking, and
/// how large did the server grow meanwhile? Then it reads everything back.
fn backpressure(bin: &PathBuf, mix: &Arc<Mix>, total: u64) -> Value {
    let mut child = spawn_stdio(bin);
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let written = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let (w, d, m) = (written.clone(), done.clone(), mix.clone());
    let writer = std::thread::spawn(move || {
        for n in 0..total {
            let (line, _) = m.message(n);
            stdin.write_all(&line).unwrap();
            w.store(n + 1, Ordering::Relaxed);
        }
        d.store(true, Ordering::Relaxed);
        stdin
    });
    // Let the pipes and the server's queue fill, then look.
    std::thread::sleep(Duration::from_secs(3));
    let stalled_at = written.load(Ordering::Relaxed);
    let writer_blocked = !done.load(Ordering::Relaxed);
    let (rss_stalled, _) = memory_kib(pid);
    std::thread::sleep(Duration::from_secs(1));
    let still = written.load(Ordering::Relaxed);
    // Now read everything.
    let (answered, wrong) = read_and_check(BufReader::new(stdout), mix, total, |_| {});
    drop(writer.join().unwrap());
    let _ = child.wait();
    json!({
        "requests": total,
        "written_before_stall": stalled_at,
        "writer_blocked": writer_blocked && still == stalled_at,
        "server_rss_while_stalled_kib": rss_stalled,
        "answered_after_resuming": answered,
        "wrong": wrong,
    })
}

struct HttpServer {
    child: std::process::Child,
    port: u16,
}

impl HttpServer {
    fn start(bin: &PathBuf, extra: &[&str]) -> Self {
        let mut child = Command::new(bin)
            .args(["serve", "--http", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let port = loop {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "no address line");
            if let Some(rest) = line
                .trim()
                .strip_prefix("async-patterns: MCP on http://127.0.0.1:")
            {
                break rest.trim_end_matches("/mcp").parse().unwrap();
            }
        };
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        Self { child, port }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_request(port: u16, body: &str) -> Vec<u8> {
    format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {MODERN}\r\n\
         Mcp-Method: tools/call\r\nMcp-Name: get_snippet\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads one response on a keep-alive connection: (status, body).
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<u8>)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((status, body))
}

fn http_load(bin: &PathBuf, total: u64, clients: u64) -> Value {
    let server = HttpServer::start(bin, &[]);
    let pid = server.child.id();
    let port = server.port;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_snippet", "arguments": {"id": "gather"}, "_meta": meta()}})
    .to_string();
    let request = Arc::new(http_request(port, &body));
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let warm = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (request, next, errors, warm) =
                (request.clone(), next.clone(), errors.clone(), warm.clone());
            std::thread::spawn(move || {
                let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    writer.write_all(&request).unwrap();
                    match read_response(&mut reader) {
                        Ok((200, body)) => {
                            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                            if v["result"]["structuredContent"]["id"] != "gather" {
                                errors.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    warm.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let mut rss_after_warmup = 0;
    while warm.load(Ordering::Relaxed) < total / 10 {
        std::thread::sleep(Duration::from_millis(5));
    }
    rss_after_warmup = rss_after_warmup.max(memory_kib(pid).0);
    for w in workers {
        w.join().unwrap();
    }
    let seconds = start.elapsed().as_secs_f64();
    let (rss_end, peak) = memory_kib(pid);
    json!({
        "requests": total,
        "clients": clients,
        "errors": errors.load(Ordering::Relaxed),
        "seconds": round(seconds),
        "requests_per_second": (total as f64 / seconds).round(),
        "rss_after_warmup_kib": rss_after_warmup,
        "rss_end_kib": rss_end,
        "peak_kib": peak,
        "rss_growth_percent": growth(rss_after_warmup, rss_end),
    })
}

fn raise_fd_limit(want: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit on a struct we own.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max.min(want as libc::rlim_t);
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
    }
    limit.rlim_cur
}

/// Opens `count` connections that never send a byte, then times one real request.
fn idle_flood(bin: &PathBuf, count: u64) -> Value {
    let allowed = raise_fd_limit(count + 1024);
    let count = count.min(allowed.saturating_sub(512));
    let server = HttpServer::start(bin, &[]);
    let pid = server.child.id();
    let (rss_before, _) = memory_kib(pid);
    let mut idle = Vec::with_capacity(count as usize);
    for _ in 0..count {
        match TcpStream::connect(("127.0.0.1", server.port)) {
            Ok(s) => idle.push(s),
            Err(_) => break,
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let server_fds = open_fds(pid);
    let (rss_flooded, _) = memory_kib(pid);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_snippet", "arguments": {"id": "gather"}, "_meta": meta()}})
    .to_string();
    let started = Instant::now();
    let served = (|| -> std::io::Result<u16> {
        let stream = TcpStream::connect(("127.0.0.1", server.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        let mut writer = stream.try_clone()?;
        writer.write_all(&http_request(server.port, &body))?;
        Ok(read_response(&mut BufReader::new(stream))?.0)
    })();
    let wait = started.elapsed().as_secs_f64();
    let (rss_after, peak) = memory_kib(pid);
    let opened = idle.len();
    drop(idle);
    json!({
        "idle_connections": opened,
        "server_open_fds": server_fds,
        "rss_before_kib": rss_before,
        "rss_flooded_kib": rss_flooded,
        "rss_after_kib": rss_after,
        "peak_kib": peak,
        "real_request_status": served.as_ref().map_or(0, |s| *s),
        "real_request_wait_s": round(wait),
    })
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn growth(before: u64, after: u64) -> f64 {
    if before == 0 {
        return 0.0;
    }
    round((after as f64 - before as f64) * 100.0 / before as f64)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let bin = binary();
    let mix = Arc::new(learn(&bin));
    let mut failures = Vec::new();

    let total = setting("SOAK_REQUESTS", 1_000_000, 50_000);
    let s = stdio_soak(&bin, &mix, total);
    let stdio = json!({
        "requests": s.requests,
        "answered": s.answered,
        "wrong_or_duplicate": s.wrong,
        "seconds": round(s.seconds),
        "requests_per_second": (s.requests as f64 / s.seconds).round(),
        "rss_after_warmup_kib": s.rss_after_warmup_kib,
        "rss_end_kib": s.rss_end_kib,
        "peak_kib": s.peak_kib,
        "rss_growth_percent": growth(s.rss_after_warmup_kib, s.rss_end_kib),
    });
    eprintln!("stdio: {stdio}");
    if s.answered != s.requests || s.wrong != 0 {
        failures.push("stdio: lost or wrong answers");
    }
    if growth(s.rss_after_warmup_kib, s.rss_end_kib) >= 10.0 {
        failures.push("stdio: memory grew by 10% or more after warm-up");
    }

    let bp_total = setting("SOAK_BACKPRESSURE_REQUESTS", 300_000, 100_000);
    let bp = backpressure(&bin, &mix, bp_total);
    eprintln!("backpressure: {bp}");
    if bp["answered_after_resuming"] != bp_total || bp["wrong"] != 0 {
        failures.push("backpressure: lost or wrong answers");
    }
    if bp["writer_blocked"] != true {
        failures.push("backpressure: the server kept reading a client that does not read");
    }

    let http_total = setting("SOAK_HTTP_REQUESTS", 200_000, 20_000);
    let clients = setting("SOAK_HTTP_CLIENTS", 64, 64);
    let http = http_load(&bin, http_total, clients);
    eprintln!("http: {http}");
    if http["errors"] != 0 {
        failures.push("http: errors");
    }
    if http["rss_growth_percent"].as_f64().unwrap_or(0.0) >= 10.0 {
        failures.push("http: memory grew by 10% or more after warm-up");
    }

    let idle_count = setting("SOAK_IDLE", 10_000, 2_000);
    let idle = idle_flood(&bin, idle_count);
    eprintln!("idle: {idle}");
    if idle["real_request_status"] != 200 {
        failures.push("idle flood: a real client was not served");
    }

    let report = json!({
        "stdio": stdio,
        "backpressure": bp,
        "http": http,
        "idle_flood": idle,
        "failures": failures,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
