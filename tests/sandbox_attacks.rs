//! The six attacks of issue 13, each as a hostile demo (tests/fixtures/hostile-skill) run
//! through the real server over stdio. Each test checks the attack is contained, the
//! server keeps serving, and nothing is left behind (processes, scratch, cgroups,
//! mounts). CI runs this file as root and as an unprivileged user.

mod common;
#[path = "sandbox/leftovers.rs"]
mod leftovers;

use common::{have_python, Server, MODERN};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn hostile(serve_args: &[&str]) -> Server {
    let dir = common::fixture("hostile-skill");
    Server::spawn_with(&["--skill-dir", dir.to_str().unwrap()], serve_args)
}

fn report_of(reply: &Value) -> Value {
    let report = reply["result"]["structuredContent"].clone();
    assert!(report.is_object(), "no report: {reply}");
    report
}

fn run(s: &mut Server, args: Value) -> Value {
    let report = report_of(&s.call_tool("run_demo", args));
    assert!(s.modern("tools/list", Value::Null)["result"]["tools"].is_array());
    report
}

/// Skips (with the reason on stderr) where there is nothing to run demos with.
fn python_or_skip(test: &str) -> bool {
    let ok = have_python();
    if !ok {
        eprintln!("{test}: skipped, no python3 here");
    }
    ok
}

/// Finishes the server (stdin EOF must stop it promptly) and checks for leftovers.
fn finish(s: Server, needles: &[&str]) {
    let pid = s.child.id();
    let started = Instant::now();
    assert!(s.finish().success());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "slow to stop after stdin EOF"
    );
    leftovers::assert_none(pid, needles, true);
}

fn call(id: u64, name: &str, arguments: Value, progress: Option<&str>) -> String {
    let mut params = json!({"name": name, "arguments": arguments,
        "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN,
                  "io.modelcontextprotocol/clientCapabilities": {}}});
    if let Some(token) = progress {
        params["_meta"]["progressToken"] = json!(token);
    }
    format!(
        "{}\n",
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
    )
}

/// Attack 1: a demo that calls setsid, clears its parent-death signal and execs long
/// sleepers holding its output pipes. Every call must still return by its deadline
/// plus a second, two such calls must not wedge the server, stdin EOF still stops it,
/// and no sleeper outlives the call.
#[test]
fn immortal_demo_returns_by_its_deadline_and_leaves_nothing() {
    if !python_or_skip("immortal_demo_returns_by_its_deadline_and_leaves_nothing") {
        return;
    }
    let marker = format!("immortal-{}", std::process::id());
    let mut s = hostile(&[]);
    let started = Instant::now();
    let report = run(
        &mut s,
        json!({"id": "immortal", "params": {"marker": marker}, "timeout_ms": 1000}),
    );
    let took = started.elapsed();
    assert_eq!(report["timed_out"], true, "{report}");
    assert!(
        took < Duration::from_millis(2000),
        "took {took:?}: {report}"
    );
    assert_eq!(report["stdout"], "started\n", "{report}");
    leftovers::assert_none(s.child.id(), &[&marker], false);
    // Two at once (every slot on a two-core machine), then a plain request.
    s.send_raw(
        call(
            1,
            "run_demo",
            json!({"id": "immortal", "params": {"marker": marker}, "timeout_ms": 800}),
            None,
        )
        .as_bytes(),
    );
    s.send_raw(
        call(
            2,
            "run_demo",
            json!({"id": "immortal", "params": {"marker": marker}, "timeout_ms": 800}),
            None,
        )
        .as_bytes(),
    );
    let started = Instant::now();
    for id in [1, 2] {
        assert_eq!(report_of(&s.reply_to(&json!(id)))["timed_out"], true);
    }
    assert!(
        started.elapsed() < Duration::from_millis(2000),
        "{:?}",
        started.elapsed()
    );
    assert!(s.modern("tools/list", Value::Null)["result"]["tools"].is_array());
    finish(s, &[&marker]);
}

