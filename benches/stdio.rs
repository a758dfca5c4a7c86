//! Stdio benchmark of the release binary: cold start, sequential latency, pipelined
//! throughput and peak memory. Run with `cargo bench --bench stdio` (builds the release
//! binary first); `BENCH_QUICK=1` shrinks every workload for a smoke run.
//!
//! Timings are wall-clock medians over several runs; on these shared 2-core machines
//! compare figures from one run, not across runs.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

mod support;
use support::binary;

const MODERN: &str = "2026-07-28";

struct Proc {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// `BENCH_SKILL_DIR` benchmarks another skill folder instead of the embedded one.
fn skill_args() -> Vec<String> {
    match std::env::var("BENCH_SKILL_DIR") {
        Ok(dir) => vec!["--skill-dir".into(), dir],
        Err(_) => Vec::new(),
    }
}

fn spawn(bin: &PathBuf) -> Proc {
    let mut child = Command::new(bin)
        .args(skill_args())
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    Proc {
        child,
        stdin,
        stdout,
    }
}

impl Proc {
    fn send(&mut self, message: &str) {
        self.stdin.write_all(message.as_bytes()).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line
    }

    fn peak_rss_kib(&self) -> Option<u64> {
        support::status_kib(self.child.id(), "VmHWM")
    }

    fn close(mut self) {
        drop(self.stdin);
        let _ = self.child.wait();
    }
}

fn initialize() -> String {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}})
    .to_string()
}

fn modern_call(id: u64, tool: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": tool, "arguments": arguments,
        "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}})
    .to_string()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    percentile(values, 0.5)
}

fn cold_start(bin: &PathBuf, runs: usize, message: &str) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let mut p = spawn(bin);
            p.send(message);
            let reply = p.recv();
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            assert!(reply.contains("\"result\""), "{reply}");
            p.close();
            elapsed
        })
        .collect()
}

