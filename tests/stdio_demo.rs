//! run_demo over stdio: results, progress, deadlines, cancellation and responsiveness,
//! against the fixture skill's `alpha` demo (sleeps `tasks` coroutines of `delay` s).

use crate::support;
use crate::support::{have_python, structured, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn tiny() -> Server {
    Server::with_skill("tiny-skill")
}

#[test]
fn demo_result_carries_the_summary_and_how_it_ran() {
    if !have_python() {
        eprintln!("skipped: no python3");
        return;
    }
    let mut s = tiny();
    let reply = s.call_tool("run_demo", json!({"id": "alpha", "params": {"tasks": 4}}));
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    let report = structured(&reply);
    assert_eq!(report["summary"]["demo"], "alpha");
    assert_eq!(report["summary"]["tasks"], 4);
    assert_eq!(report["params"], json!({"tasks": 4, "delay": 0.05}));
    assert_eq!(report["exit_code"], 0);
    assert_eq!(report["timed_out"], false);
    assert!(report["stdout"].as_str().unwrap().contains("4 tasks took"));
    assert!(
        !report["stderr"].as_str().unwrap().contains("@progress"),
        "progress lines are consumed"
    );
    assert!(report["interpreter"]["version"]
        .as_str()
        .unwrap()
        .starts_with("3."));
    assert!(report["isolation"].is_object());
}

#[test]
fn demos_import_the_skills_helper_modules_on_every_unix_engine() {
    if !have_python() {
        return;
    }
    // The sandbox (its own root, or a host scratch folder where namespaces are refused)
    // and the portable engine must each write `scripts/_shared.py` beside the demo and
    // leave the script's folder importable, while still ignoring PYTHON* variables and
    // the user's site-packages.
    let skill = support::fixture("helper-skill");
    for mode in ["auto", "portable"] {
        let mut s = Server::spawn_with(
            &["--skill-dir", skill.to_str().unwrap()],
            &["--sandbox", mode],
        );
        let reply = s.call_tool("run_demo", json!({"id": "uses-helper"}));
        assert_eq!(reply["result"]["isError"], false, "{mode}: {reply}");
        let summary = &structured(&reply)["summary"];
        assert_eq!(summary["greeting"], "hello from _shared", "{mode}: {reply}");
        assert_eq!(summary["beside_the_demo"], true, "{mode}: {reply}");
        assert_eq!(summary["ignores_environment"], true, "{mode}: {reply}");
        assert_eq!(summary["no_user_site"], true, "{mode}: {reply}");
    }
}

#[test]
fn progress_is_sent_only_when_asked_and_before_the_result() {
    if !have_python() {
        return;
    }
    let mut s = tiny();
    let reply = s.call_tool("run_demo", json!({"id": "alpha"}));
    assert_eq!(reply["result"]["isError"], false);
    assert!(
        s.backlog.is_empty(),
        "no progress without a token: {:?}",
        s.backlog
    );

    let reply = s.modern(
        "tools/call",
        json!({"name": "run_demo", "arguments": {"id": "alpha", "params": {"tasks": 3}}, "_meta": {"progressToken": "tok-1"}}),
    );
    assert_eq!(reply["result"]["isError"], false);
    let progress: Vec<&Value> = s
        .backlog
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .collect();
    // started, the demo's updates (coalesced: the latest wins while one is in flight,
    // and the last one always arrives), finished
    assert!(progress.len() >= 3, "{progress:?}");
    assert!(
        progress.iter().any(|m| m["params"]["progress"] == 3.0),
        "the demo's last update (progress 2, shown as 3) must arrive: {progress:?}"
    );
    let values: Vec<f64> = progress
        .iter()
        .map(|m| m["params"]["progress"].as_f64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[1] > w[0]),
        "progress must increase: {values:?}"
    );
    assert!(progress
        .iter()
        .all(|m| m["params"]["progressToken"] == "tok-1"));
}

