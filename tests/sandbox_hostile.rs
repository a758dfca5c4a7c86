//! Demos that attack the sandbox (tests/fixtures/hostile-skill), run through the real
//! server over stdio: each is contained and reported, the server keeps answering, and no
//! process or scratch folder is left behind.

mod common;
#[path = "sandbox/leftovers.rs"]
mod leftovers;

use common::{have_python, processes_mentioning, scratch_dirs_of, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Whether demos can run here; says on stderr why a test is skipped when not.
fn python_or_skip(test: &str) -> bool {
    let ok = have_python();
    if !ok {
        eprintln!("{test}: skipped, no python3 here");
    }
    ok
}

fn hostile() -> Server {
    Server::with_skill("hostile-skill")
}

fn run(s: &mut Server, args: Value) -> Value {
    let script = format!("{}.py", args["id"].as_str().unwrap());
    let reply = s.call_tool("run_demo", args);
    let report = reply["result"]["structuredContent"].clone();
    assert!(report.is_object(), "no report: {reply}");
    // After every attack the server still answers at once, and nothing of the demo is
    // left: no process, no scratch folder, no mount.
    assert!(s.modern("tools/list", Value::Null)["result"]["tools"].is_array());
    leftovers::assert_none(s.child.id(), &[&script], false);
    report
}

#[test]
fn cpu_loop_is_killed_at_the_deadline() {
    if !python_or_skip("cpu_loop_is_killed_at_the_deadline") {
        return;
    }
    let mut s = hostile();
    let started = Instant::now();
    let report = run(&mut s, json!({"id": "spin", "timeout_ms": 500}));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report["timed_out"], true);
    assert!(processes_mentioning("hostile-skill/scripts/spin").is_empty());
    assert!(
        processes_mentioning("spin.py").is_empty(),
        "{:?}",
        processes_mentioning("spin.py")
    );
}

#[test]
fn sleeper_past_the_deadline_keeps_its_output_so_far() {
    if !python_or_skip("sleeper_past_the_deadline_keeps_its_output_so_far") {
        return;
    }
    let mut s = hostile();
    let report = run(&mut s, json!({"id": "sleeper", "timeout_ms": 700}));
    assert_eq!(report["timed_out"], true);
    assert_eq!(report["stdout"], "started\n");
    assert!(processes_mentioning("sleeper.py").is_empty());
}

#[test]
fn memory_hog_hits_its_limit_not_the_host() {
    if !python_or_skip("memory_hog_hits_its_limit_not_the_host") {
        return;
    }
    let mut s = hostile();
    let report = run(&mut s, json!({"id": "hog", "timeout_ms": 20000}));
    assert_eq!(report["summary"]["memory_error"], true, "{report}");
    assert!(report["summary"]["allocated_mib"].as_u64().unwrap() <= 1024);
}

#[test]
fn fork_bomb_is_refused_and_cleaned_up() {
    if !python_or_skip("fork_bomb_is_refused_and_cleaned_up") {
        return;
    }
    let mut s = hostile();
    let report = run(&mut s, json!({"id": "forkbomb", "timeout_ms": 10000}));
    if report["isolation"]["processes_limited"] == true {
        assert_eq!(report["summary"]["refused"], true, "{report}");
        assert!(report["summary"]["forked"].as_u64().unwrap() < 64);
    } else {
        eprintln!("fork_bomb_is_refused_and_cleaned_up: no process limit here (reported), only the cleanup is checked");
        assert!(report["isolation"]["notes"]
            .to_string()
            .contains("no pids cgroup"));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        processes_mentioning("forkbomb.py").is_empty(),
        "{:?}",
        processes_mentioning("forkbomb.py")
    );
}

#[test]
fn output_flood_is_capped_and_drained() {
    if !python_or_skip("output_flood_is_capped_and_drained") {
        return;
    }
    let mut s = hostile();
    let report = run(&mut s, json!({"id": "flood", "timeout_ms": 30000}));
    assert_eq!(report["stdout_truncated"], true);
    assert!(report["stdout"].as_str().unwrap().len() <= 64 * 1024);
    assert_eq!(
        report["timed_out"], false,
        "2 GiB should drain well before 30 s"
    );
}