/// Attack 2: a Unix socket on the host, by path and by abstract name.
#[test]
fn host_unix_sockets_are_out_of_reach() {
    if !python_or_skip("host_unix_sockets_are_out_of_reach") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("sock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let path = dir.join("agent.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
    let name = format!("async-patterns-test-{}", std::process::id());
    let abstract_listener = {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        std::os::unix::net::UnixListener::bind_addr(&addr).unwrap()
    };
    let mut s = hostile(&[]);
    let report = run(
        &mut s,
        json!({"id": "unixsock", "params": {"path": path.to_string_lossy(), "abstract": name}}),
    );
    let summary = &report["summary"];
    assert_eq!(summary["socketpair"], true, "{report}");
    if report["isolation"]["minimal_root"] == true {
        assert_eq!(summary["reached_path"], false, "{report}");
    } else {
        eprintln!("no minimal root here: the path socket is reachable (reported)");
        assert!(!report["isolation"]["notes"].as_array().unwrap().is_empty());
    }
    if report["isolation"]["network_isolated"] == true {
        assert_eq!(summary["reached_abstract"], false, "{report}");
    }
    drop(abstract_listener);
    finish(s, &["unixsock.py"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A SysV shared-memory segment with mode 000, as another process would hold one.
struct Segment(i32);

impl Segment {
    fn new() -> Option<Self> {
        // SAFETY: shmget with integer arguments; the id is removed in Drop.
        let id = unsafe {
            libc::shmget(libc::IPC_PRIVATE, 4096, libc::IPC_CREAT) /* mode 000 */
        };
        (id >= 0).then_some(Self(id))
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // SAFETY: removes the segment made in `new`; no pointer is read.
        unsafe {
            libc::shmctl(self.0, libc::IPC_RMID, std::ptr::null_mut());
        }
    }
}

/// Attack 3: privileged calls and kernel surface. Inside the sandbox the demo is an
/// unprivileged uid without capabilities, with no_new_privs and a seccomp filter, in
/// its own IPC, UTS and time namespaces, whatever the server runs as.
#[test]
fn privileged_calls_and_other_processes_ipc_are_refused() {
    if !python_or_skip("privileged_calls_and_other_processes_ipc_are_refused") {
        return;
    }
    let segment = Segment::new();
    let shmid = segment.as_ref().map_or(-1, |s| s.0);
    let mut s = hostile(&[]);
    let report = run(
        &mut s,
        json!({"id": "privileged", "params": {"shmid": shmid}}),
    );
    let summary = &report["summary"];
    // Controls: what asyncio demos need still works under the filter.
    for control in ["asyncio", "thread", "fork", "socketpair"] {
        assert_eq!(summary["controls"][control], true, "{control}: {report}");
    }
    let isolation = &report["isolation"];
    assert_eq!(isolation["seccomp"], true, "{report}");
    assert_eq!(summary["seccomp"], "2", "seccomp filter mode: {report}");
    assert_eq!(summary["no_new_privs"], "1", "{report}");
    assert_eq!(summary["cap_eff"], "0000000000000000", "{report}");
    if isolation["user_namespace"] == true {
        assert_eq!(summary["uid"], 1000, "{report}");
        assert_eq!(summary["cap_bnd"], "0000000000000000", "{report}");
        for ns in ["user", "pid", "network", "ipc", "uts", "mount", "cgroup"] {
            assert!(
                isolation["namespaces"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(ns)),
                "{ns}: {report}"
            );
        }
        let reached = summary["reached"].as_object().unwrap();
        let through: Vec<&String> = reached
            .iter()
            .filter(|(_, v)| **v == true)
            .map(|(k, _)| k)
            .collect();
        assert!(through.is_empty(), "reached: {through:?} in {report}");
        assert_eq!(reached.len(), 11, "{report}");
    } else {
        eprintln!("no user namespace here: only seccomp and capabilities are checked");
    }
    finish(s, &["privileged.py"]);
    drop(segment);
}

/// Attack 4: scratch is a size-capped tmpfs (default 64 MiB, `--demo-scratch-mib`), and
/// the immutable flag cannot be set, so it always goes away.
#[test]
fn scratch_is_capped_and_cannot_be_made_undeletable() {
    if !python_or_skip("scratch_is_capped_and_cannot_be_made_undeletable") {
        return;
    }
    for (serve_args, cap) in [(&[][..], 64), (&["--demo-scratch-mib", "8"][..], 8)] {
        let mut s = hostile(serve_args);
        let started = Instant::now();
        let report = run(&mut s, json!({"id": "fill", "timeout_ms": 20000}));
        let summary = &report["summary"];
        assert_eq!(summary["immutable"], false, "{report}");
        if report["isolation"]["minimal_root"] == true {
            assert_eq!(report["isolation"]["scratch_bytes"], cap << 20, "{report}");
            assert!(summary["written_mib"].as_u64().unwrap() <= cap, "{report}");
            assert_eq!(summary["error"], "No space left on device", "{report}");
            assert!(started.elapsed() < Duration::from_secs(10));
        }
        assert_eq!(report["isolation"]["scratch_removed"], true, "{report}");
        finish(s, &["fill.py"]);
    }
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Attack 5: 60 KB progress messages in a loop while the client does not read. The
/// server's memory stays flat (one pending update per call, latest wins), and what
/// arrives is capped at 1 KiB, finite, strictly increasing and never above the total.
#[test]
fn progress_flood_costs_no_memory_and_stays_well_formed() {
    if !python_or_skip("progress_flood_costs_no_memory_and_stays_well_formed") {
        return;
    }
    let dir = common::fixture("hostile-skill");
    let mut child = Command::new(common::bin())
        .args(["--skill-dir", dir.to_str().unwrap(), "serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(
            call(
                1,
                "run_demo",
                json!({"id": "progressflood", "params": {"seconds": 4}, "timeout_ms": 20000}),
                Some("flood"),
            )
            .as_bytes(),
        )
        .unwrap();
    stdin.flush().unwrap();
    // A slow client: reads nothing while the demo floods.
    std::thread::sleep(Duration::from_secs(5));
    let peak_mib = peak_rss_kib(pid) >> 10;
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut values = Vec::new();
    let reply = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "server closed stdout"
        );
        let message: Value = serde_json::from_str(&line).unwrap();
        if message["method"] == "notifications/progress" {
            let params = &message["params"];
            let message_len = params["message"].as_str().map_or(0, str::len);
            assert!(message_len <= 1024, "message of {message_len} bytes");
            let value = params["progress"].as_f64().unwrap();
            assert!(value.is_finite() && value < 1e13, "{params}");
            if let Some(total) = params["total"].as_f64() {
                assert!(value <= total, "{params}");
            }
            values.push(value);
        } else if message["id"] == 1 {
            break message;
        }
    };
    let report = report_of(&reply);
    assert_eq!(report["summary"]["demo"], "progressflood", "{report}");
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "not increasing: {values:?}"
    );
    assert!(values.len() >= 2, "{values:?}");
    assert!(peak_mib < 200, "server peaked at {peak_mib} MiB");
    drop(stdin);
    assert!(child.wait().unwrap().success());
    leftovers::assert_none(pid, &["progressflood.py"], true);
}

/// Attack 6: demos that make hundreds of thousands of files do not stall the server:
/// a concurrent list_patterns answers at once, and the files vanish with the demo.
#[test]
fn file_heavy_demos_do_not_stall_the_server() {
    if !python_or_skip("file_heavy_demos_do_not_stall_the_server") {
        return;
    }
    let mut s = hostile(&[]);
    for id in [1, 2] {
        s.send_raw(
            call(
                id,
                "run_demo",
                json!({"id": "manyfiles", "timeout_ms": 15000}),
                None,
            )
            .as_bytes(),
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let asked = Instant::now();
        let reply = s.call_tool("list_patterns", json!({}));
        assert!(reply["result"]["structuredContent"].is_object(), "{reply}");
        slowest = slowest.max(asked.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut done = Vec::new();
    for id in [1, 2] {
        let asked = Instant::now();
        let report = report_of(&s.reply_to(&json!(id)));
        done.push((
            report["summary"]["made"].clone(),
            report["isolation"]["scratch_removed"].clone(),
            asked.elapsed(),
        ));
    }
    assert!(
        slowest < Duration::from_millis(500),
        "list_patterns took {slowest:?}"
    );
    for (made, removed, _) in &done {
        assert!(made.as_u64().unwrap() > 1000, "{done:?}");
        assert_eq!(removed, &json!(true), "{done:?}");
    }
    finish(s, &["manyfiles.py"]);
}

/// The lstat leak: metadata of host files outside the allowed paths (sizes of
/// /etc/shadow and project files, existence of /home) cannot be learnt.
#[test]
fn host_file_metadata_is_out_of_reach() {
    if !python_or_skip("host_file_metadata_is_out_of_reach") {
        return;
    }
    let project_file = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let mut s = hostile(&[]);
    let report = run(
        &mut s,
        json!({"id": "lstat", "params": {"path": project_file}}),
    );
    let seen = &report["summary"]["seen"];
    if report["isolation"]["minimal_root"] == true {
        for path in ["/etc/shadow", "/home", project_file] {
            assert_eq!(seen[path], Value::Null, "{path}: {report}");
        }
    } else {
        eprintln!("no minimal root here: metadata is visible (reported)");
    }
    finish(s, &["lstat.py"]);
}

/// Strict mode refuses to run a demo when a layer is missing, and runs it when every
/// layer holds; the server keeps serving either way.
#[test]
fn strict_mode_runs_only_with_every_layer() {
    if !python_or_skip("strict_mode_runs_only_with_every_layer") {
        return;
    }
    let mut auto = hostile(&[]);
    let probe = run(&mut auto, json!({"id": "peek"}));
    finish(auto, &["peek.py"]);
    let complete = probe["isolation"]["notes"].as_array().unwrap().is_empty();
    let mut s = hostile(&["--sandbox", "strict"]);
    let reply = s.call_tool("run_demo", json!({"id": "peek"}));
    if complete {
        let report = report_of(&reply);
        assert_eq!(report["isolation"]["mode"], "strict", "{report}");
        assert_eq!(report["summary"]["ok"], true, "{report}");
    } else {
        assert_eq!(reply["result"]["isError"], true, "{reply}");
        let text = reply.to_string();
        assert!(text.contains("strict mode"), "{text}");
        eprintln!(
            "layers missing here ({}), strict refused as it must",
            probe["isolation"]["notes"]
        );
    }
    assert!(s.modern("tools/list", Value::Null)["result"]["tools"].is_array());
    finish(s, &["peek.py"]);
}

/// A server whose kernel refuses user namespaces: it runs inside a user namespace of its
/// own whose namespace limit is 0 (`unshare`, util-linux). Skips where that cannot be set up.
fn server_without_user_namespaces(serve_args: &[&str]) -> Option<std::process::Child> {
    let dir = common::fixture("hostile-skill");
    let mut args = vec![
        "--user".to_string(),
        "--map-root-user".into(),
        "sh".into(),
        "-c".into(),
        "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\"".into(),
        common::bin().display().to_string(),
        "--skill-dir".into(),
        dir.display().to_string(),
        "serve".into(),
    ];
    args.extend(serve_args.iter().map(|a| a.to_string()));
    let child = Command::new("unshare")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    Some(child)
}

fn ask(
    child: &mut std::process::Child,
    out: &mut impl BufRead,
    id: u64,
    arguments: Value,
) -> Option<Value> {
    let stdin = child.stdin.as_mut().unwrap();
    stdin
        .write_all(call(id, "run_demo", arguments, None).as_bytes())
        .ok()?;
    stdin.flush().ok()?;
    let mut line = String::new();
    (out.read_line(&mut line).ok()? > 0).then(|| serde_json::from_str(&line).unwrap())
}

/// Without user namespaces, `auto` still contains the immortal demo by its deadline (the
/// cgroup or process group kill, readers aborted) and says which layers are missing;
/// `strict` refuses to run it.
#[test]
fn without_user_namespaces_auto_reports_and_strict_refuses() {
    if !python_or_skip("without_user_namespaces_auto_reports_and_strict_refuses") {
        return;
    }
    let Some(mut child) = server_without_user_namespaces(&[]) else {
        eprintln!(
            "without_user_namespaces_auto_reports_and_strict_refuses: skipped, no unshare(1)"
        );
        return;
    };
    let pid = child.id();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let marker = format!("no-userns-{}", std::process::id());
    let started = Instant::now();
    let Some(reply) = ask(
        &mut child,
        &mut out,
        1,
        json!({"id": "immortal", "params": {"marker": marker}, "timeout_ms": 1000}),
    ) else {
        let _ = child.kill();
        let _ = child.wait();
        eprintln!("without_user_namespaces_auto_reports_and_strict_refuses: skipped, cannot make a user namespace to run the server in");
        return;
    };
    let took = started.elapsed();
    let report = report_of(&reply);
    assert_eq!(report["isolation"]["user_namespace"], false, "{report}");
    let notes = report["isolation"]["notes"].to_string();
    assert!(notes.contains("no namespaces"), "{report}");
    assert_eq!(report["timed_out"], true, "{report}");
    assert!(took < Duration::from_millis(2000), "took {took:?}");
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    if report["isolation"]["pids_cgroup"] == true {
        leftovers::assert_none(pid, &[&marker], true);
    } else {
        // Reported: without a PID namespace or cgroup, the sleepers escape.
        for line in leftovers::processes(&marker) {
            let victim: i32 = line.split(':').next().unwrap().parse().unwrap();
            // SAFETY: SIGKILL to a sleeper this test's demo started.
            unsafe {
                libc::kill(victim, libc::SIGKILL);
            }
        }
    }

    let Some(mut strict) = server_without_user_namespaces(&["--sandbox", "strict"]) else {
        return;
    };
    let mut out = BufReader::new(strict.stdout.take().unwrap());
    let reply = ask(&mut strict, &mut out, 1, json!({"id": "peek"})).expect("a reply");
    assert_eq!(reply["result"]["isError"], true, "{reply}");
    assert!(reply.to_string().contains("strict mode"), "{reply}");
    drop(strict.stdin.take());
    assert!(strict.wait().unwrap().success());
}
