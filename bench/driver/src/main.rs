//! Side-by-side benchmark driver: the same workload against this server and the peer
//! servers built on the official MCP SDKs (Python, TypeScript, Rust/rmcp). `bench/run.sh`
//! installs and builds the peers, then runs `bench-driver SERVERS.json OUT.json`.
//! A crate of its own (like the rmcp peer, and sharing its target folder) so that the
//! smoke run in CI does not rebuild async-patterns with its dev-dependencies.
//!
//! SERVERS.json lists `{"name", "stdio": [argv], "http": [argv with "{port}"]}`; the first
//! entry must be async-patterns itself: its `get_snippet` and `list_patterns` answers
//! become the fixture (`BENCH_FIXTURE`) the peers serve, so every server returns the same
//! bytes. Everything is measured with blocking std I/O from this one process (stdio) or
//! with `wrk` (HTTP), the same way for every server. Each figure is taken once per run;
//! runs interleave the servers so that machine noise spreads over all of them.

use serde_json::{json, Map, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const MODERN: &str = "2026-07-28";
const LEGACY: &str = "2025-11-25";
const QUERY: &str = "limit the number of concurrent requests";
/// A line of the gather snippet: every `get_snippet` answer must contain it.
const SNIPPET_MARK: &str = "asyncio.gather(";

#[derive(Clone, Copy, PartialEq)]
enum Protocol {
    /// `initialize` handshake first (2025-11-25), a session over HTTP when the server
    /// hands one out.
    Legacy,
    /// 2026-07-28: no handshake, every request carries its version in `_meta`.
    Modern,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::Legacy => LEGACY,
            Protocol::Modern => MODERN,
        }
    }
}

struct Settings {
    quick: bool,
    cold_starts: usize,
    sequential: usize,
    other_tools: usize,
    demo_runs: usize,
    http_seconds: u64,
    python: String,
    scripts: PathBuf,
    fixture: PathBuf,
}

#[derive(Clone)]
struct Server {
    name: String,
    stdio: Vec<String>,
    http: Vec<String>,
}

fn request(id: u64, method: &str, params: Value, protocol: Protocol) -> String {
    let mut params = params;
    if protocol == Protocol::Modern {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "0"}
        });
    }
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

fn call(id: u64, tool: &str, arguments: Value, protocol: Protocol) -> String {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
        protocol,
    )
}

fn initialize() -> String {
    request(
        0,
        "initialize",
        json!({"protocolVersion": LEGACY, "capabilities": {},
               "clientInfo": {"name": "bench", "version": "0"}}),
        Protocol::Legacy,
    )
}

const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