#[test]
fn network_is_unreachable_when_isolated() {
    if !python_or_skip("network_is_unreachable_when_isolated") {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut s = hostile();
    let report = run(
        &mut s,
        json!({"id": "network", "params": {"port": port}, "timeout_ms": 10000}),
    );
    let isolated = report["isolation"]["network_isolated"] == true;
    assert_eq!(report["summary"]["reached"], !isolated, "{report}");
}

#[test]
fn detached_grandchild_does_not_outlive_the_call() {
    if !python_or_skip("detached_grandchild_does_not_outlive_the_call") {
        return;
    }
    // Relative: written inside the scratch folder (Landlock refuses anywhere else).
    let marker_text = format!("escape-marker-{}", std::process::id());
    let mut s = hostile();
    let report = run(
        &mut s,
        json!({"id": "escape", "params": {"marker": marker_text}, "timeout_ms": 1500}),
    );
    assert_eq!(report["timed_out"], true);
    std::thread::sleep(Duration::from_millis(200));
    let left = processes_mentioning(&marker_text);
    if report["isolation"]["pid_namespace"] == true {
        assert!(left.is_empty(), "escaped: {left:?}");
    } else {
        eprintln!(
            "detached_grandchild_does_not_outlive_the_call: no PID namespace here (reported)"
        );
    }
}

/// Whether this kernel offers Landlock (its ABI version is 1 or more).
fn kernel_has_landlock() -> bool {
    // SAFETY: asks for the ABI version only; no pointer is dereferenced.
    let abi = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            1u32,
        )
    };
    abi >= 1
}

#[test]
fn files_outside_the_scratch_folder_are_out_of_reach() {
    if !python_or_skip("files_outside_the_scratch_folder_are_out_of_reach") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("snoop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "token=hunter2").unwrap();
    let outside = dir.join("planted.txt");
    let mut s = hostile();
    let report = run(
        &mut s,
        json!({"id": "snoop", "params": {
            "secret": secret.to_string_lossy(),
            "outside": outside.to_string_lossy(),
        }}),
    );
    let summary = &report["summary"];
    let confined = report["isolation"]["filesystem_confined"] == true;
    assert_eq!(confined, kernel_has_landlock(), "{report}");
    // Controls: what a demo needs still works.
    assert_eq!(summary["wrote_scratch"], true, "{report}");
    assert_eq!(summary["read_own_script"], true, "{report}");
    assert_eq!(summary["read_system"], true, "{report}");
    // PID 1 of the demo's namespace is the sandbox's init, a copy of the server: the
    // server's command line (which may hold a --token) is blanked there.
    if report["isolation"]["pid_namespace"] == true {
        let cmdline = summary["init_cmdline"].as_str().unwrap_or_default();
        assert!(!cmdline.contains("--skill-dir"), "{report}");
    }
    if confined {
        for key in [
            "read_secret",
            "wrote_outside",
            "read_passwd",
            "listed_root_home",
            "read_other_proc",
        ] {
            assert_eq!(summary[key], false, "{key}: {report}");
        }
        assert!(
            !outside.exists(),
            "the demo planted a file outside its scratch folder"
        );
        assert!(!report["stdout"].as_str().unwrap().contains("hunter2"));
    } else {
        // Reported honestly: without Landlock the read goes through.
        assert_eq!(summary["read_secret"], true, "{report}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn environment_is_empty_and_scratch_is_removed() {
    if !python_or_skip("environment_is_empty_and_scratch_is_removed") {
        return;
    }
    let mut s = hostile();
    let server_pid = s.child.id();
    let report = run(&mut s, json!({"id": "peek"}));
    let env: Vec<&str> = report["summary"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in &env {
        assert!(
            ["HOME", "LANG", "PATH", "TMPDIR", "LC_CTYPE", "PWD"].contains(key),
            "unexpected variable {key}"
        );
    }
    let cwd = report["summary"]["cwd"].as_str().unwrap();
    if report["isolation"]["minimal_root"] == true {
        // The scratch tmpfs, inside the demo's own root; nothing of it on the host.
        assert_eq!(cwd, "/tmp", "{report}");
    } else {
        assert!(
            !std::path::Path::new(cwd).exists(),
            "scratch folder left behind"
        );
    }
    assert_eq!(report["isolation"]["scratch_removed"], true);
    if report["isolation"]["pid_namespace"] == true {
        // PID 1 is the sandbox's init; the demo is its first child.
        assert_eq!(report["summary"]["pid"], 2, "{report}");
    }
    assert!(scratch_dirs_of(server_pid).is_empty());
}

#[test]
fn killing_the_server_takes_its_demos_down_too() {
    if !python_or_skip("killing_the_server_takes_its_demos_down_too") {
        return;
    }
    let mut s = hostile();
    s.send(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "run_demo", "arguments": {"id": "sleeper", "timeout_ms": 60000},
        "_meta": {"io.modelcontextprotocol/protocolVersion": common::MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}}),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_mentioning("sleeper.py").is_empty() {
        assert!(Instant::now() < deadline, "the demo never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SIGKILL gives the server no chance to clean up: the parent-death signal must.
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !processes_mentioning("sleeper.py").is_empty() {
        assert!(
            Instant::now() < deadline,
            "orphaned: {:?}",
            processes_mentioning("sleeper.py")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
