//! The portable demo engine (what macOS and other Unixes build on), forced on Linux with
//! `--sandbox portable` and driven through the real server over stdio: its layers are
//! reported with what it lacks, the deadline and the process-group kill hold, and nothing
//! is left behind.

use crate::support::{fixture, have_python, processes_mentioning, scratch_dirs_of, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn portable() -> Server {
    let skill = fixture("hostile-skill");
    Server::spawn_with(
        &["--skill-dir", skill.to_str().unwrap()],
        &["--sandbox", "portable"],
    )
}

fn run(s: &mut Server, args: Value) -> Value {
    let reply = s.call_tool("run_demo", args);
    let report = reply["result"]["structuredContent"].clone();
    assert!(report.is_object(), "no report: {reply}");
    assert!(s.modern("tools/list", Value::Null)["result"]["tools"].is_array());
    report
}

#[test]
fn portable_engine_reports_the_layers_it_holds_and_those_it_lacks() {
    if !have_python() {
        return;
    }
    let mut s = portable();
    let server_pid = s.child.id();
    let report = run(&mut s, json!({"id": "peek"}));
    let isolation = &report["isolation"];
    assert_eq!(isolation["process_group"], true, "{isolation}");
    assert_eq!(isolation["empty_environment"], true);
    assert_eq!(isolation["scratch_removed"], true);
    for absent in [
        "pid_namespace",
        "network_isolated",
        "pids_cgroup",
        "filesystem_confined",
    ] {
        assert_eq!(isolation[absent], false, "{absent}: {isolation}");
    }
    let rlimits = isolation["rlimits"].to_string();
    for limit in [
        "cpu 10 s",
        "address space 1024 MiB",
        "open files 256",
        "core dumps 0",
    ] {
        assert!(rlimits.contains(limit), "{limit} missing: {rlimits}");
    }
    let notes = isolation["notes"].to_string();
    for gap in [
        "PID namespace",
        "process-count limit",
        "network isolation",
        "filesystem confinement",
    ] {
        assert!(notes.contains(gap), "no note on {gap}: {notes}");
    }
    let env = report["summary"]["env"].as_array().unwrap();
    for key in env.iter().map(|v| v.as_str().unwrap()) {
        assert!(
            ["HOME", "LANG", "PATH", "TMPDIR", "LC_CTYPE", "PWD"].contains(&key),
            "unexpected variable {key}"
        );
    }
    assert!(!std::path::Path::new(report["summary"]["cwd"].as_str().unwrap()).exists());
    assert!(scratch_dirs_of(server_pid).is_empty());
}

#[test]
fn portable_engine_kills_a_sleeper_at_the_deadline_and_keeps_its_output() {
    if !have_python() {
        return;
    }
    let mut s = portable();
    let started = Instant::now();
    let report = run(&mut s, json!({"id": "sleeper", "timeout_ms": 700}));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report["timed_out"], true);
    assert_eq!(report["stdout"], "started\n");
    assert!(processes_mentioning("sleeper.py").is_empty());
}

#[test]
fn portable_engine_kills_the_demos_whole_process_group() {
    if !have_python() {
        return;
    }
    let mut s = portable();
    // Forks children that sleep 30 s; the deadline must take every one of them.
    let report = run(&mut s, json!({"id": "forkbomb", "timeout_ms": 400}));
    assert_eq!(report["isolation"]["process_group"], true);
    std::thread::sleep(Duration::from_millis(300));
    let left = processes_mentioning("forkbomb.py");
    assert!(
        left.is_empty(),
        "{} processes left: {:?}",
        left.len(),
        left.first()
    );
}

#[test]
fn portable_engine_holds_the_address_space_limit() {
    if !have_python() {
        return;
    }
    let mut s = portable();
    let report = run(&mut s, json!({"id": "hog", "timeout_ms": 20000}));
    assert_eq!(report["summary"]["memory_error"], true, "{report}");
    assert!(report["summary"]["allocated_mib"].as_u64().unwrap() <= 1024);
}
