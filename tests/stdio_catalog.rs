//! The embedded skill through the real server: the catalogue is complete, search finds
//! what people type, every demo runs green through run_demo, and every file is served
//! byte for byte with the digest the Skills extension promises.

use crate::support::{structured, Server};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

fn skill_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("skill/async-python-patterns")
}

fn all_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn catalogue_has_every_required_entry() {
    let mut s = Server::embedded();
    let list = structured(&s.call_tool("list_patterns", json!({})));
    let ids: Vec<&str> = list["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 25, "{} entries", ids.len());
    for id in [
        "event-loop",
        "coroutines",
        "tasks",
        "futures",
        "awaitables",
        "asyncio-run",
        "gather",
        "create-task",
        "error-handling",
        "timeouts",
        "semaphore",
        "taskgroup",
        "producer-consumer",
        "async-context-managers",
        "async-generators",
        "locks-and-events",
        "to-thread",
        "cancellation",
        "graceful-shutdown",
        "retry-backoff",
        "as-completed",
        "rate-limiting",
        "connection-pools",
        "sync-async-bridge",
        "testing",
        "forgotten-await",
        "blocking-the-loop",
        "nested-asyncio-run",
        "dangling-tasks",
        "swallowed-cancellation",
        "gather-no-cancel",
    ] {
        assert!(ids.contains(&id), "missing entry {id}");
    }
    let demos = list["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["has_demo"] == true)
        .count();
    assert!(demos >= 20, "{demos} demos");
}

#[test]
fn search_finds_what_people_type() {
    let mut s = Server::embedded();
    for (query, expected) in [
        ("limit the number of concurrent requests", "semaphore"),
        (
            "RuntimeWarning: coroutine 'fetch_user' was never awaited",
            "forgotten-await",
        ),
        ("run blocking code", "to-thread"),
        ("Task was destroyed but it is pending!", "dangling-tasks"),
        (
            "RuntimeError: asyncio.run() cannot be called from a running event loop",
            "nested-asyncio-run",
        ),
        ("limit requests per second", "rate-limiting"),
        ("cancel other tasks when one fails", "taskgroup"),
        ("time.sleep in async function", "blocking-the-loop"),
        ("how to test async functions with pytest", "testing"),
        ("handle SIGTERM", "graceful-shutdown"),
    ] {
        let out = structured(&s.call_tool("search_patterns", json!({"query": query, "limit": 3})));
        assert_eq!(
            out["hits"][0]["id"], expected,
            "query {query:?} gave {}",
            out["hits"]
        );
    }
}

#[test]
fn snippet_for_an_older_python_is_the_wait_for_variant() {
    let mut s = Server::embedded();
    let old = structured(&s.call_tool("get_snippet", json!({"id": "timeouts", "python": "3.10"})));
    assert!(old["code"].as_str().unwrap().contains("wait_for"));
    let new = structured(&s.call_tool("get_snippet", json!({"id": "timeouts", "python": "3.12"})));
    assert!(new["code"].as_str().unwrap().contains("asyncio.timeout("));
}

#[test]
fn every_file_is_served_exactly_with_its_digest() {
    let mut s = Server::embedded();
    let mut on_disk = Vec::new();
    all_files(&skill_root(), &mut on_disk);
    let got = s.modern(
        "skills/get",
        json!({"uri": "skill://async-python-patterns/SKILL.md"}),
    )["result"]
        .clone();
    let resources = got["skill"]["resources"].as_array().unwrap();
    assert_eq!(resources.len(), on_disk.len(), "every file exactly once");
    for path in &on_disk {
        let rel = path
            .strip_prefix(skill_root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let uri = format!("skill://async-python-patterns/{rel}");
        let bytes = std::fs::read(path).unwrap();
        let entry = resources
            .iter()
            .find(|r| r["uri"] == uri)
            .unwrap_or_else(|| panic!("{uri} not listed"));
        assert_eq!(
            entry["digest"],
            format!("sha256:{}", hex::encode(Sha256::digest(&bytes))),
            "{uri}"
        );
        assert_eq!(entry["size"], bytes.len());
        let read = s.modern("resources/read", json!({"uri": uri}));
        assert_eq!(
            read["result"]["contents"][0]["text"]
                .as_str()
                .unwrap()
                .as_bytes(),
            bytes,
            "{uri}"
        );
    }
    assert_eq!(got["skill"]["frontmatter"]["name"], "async-python-patterns");
}

#[test]
fn resources_list_pages_through_every_file() {
    let mut s = Server::embedded();
    let mut uris = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => Value::Null,
        };
        let result = s.modern("resources/list", params)["result"].clone();
        pages += 1;
        uris.extend(
            result["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["uri"].as_str().unwrap().to_string()),
        );
        match result["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let mut on_disk = Vec::new();
    all_files(&skill_root(), &mut on_disk);
    assert_eq!(uris.len(), on_disk.len());
    assert!(pages >= 2, "the skill spans several pages");
}

#[test]
fn every_demo_runs_green_through_run_demo() {
    if !std::process::Command::new("python3")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipped: no python3");
        return;
    }
    let mut s = Server::embedded();
    let list = structured(&s.call_tool("list_patterns", json!({})));
    for entry in list["patterns"].as_array().unwrap() {
        if entry["has_demo"] != true {
            continue;
        }
        let id = entry["id"].as_str().unwrap();
        let reply = s.call_tool("run_demo", json!({"id": id, "timeout_ms": 20000}));
        assert_eq!(
            reply["result"]["isError"], false,
            "{id}: {}",
            reply["result"]["content"][0]["text"]
        );
        let report = structured(&reply);
        assert_eq!(report["summary"]["demo"], id);
        assert_eq!(report["summary"]["ok"], true, "{id}: {}", report["stdout"]);
    }
}

/// The two engines record the same spans (group, label, outcome); the native times are
/// exact, the Python ones measured, so they agree within a margin for scheduling.
fn same_timeline(id: &str, native: &Value, python: &Value) {
    let spans = |summary: &Value| -> std::collections::BTreeMap<String, (f64, f64, String)> {
        let spans = summary["timeline"].as_array();
        let spans = spans.unwrap_or_else(|| panic!("{id}: no timeline in {summary}"));
        spans
            .iter()
            .map(|s| {
                let key = format!("{}/{}", s["group"].as_str().unwrap_or(""), s["label"]);
                let times = (
                    s["start_ms"].as_f64().unwrap(),
                    s["end_ms"].as_f64().unwrap(),
                );
                (key, (times.0, times.1, s["outcome"].to_string()))
            })
            .collect()
    };
    let (native, python) = (spans(native), spans(python));
    assert_eq!(
        native.keys().collect::<Vec<_>>(),
        python.keys().collect::<Vec<_>>(),
        "{id}: the engines record different spans"
    );
    for (key, (start, end, outcome)) in &native {
        let (py_start, py_end, py_outcome) = &python[key];
        assert_eq!(outcome, py_outcome, "{id} {key}: outcome");
        let off = (start - py_start).abs().max((end - py_end).abs());
        assert!(
            off < 100.0,
            "{id} {key}: native {start}..{end} ms, python {py_start}..{py_end} ms"
        );
    }
}

#[test]
fn native_engine_matches_the_python_demos() {
    let python = std::process::Command::new("python3")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut s = Server::embedded();
    let compared: &[(&str, &[&str])] = &[
        ("gather", &["tasks", "delay", "results"]),
        ("timeouts", &["timeout", "work", "timed_out", "exception"]),
        ("semaphore", &["tasks", "limit", "peak_concurrency"]),
        ("taskgroup", &["failed", "cancelled", "exception_types"]),
        ("producer-consumer", &["produced", "consumed"]),
        ("as-completed", &["submission_order", "completion_order"]),
        ("retry-backoff", &["attempts", "succeeded", "delays"]),
        (
            "rate-limiting",
            &["requests", "rate", "burst", "expected_min_s"],
        ),
    ];
    for (id, keys) in compared {
        let native = structured(&s.call_tool("run_demo", json!({"id": id, "engine": "native"})));
        assert_eq!(native["engine"], "native");
        assert_eq!(native["summary"]["ok"], true, "{id}: {native}");
        if !python {
            continue;
        }
        let py = structured(&s.call_tool("run_demo", json!({"id": id, "timeout_ms": 20000})));
        for key in *keys {
            assert_eq!(native["summary"][key], py["summary"][key], "{id}.{key}");
        }
        let (a, b) = (
            native["summary"]["elapsed_s"].as_f64().unwrap(),
            py["summary"]["elapsed_s"].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 0.15, "{id}: native {a}s vs python {b}s");
        same_timeline(id, &native["summary"], &py["summary"]);
    }
    let missing = s.call_tool(
        "run_demo",
        json!({"id": "cancellation", "engine": "native"}),
    );
    assert_eq!(missing["result"]["isError"], true);
    assert!(missing["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("covers"));
}