fn is_notification(line: &str) -> bool {
    line.contains(r#""method":"notifications/"#) || line.contains(r#""method": "notifications/"#)
}

// ---------------------------------------------------------------- stdio

struct StdioSession {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

fn spawn(argv: &[String], settings: &Settings, stdin: Stdio, stdout: Stdio) -> Child {
    Command::new(&argv[0])
        .args(&argv[1..])
        .env("BENCH_FIXTURE", &settings.fixture)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {argv:?}: {e}"))
}

impl StdioSession {
    fn start(argv: &[String], settings: &Settings) -> Self {
        let mut child = spawn(argv, settings, Stdio::piped(), Stdio::piped());
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        StdioSession {
            child,
            stdin,
            stdout,
        }
    }

    fn send(&mut self, message: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        let mut line = Vec::with_capacity(message.len() + 1);
        line.extend_from_slice(message.as_bytes());
        line.push(b'\n');
        stdin.write_all(&line).expect("write request");
        stdin.flush().expect("flush");
    }

    /// The next answer, skipping notifications (log messages, progress).
    fn recv(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.stdout.read_line(&mut line).expect("read answer");
            assert!(n > 0, "server closed its stdout");
            if !is_notification(&line) {
                return line;
            }
        }
    }

    fn ask(&mut self, message: &str) -> String {
        self.send(message);
        self.recv()
    }

    /// The handshake for the legacy protocol; nothing for the modern one.
    fn open(&mut self, protocol: Protocol) {
        if protocol == Protocol::Legacy {
            let reply = self.ask(&initialize());
            assert!(reply.contains("\"result\""), "initialize: {reply}");
            self.send(INITIALIZED);
        }
    }

    /// Closes stdin and gives the server a moment to exit by itself; `Drop` kills it.
    fn close(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// A failed measurement (a panic) must not leave servers behind.
impl Drop for StdioSession {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((values.len() as f64 - 1.0) * p).round() as usize;
    values[rank.min(values.len() - 1)]
}

/// Spawn to the first answer: `initialize` (legacy) or a modern `tools/list`.
fn cold_start_ms(server: &Server, protocol: Protocol, settings: &Settings) -> f64 {
    let first = match protocol {
        Protocol::Legacy => initialize(),
        Protocol::Modern => request(1, "tools/list", json!({}), Protocol::Modern),
    };
    let mut times: Vec<f64> = (0..settings.cold_starts)
        .map(|_| {
            let started = Instant::now();
            let mut session = StdioSession::start(&server.stdio, settings);
            let reply = session.ask(&first);
            let elapsed = started.elapsed().as_secs_f64() * 1e3;
            assert!(reply.contains("\"result\""), "{}: {reply}", server.name);
            session.close();
            elapsed
        })
        .collect();
    percentile(&mut times, 0.5)
}

fn sequential_us(session: &mut StdioSession, message: &str, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let started = Instant::now();
            let _ = session.ask(message);
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect()
}

/// Sends `n` requests without waiting (a writer thread) while this thread reads the
/// `n` answers; calls per second from the first byte written to the last answer read.
fn pipelined_per_s(session: &mut StdioSession, protocol: Protocol, n: usize) -> f64 {
    let mut stdin = session.stdin.take().expect("stdin open");
    let started = Instant::now();
    let writer = std::thread::spawn(move || {
        let mut buf = Vec::with_capacity(1 << 16);
        for i in 0..n {
            buf.extend_from_slice(
                call(
                    1000 + i as u64,
                    "get_snippet",
                    json!({"id": "gather"}),
                    protocol,
                )
                .as_bytes(),
            );
            buf.push(b'\n');
            if buf.len() > 1 << 15 {
                stdin.write_all(&buf).expect("write");
                buf.clear();
            }
        }
        stdin.write_all(&buf).expect("write");
        stdin.flush().expect("flush");
        stdin
    });
    for _ in 0..n {
        let _ = session.recv();
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    session.stdin = Some(writer.join().expect("writer thread"));
    rate
}

fn measure_stdio(
    server: &Server,
    protocol: Protocol,
    settings: &Settings,
    out: &mut Map<String, Value>,
) {
    out.insert(
        "cold_start_ms".into(),
        json!(cold_start_ms(server, protocol, settings)),
    );

    let mut session = StdioSession::start(&server.stdio, settings);
    session.open(protocol);
    let snippet = call(1, "get_snippet", json!({"id": "gather"}), protocol);
    let first = session.ask(&snippet);
    assert!(
        first.contains(SNIPPET_MARK) && first.contains("structuredContent"),
        "{} get_snippet: {first}",
        server.name
    );
    out.insert("get_snippet_answer_bytes".into(), json!(first.len()));
    // Warm-up (JITs, caches, lazily built tables), not measured.
    let _ = sequential_us(&mut session, &snippet, settings.sequential / 10);
    let mut latencies = sequential_us(&mut session, &snippet, settings.sequential);
    let p50 = percentile(&mut latencies, 0.5);
    out.insert("get_snippet_p50_us".into(), json!(p50));
    out.insert(
        "get_snippet_p99_us".into(),
        json!(percentile(&mut latencies, 0.99)),
    );
    for (key, tool, arguments) in [
        ("list_patterns_p50_us", "list_patterns", json!({})),
        (
            "search_patterns_p50_us",
            "search_patterns",
            json!({"query": QUERY}),
        ),
    ] {
        let message = call(2, tool, arguments, protocol);
        let reply = session.ask(&message);
        assert!(
            reply.contains("\"result\""),
            "{} {tool}: {reply}",
            server.name
        );
        let mut times = sequential_us(&mut session, &message, settings.other_tools);
        out.insert(key.into(), json!(percentile(&mut times, 0.5)));
    }

    // run_demo against the same script run directly (`python -E -s`) with the same interpreter.
    let demo = call(
        3,
        "run_demo",
        json!({"id": "gather", "params": {"delay": 0}}),
        protocol,
    );
    let reply = session.ask(&demo);
    assert!(
        reply.contains("\"result\"") && reply.contains("completion_order"),
        "{} run_demo: {reply}",
        server.name
    );
    let mut through_tool: Vec<f64> = (0..settings.demo_runs)
        .map(|_| {
            let started = Instant::now();
            let _ = session.ask(&demo);
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let script = settings.scripts.join("gather.py");
    let mut direct: Vec<f64> = (0..settings.demo_runs)
        .map(|_| {
            let started = Instant::now();
            // Bare, as the sandbox runs it: no PYTHON* variables, no user site-packages,
            // no bytecode written (into the skill's folder, here), the script's folder
            // importable (gather imports scripts/_timeline.py).
            let status = Command::new(&settings.python)
                .arg("-E")
                .arg("-s")
                .arg("-B")
                .arg(&script)
                .args(["--delay", "0"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run python");
            assert!(status.success());
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let tool_ms = percentile(&mut through_tool, 0.5);
    let direct_ms = percentile(&mut direct, 0.5);
    out.insert("run_demo_ms".into(), json!(tool_ms));
    out.insert("python_directly_ms".into(), json!(direct_ms));
    out.insert("run_demo_overhead_ms".into(), json!(tool_ms - direct_ms));
    if let Some(mib) = peak_rss_mib(session.child.id()) {
        out.insert("peak_rss_sequential_mib".into(), json!(mib));
    }

    // Pipelined, sized to take about two seconds at the sequential rate.
    let n = if settings.quick {
        500
    } else {
        ((2e6 / p50.max(1.0)) as usize).clamp(2_000, 100_000)
    };
    let rate = pipelined_per_s(&mut session, protocol, n);
    out.insert("pipelined_calls_per_s".into(), json!(rate));
    out.insert("pipelined_calls".into(), json!(n));
    if let Some(mib) = peak_rss_mib(session.child.id()) {
        out.insert("peak_rss_mib".into(), json!(mib));
    }
    session.close();
}

// ---------------------------------------------------------------- HTTP

struct HttpReply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl HttpReply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&raw[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        raw = &raw[end + 2..];
        if size == 0 || raw.len() < size {
            break;
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[(size + 2).min(raw.len())..];
    }
    body
}

/// One POST on a fresh connection (`Connection: close`, read to the end).
fn post(port: u16, headers: &[(String, String)], body: &str) -> std::io::Result<HttpReply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut head = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &raw[split + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Ok(HttpReply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn base_headers() -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/json".into()),
        (
            "Accept".into(),
            "application/json, text/event-stream".into(),
        ),
    ]
}

struct HttpServer {
    child: Child,
    port: u16,
}

impl HttpServer {
    fn start(server: &Server, settings: &Settings) -> Self {
        let port = free_port();
        let argv: Vec<String> = server
            .http
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let mut child = spawn(&argv, settings, Stdio::null(), Stdio::null());
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{}: HTTP server did not listen on {port}", server.name);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        HttpServer { child, port }
    }

    /// The headers every `tools/call` carries: a session for legacy servers that hand one
    /// out, the version (and method/name routing headers) for modern requests.
    fn session_headers(&self, name: &str, protocol: Protocol) -> Vec<(String, String)> {
        let mut headers = base_headers();
        match protocol {
            Protocol::Legacy => {
                let reply = post(self.port, &headers, &initialize()).expect("initialize");
                assert!(
                    reply.status == 200 && reply.body.contains("\"result\""),
                    "{name} HTTP initialize: {} {}",
                    reply.status,
                    reply.body
                );
                if let Some(session) = reply.header("mcp-session-id") {
                    headers.push(("Mcp-Session-Id".into(), session.to_string()));
                }
                headers.push(("MCP-Protocol-Version".into(), LEGACY.into()));
                let ack = post(self.port, &headers, INITIALIZED).expect("initialized");
                assert!(
                    ack.status / 100 == 2,
                    "{name} notifications/initialized: {}",
                    ack.status
                );
            }
            Protocol::Modern => {
                headers.push(("MCP-Protocol-Version".into(), MODERN.into()));
                headers.push(("Mcp-Method".into(), "tools/call".into()));
                headers.push(("Mcp-Name".into(), "get_snippet".into()));
            }
        }
        headers
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `wrk` for `seconds` with `connections` keep-alive connections, all posting the same
/// `get_snippet` call. Returns requests/s and the count of failed answers.
fn wrk(
    port: u16,
    headers: &[(String, String)],
    body: &str,
    connections: usize,
    seconds: u64,
    work: &Path,
) -> (f64, u64) {
    let mut lua = String::from("wrk.method = \"POST\"\n");
    lua.push_str(&format!("wrk.body = [==[{body}]==]\n"));
    for (k, v) in headers {
        lua.push_str(&format!("wrk.headers[\"{k}\"] = [==[{v}]==]\n"));
    }
    let script = work.join(format!("wrk-{port}.lua"));
    std::fs::write(&script, lua).expect("write wrk script");
    let threads = connections.min(2);
    let output = Command::new("wrk")
        .args([
            &format!("-t{threads}"),
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "-s",
        ])
        .arg(&script)
        .arg(format!("http://127.0.0.1:{port}/mcp"))
        .output()
        .expect("run wrk (apt-get install -y wrk)");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let find = |label: &str| -> Option<f64> {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.rsplit(':').next())
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    };
    let rate = find("Requests/sec").unwrap_or(f64::NAN);
    let non_2xx = find("Non-2xx or 3xx responses").unwrap_or(0.0) as u64;
    let socket_errors: u64 = text
        .lines()
        .find(|l| l.trim_start().starts_with("Socket errors"))
        .map(|l| {
            l.split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    (rate, non_2xx + socket_errors)
}

fn measure_http(
    server: &Server,
    protocol: Protocol,
    settings: &Settings,
    work: &Path,
    out: &mut Map<String, Value>,
) {
    let http = HttpServer::start(server, settings);
    let headers = http.session_headers(&server.name, protocol);
    let body = call(1, "get_snippet", json!({"id": "gather"}), protocol);
    let reply = post(http.port, &headers, &body).expect("get_snippet over HTTP");
    assert!(
        reply.status == 200 && reply.body.contains(SNIPPET_MARK),
        "{} HTTP get_snippet: {} {}",
        server.name,
        reply.status,
        reply.body
    );
    out.insert(
        "http_content_type".into(),
        json!(reply.header("content-type").unwrap_or("")),
    );
    for (connections, key) in [
        (1, "http_1_client_req_per_s"),
        (32, "http_32_clients_req_per_s"),
    ] {
        let (rate, errors) = wrk(
            http.port,
            &headers,
            &body,
            connections,
            settings.http_seconds,
            work,
        );
        out.insert(key.into(), json!(rate));
        out.insert(format!("{key}_errors"), json!(errors));
    }
    if let Some(mib) = peak_rss_mib(http.child.id()) {
        out.insert("http_peak_rss_mib".into(), json!(mib));
    }
    drop(http);
}

// ---------------------------------------------------------------- fixture and main

/// Our own answers, written for the peers to serve: the same bytes for every server.
fn write_fixture(ours: &Server, settings: &Settings) {
    let mut session = StdioSession::start(&ours.stdio, settings);
    let mut structured = |message: String| -> Value {
        let reply: Value = serde_json::from_str(&session.ask(&message)).expect("JSON answer");
        reply["result"]["structuredContent"].clone()
    };
    let snippet = structured(call(
        1,
        "get_snippet",
        json!({"id": "gather"}),
        Protocol::Modern,
    ));
    let list = structured(call(2, "list_patterns", json!({}), Protocol::Modern));
    assert!(snippet["code"]
        .as_str()
        .unwrap_or("")
        .contains(SNIPPET_MARK));
    assert!(list["patterns"].is_array());
    session.close();
    let fixture = json!({
        "snippets": {"gather": snippet},
        "list_patterns": list,
        "scripts_dir": settings.scripts,
        "python": settings.python,
    });
    std::fs::write(&settings.fixture, fixture.to_string()).expect("write fixture");
}

fn summarize(samples: &[f64]) -> Value {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return Value::Null;
    }
    let median = percentile(&mut sorted, 0.5);
    json!({"median": median, "min": sorted[0], "max": sorted[sorted.len() - 1], "runs": samples})
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu_model": model,
        "kernel": kernel.trim(),
        "loadavg_at_start": load.trim(),
    })
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [servers_path, out_path] = &args[..] else {
        eprintln!("usage: bench-driver SERVERS.json OUT.json (environment: BENCH_QUICK, BENCH_RUNS, BENCH_PYTHON, BENCH_SCRIPTS, BENCH_WORK)");
        std::process::exit(2);
    };
    let servers: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(servers_path).expect("read servers"))
            .expect("servers JSON");
    let servers: Vec<Server> = servers
        .iter()
        .map(|s| {
            let argv = |key: &str| -> Vec<String> {
                s[key]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|v| v.as_str().unwrap_or("").to_string())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Server {
                name: s["name"].as_str().unwrap_or("?").to_string(),
                stdio: argv("stdio"),
                http: argv("http"),
            }
        })
        .collect();
    let quick = std::env::var_os("BENCH_QUICK").is_some();
    let env_usize = |key: &str, default: usize| -> usize {
        std::env::var(key)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let runs = env_usize("BENCH_RUNS", if quick { 1 } else { 5 });
    let work = PathBuf::from(out_path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let work = std::env::var_os("BENCH_WORK")
        .map(PathBuf::from)
        .unwrap_or(work);
    std::fs::create_dir_all(&work).expect("work folder");
    let settings = Settings {
        quick,
        cold_starts: if quick { 3 } else { 10 },
        sequential: if quick { 200 } else { 5_000 },
        other_tools: if quick { 50 } else { 1_000 },
        demo_runs: if quick { 3 } else { 10 },
        http_seconds: if quick { 1 } else { 5 },
        python: std::env::var("BENCH_PYTHON").unwrap_or_else(|_| "python3".into()),
        scripts: PathBuf::from(
            std::env::var("BENCH_SCRIPTS").expect("BENCH_SCRIPTS: the skill's scripts folder"),
        ),
        fixture: work.join("fixture.json"),
    };
    let started = Instant::now();
    let machine = machine();
    write_fixture(&servers[0], &settings);

    let protocols = [Protocol::Legacy, Protocol::Modern];
    // samples[server][protocol] = figure name -> one value per run
    let mut samples: Vec<Vec<Map<String, Value>>> =
        vec![vec![Map::new(); protocols.len()]; servers.len()];
    let mut failures: Vec<String> = Vec::new();
    for run in 0..runs {
        for (si, server) in servers.iter().enumerate() {
            for (pi, &protocol) in protocols.iter().enumerate() {
                eprintln!(
                    "run {}/{runs}: {} ({})",
                    run + 1,
                    server.name,
                    protocol.name()
                );
                let mut figures = Map::new();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    measure_stdio(server, protocol, &settings, &mut figures);
                    measure_http(server, protocol, &settings, &work, &mut figures);
                }));
                if outcome.is_err() {
                    failures.push(format!(
                        "{} {} run {}",
                        server.name,
                        protocol.name(),
                        run + 1
                    ));
                }
                for (key, value) in figures {
                    let list = samples[si][pi].entry(key).or_insert_with(|| json!([]));
                    list.as_array_mut().expect("array").push(value);
                }
            }
        }
    }

    let mut results = Vec::new();
    for (si, server) in servers.iter().enumerate() {
        for (pi, protocol) in protocols.iter().enumerate() {
            let mut figures = Map::new();
            for (key, values) in &samples[si][pi] {
                let values = values.as_array().expect("array");
                let summary = if values.iter().all(Value::is_number) {
                    let numbers: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
                    summarize(&numbers)
                } else {
                    values.first().cloned().unwrap_or(Value::Null)
                };
                figures.insert(key.clone(), summary);
            }
            results.push(json!({
                "server": server.name,
                "protocol": protocol.name(),
                "figures": figures,
            }));
        }
    }
    let mut machine = machine;
    machine["loadavg_at_end"] = json!(std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim());
    let report = json!({
        "quick": quick,
        "runs": runs,
        "seconds": started.elapsed().as_secs_f64().round(),
        "machine": machine,
        "settings": {
            "cold_starts_per_run": settings.cold_starts,
            "sequential_calls_per_run": settings.sequential,
            "other_tool_calls_per_run": settings.other_tools,
            "demo_runs_per_run": settings.demo_runs,
            "http_seconds_per_load": settings.http_seconds,
            "python": settings.python,
        },
        "failures": failures,
        "results": results,
    });
    std::fs::write(
        out_path,
        serde_json::to_string_pretty(&report).expect("JSON") + "\n",
    )
    .expect("write results");
    eprintln!("wrote {out_path}");
    if !failures.is_empty() {
        // The results are written all the same (the table names what failed), but the
        // exit status tells a smoke run in CI that something broke.
        eprintln!("failed: {failures:?}");
        std::process::exit(1);
    }
}