fn main() {
    let quick = std::env::var_os("BENCH_QUICK").is_some();
    let scale = |n: usize| if quick { (n / 50).max(5) } else { n };
    let bin = binary();
    // The same ~1.6 KB payload peers are measured with: one snippet.
    let snippet_id = std::env::var("BENCH_SNIPPET").unwrap_or_else(|_| "gather".into());

    let mut cold_legacy = cold_start(&bin, scale(200), &initialize());
    let modern_list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}})
    .to_string();
    let mut cold_modern = cold_start(&bin, scale(200), &modern_list);

    // Sequential latency: one call in flight at a time.
    let mut p = spawn(&bin);
    let n = scale(20_000);
    let call = modern_call(7, "get_snippet", json!({"id": snippet_id}));
    p.send(&call);
    let payload = p.recv();
    assert!(
        payload.contains("structuredContent"),
        "get_snippet failed: {payload}"
    );
    let mut latencies: Vec<f64> = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        p.send(&call);
        let _ = p.recv();
        latencies.push(started.elapsed().as_secs_f64() * 1e6);
    }
    latencies.sort_by(f64::total_cmp);

    // Other tools, sequential.
    let mut per_tool = Vec::new();
    for (tool, args) in [
        ("list_patterns", json!({})),
        (
            "search_patterns",
            json!({"query": "limit the number of concurrent requests"}),
        ),
    ] {
        let message = modern_call(8, tool, args);
        let mut times: Vec<f64> = (0..scale(5_000))
            .map(|_| {
                let started = Instant::now();
                p.send(&message);
                let _ = p.recv();
                started.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        per_tool.push((tool, median(&mut times)));
    }

    // run_demo overhead: the same demo through the tool and as `python script.py`.
    let demo_runs = scale(30).max(10);
    let demo_id = std::env::var("BENCH_DEMO").unwrap_or_else(|_| "gather".into());
    let demo_call = modern_call(
        9,
        "run_demo",
        json!({"id": demo_id, "params": {"delay": 0}}),
    );
    p.send(&demo_call);
    let first = p.recv();
    let report: Value = serde_json::from_str(&first).expect("run_demo reply");
    let interpreter = report["result"]["structuredContent"]["interpreter"]["path"]
        .as_str()
        .map(String::from);
    let mut through_tool: Vec<f64> = (0..demo_runs)
        .map(|_| {
            let started = Instant::now();
            p.send(&demo_call);
            let _ = p.recv();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let script = std::env::var("BENCH_DEMO_SCRIPT").unwrap_or_else(|_| {
        format!(
            "{}/skill/async-python-patterns/scripts/{demo_id}.py",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let mut direct: Vec<f64> = match &interpreter {
        Some(python) => (0..demo_runs)
            .map(|_| {
                let started = Instant::now();
                let status = Command::new(python)
                    .args(["-E", "-s", "-B", "-u", &script, "--delay", "0"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("run python");
                assert!(status.success());
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
        None => vec![f64::NAN],
    };
    let demo_tool_ms = median(&mut through_tool);
    let demo_direct_ms = median(&mut direct);

    // Pipelined: a writer thread floods requests while this thread reads replies.
    let total = scale(200_000);
    let mut stdin = p.stdin;
    let snippet_for_writer = snippet_id.clone();
    let writer = std::thread::spawn(move || {
        let mut buf = Vec::with_capacity(1 << 20);
        for i in 0..total {
            buf.extend_from_slice(
                modern_call(i as u64, "get_snippet", json!({"id": snippet_for_writer})).as_bytes(),
            );
            buf.push(b'\n');
            if buf.len() > 1 << 19 {
                stdin.write_all(&buf).unwrap();
                buf.clear();
            }
        }
        stdin.write_all(&buf).unwrap();
        stdin
    });
    let started = Instant::now();
    let mut line = String::new();
    for _ in 0..total {
        line.clear();
        p.stdout.read_line(&mut line).unwrap();
    }
    let pipelined = total as f64 / started.elapsed().as_secs_f64();
    let stdin = writer.join().unwrap();
    let proc = Proc {
        child: p.child,
        stdin,
        stdout: p.stdout,
    };
    let peak = proc.peak_rss_kib();
    proc.close();

    let result = json!({
        "server": "async-patterns",
        "cold_start_initialize_ms": {"median": median(&mut cold_legacy), "runs": cold_legacy.len()},
        "cold_start_modern_ms": {"median": median(&mut cold_modern), "runs": cold_modern.len()},
        "get_snippet_latency_us": {"p50": percentile(&latencies, 0.5), "p99": percentile(&latencies, 0.99), "calls": n, "payload_bytes": payload.len()},
        "other_tools_p50_us": per_tool.iter().map(|(t, v)| (t.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "pipelined_calls_per_s": pipelined.round(),
        "run_demo_ms": {"through_tool": demo_tool_ms, "python_directly": demo_direct_ms,
            "overhead": demo_tool_ms - demo_direct_ms, "runs": demo_runs},
        "peak_rss_mib": peak.map(|k| (k as f64 / 1024.0 * 10.0).round() / 10.0),
    });
    println!("{}", serde_json::to_string_pretty(&result).unwrap());
    eprintln!(
        "| cold start (initialize) | {:.2} ms |\n| cold start (modern tools/list) | {:.2} ms |\n| get_snippet p50 / p99 | {:.1} / {:.1} µs |\n| pipelined | {:.0} calls/s |\n| peak RSS | {} MiB |\n| run_demo vs python directly | {:.1} ms vs {:.1} ms (overhead {:.1} ms) |",
        result["cold_start_initialize_ms"]["median"].as_f64().unwrap(),
        result["cold_start_modern_ms"]["median"].as_f64().unwrap(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        pipelined,
        result["peak_rss_mib"],
        demo_tool_ms,
        demo_direct_ms,
        demo_tool_ms - demo_direct_ms
    );
}