#[test]
fn unknown_or_out_of_range_params_are_tool_errors_naming_the_allowed_ones() {
    let mut s = tiny();
    let reply = s.call_tool("run_demo", json!({"id": "alpha", "params": {"taks": 3}}));
    assert_eq!(reply["result"]["isError"], true);
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("taks") && text.contains("tasks (integer, 1..20"),
        "{text}"
    );
    let reply = s.call_tool("run_demo", json!({"id": "alpha", "params": {"tasks": 500}}));
    assert_eq!(reply["result"]["isError"], true);
    let reply = s.call_tool("run_demo", json!({"id": "beta"}));
    assert!(reply["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("has no demo"));
}

#[test]
fn demo_past_its_deadline_is_killed_and_reported_with_its_output() {
    if !have_python() {
        return;
    }
    let mut s = tiny();
    let started = Instant::now();
    let reply = s.call_tool(
        "run_demo",
        json!({"id": "alpha", "params": {"delay": 5}, "timeout_ms": 400}),
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the deadline was not enforced"
    );
    assert_eq!(reply["result"]["isError"], true);
    let report = &reply["result"]["structuredContent"];
    assert_eq!(report["timed_out"], true);
    assert!(report["summary"].is_null());
    assert!(reply["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("deadline"));
}

#[test]
fn cancelled_demo_gets_no_reply_and_the_server_keeps_serving() {
    if !have_python() {
        return;
    }
    let mut s = tiny();
    s.send(&json!({"jsonrpc": "2.0", "id": "slow", "method": "tools/call", "params": {
        "name": "run_demo", "arguments": {"id": "alpha", "params": {"delay": 5}, "timeout_ms": 20000},
        "_meta": {"io.modelcontextprotocol/protocolVersion": support::MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}}));
    std::thread::sleep(Duration::from_millis(300));
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "slow", "reason": "test"}}));
    let reply = s.modern("tools/list", Value::Null);
    assert!(reply["result"]["tools"].is_array());
    // Give the cancelled call time to (wrongly) answer, then check it did not.
    std::thread::sleep(Duration::from_millis(500));
    while let Some(message) = s.next_message(Duration::from_millis(200)) {
        assert_ne!(
            message["id"], "slow",
            "a cancelled request must get no reply"
        );
    }
    assert!(s.backlog.iter().all(|m| m["id"] != "slow"));
}

#[test]
fn other_requests_are_answered_while_demos_run() {
    if !have_python() {
        return;
    }
    let mut s = tiny();
    for i in 0..4 {
        s.send(
            &json!({"jsonrpc": "2.0", "id": format!("demo-{i}"), "method": "tools/call", "params": {
            "name": "run_demo", "arguments": {"id": "alpha", "params": {"delay": 2}},
            "_meta": {"io.modelcontextprotocol/protocolVersion": support::MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}}),
        );
    }
    let reply = s.modern("tools/list", Value::Null);
    assert!(reply["result"]["tools"].is_array());
    assert!(
        s.backlog
            .iter()
            .all(|m| !m["id"].as_str().unwrap_or("").starts_with("demo-")),
        "tools/list waited for a demo"
    );
}

#[test]
fn demo_params_sent_as_strings_are_read_or_refused_by_name() {
    if !have_python() {
        return;
    }
    let mut s = tiny();
    let reply = s.call_tool(
        "run_demo",
        json!({"id": "alpha", "params": {"tasks": "2", "delay": "0.01"}}),
    );
    let report = structured(&reply);
    assert_eq!(report["params"], json!({"tasks": 2, "delay": 0.01}));
    assert_eq!(report["summary"]["tasks"], 2);
    let reply = s.call_tool(
        "run_demo",
        json!({"id": "alpha", "params": {"tasks": "two"}}),
    );
    assert_eq!(reply["result"]["isError"], true, "{reply}");
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains(r#"`tasks` must be an integer, not the string "two""#),
        "{text}"
    );
}

/// Checks MCP's progress rules on one request's notifications: strictly increasing, never
/// past the total, the total unchanged once sent, and the last one at the total if any.
fn assert_progress_rules(progress: &[&Value]) {
    let steps: Vec<(f64, Option<f64>)> = progress
        .iter()
        .map(|m| {
            (
                m["params"]["progress"].as_f64().unwrap(),
                m["params"]["total"].as_f64(),
            )
        })
        .collect();
    assert!(steps.len() >= 2, "started and finished at least: {steps:?}");
    for pair in steps.windows(2) {
        assert!(pair[1].0 > pair[0].0, "progress went back: {steps:?}");
        if pair[0].1.is_some() {
            assert_eq!(pair[1].1, pair[0].1, "total changed: {steps:?}");
        }
    }
    for (p, total) in &steps {
        assert!(total.is_none_or(|t| *p <= t), "past its total: {steps:?}");
    }
    let (last, total) = steps.last().unwrap();
    if steps.iter().any(|(_, t)| t.is_some()) {
        assert_eq!(
            Some(*last),
            *total,
            "finished is not at the total: {steps:?}"
        );
    }
}

#[test]
fn progress_keeps_the_rules_on_both_engines() {
    let mut s = Server::embedded();
    let engines: &[&str] = if have_python() {
        &["native", "python"]
    } else {
        &["native"]
    };
    for engine in engines {
        let token = format!("tok-{engine}");
        let reply = s.modern(
            "tools/call",
            json!({"name": "run_demo", "arguments": {"id": "gather", "engine": engine},
                   "_meta": {"progressToken": token}}),
        );
        assert_eq!(reply["result"]["isError"], false, "{reply}");
        let progress: Vec<&Value> = s
            .backlog
            .iter()
            .filter(|m| m["method"] == "notifications/progress")
            .filter(|m| m["params"]["progressToken"] == token.as_str())
            .collect();
        assert_progress_rules(&progress);
    }
}

/// Waits (bounded) for the server to exit after its stdin closed; returns how long it took.
fn exit_after_eof(s: &mut Server, limit: Duration) -> (std::process::ExitStatus, Duration) {
    let started = Instant::now();
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            return (status, started.elapsed());
        }
        assert!(
            started.elapsed() < limit,
            "server did not exit after stdin EOF"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn demo_call(id: u64, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": "run_demo", "arguments": arguments,
        "_meta": {"io.modelcontextprotocol/protocolVersion": support::MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}})
}

#[test]
fn stdin_eof_finishes_demos_in_flight_and_writes_their_replies() {
    if !have_python() {
        return;
    }
    // The README idiom: one request piped in, stdin closed at once.
    let mut s = tiny();
    s.send(&demo_call(
        1,
        json!({"id": "alpha", "params": {"tasks": 3, "delay": 0.5}}),
    ));
    s.send(&demo_call(
        2,
        json!({"id": "alpha", "params": {"tasks": 1}}),
    ));
    s.close_stdin();
    let (status, took) = exit_after_eof(&mut s, Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
    assert!(
        took >= Duration::from_millis(400),
        "exited before the demo could finish: {took:?}"
    );
    let mut replies = Vec::new();
    while let Some(m) = s.next_message(Duration::from_secs(2)) {
        replies.push(m);
    }
    let python = replies.iter().find(|m| m["id"] == 1).expect("reply to 1");
    assert_eq!(python["result"]["isError"], false, "{python}");
    assert_eq!(structured(python)["summary"]["tasks"], 3);
    let second = replies.iter().find(|m| m["id"] == 2).expect("reply to 2");
    assert_eq!(structured(second)["summary"]["tasks"], 1, "{second}");
}

#[test]
fn stdin_eof_still_kills_a_demo_at_its_deadline_and_answers() {
    if !have_python() {
        return;
    }
    let mut s = tiny();
    s.send(&demo_call(
        1,
        json!({"id": "alpha", "params": {"delay": 5}, "timeout_ms": 1000}),
    ));
    std::thread::sleep(Duration::from_millis(200));
    s.close_stdin();
    let (status, took) = exit_after_eof(&mut s, Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(
        took < Duration::from_secs(5),
        "waited past the deadline: {took:?}"
    );
    let reply = s.next_message(Duration::from_secs(2)).expect("a reply");
    assert_eq!(reply["id"], 1);
    assert_eq!(structured(&reply)["timed_out"], true, "{reply}");
}

#[test]
fn without_python_the_error_says_what_was_looked_for_and_native_still_runs() {
    let mut s = Server::spawn_with(&[], &["--python", "/nonexistent/python3"]);
    // Our explicit path is tried first; a missing one must not silently fall back.
    let reply = s.call_tool("run_demo", json!({"id": "gather", "python": "2.9"}));
    assert_eq!(reply["result"]["isError"], true);
    let text = reply["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("no Python interpreter found") || text.contains("not a Python version"),
        "{text}"
    );
    let reply = s.call_tool("run_demo", json!({"id": "gather", "python": "3.99"}));
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("looked for") && text.contains("--python"),
        "{text}"
    );
    let native = structured(&s.call_tool("run_demo", json!({"id": "gather", "engine": "native"})));
    assert_eq!(native["summary"]["results"], json!([0, 1, 4]));
}

#[test]
fn log_messages_only_for_requests_that_asked() {
    if !have_python() {
        return;
    }
    let mut s = tiny();
    s.call_tool("run_demo", json!({"id": "alpha"}));
    assert!(s
        .backlog
        .iter()
        .all(|m| m["method"] != "notifications/message"));
    let reply = s.modern(
        "tools/call",
        json!({"name": "run_demo", "arguments": {"id": "alpha"}, "_meta": {"io.modelcontextprotocol/logLevel": "info"}}),
    );
    assert_eq!(reply["result"]["isError"], false);
    let logs: Vec<&Value> = s
        .backlog
        .iter()
        .filter(|m| m["method"] == "notifications/message")
        .collect();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(logs[0]["params"]["data"]["event"], "demo started");
    // Legacy: logging/setLevel governs delivery.
    let mut legacy = tiny();
    legacy.initialize("2025-11-25");
    legacy.request("logging/setLevel", json!({"level": "warning"}));
    legacy.request(
        "tools/call",
        json!({"name": "run_demo", "arguments": {"id": "alpha"}}),
    );
    assert!(
        legacy
            .backlog
            .iter()
            .all(|m| m["method"] != "notifications/message"),
        "info is below warning"
    );
}
