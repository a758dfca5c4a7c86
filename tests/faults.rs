//! Faults around the server, not in the messages: a client that closes its end, signals
//! while demos run, a missing or broken interpreter, a skill folder that is odd or
//! changes under us, a full scratch filesystem, mass cancellation. Each ends in a clear
//! error or a clean exit, with no process, scratch folder or cgroup left behind.

use crate::support::{bin, fixture, have_python, processes_mentioning, scratch_dirs_of, Server};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn modern_call(id: u64, name: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": name, "arguments": arguments,
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}})
    .to_string()
}

/// Scratch folders and pids cgroups a server with this pid made.
fn leftovers_of(pid: u32) -> Vec<PathBuf> {
    let prefix = format!("async-patterns-demo-{pid}-");
    let cgroups = std::fs::read_dir("/sys/fs/cgroup/pids")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path());
    scratch_dirs_of(pid).into_iter().chain(cgroups).collect()
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: signalling a child we spawned.
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

/// A hostile-skill server with raw pipes, for tests that close or signal them.
fn raw_hostile() -> std::process::Child {
    Command::new(bin())
        .args([
            "--skill-dir",
            fixture("hostile-skill").to_str().unwrap(),
            "serve",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn")
}

/// Starts `n` sleeper demos and waits until their processes run.
fn start_sleepers(stdin: &mut impl Write, n: u64) {
    for id in 1..=n {
        writeln!(
            stdin,
            "{}",
            modern_call(
                id,
                "run_demo",
                json!({"id": "sleeper", "timeout_ms": 30000})
            )
        )
        .unwrap();
    }
    stdin.flush().unwrap();
    assert!(
        wait_until(Duration::from_secs(10), || processes_mentioning(
            "sleeper.py"
        )
        .len()
            >= n as usize),
        "the sleepers did not start"
    );
}

/// Waits (bounded) for the server to exit; asserts it exited 0 rather than dying, and
/// that no demo process, scratch folder or cgroup of it is left.
fn exits_cleanly_leaving_nothing(child: &mut std::process::Child, why: &str) {
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(10), || child
            .try_wait()
            .unwrap()
            .is_some()),
        "{why}"
    );
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "died instead of exiting: {status:?}"
    );
    assert_nothing_left(pid);
}

/// No sleeper demo runs any more, and the server `pid` left no scratch folder or cgroup.
fn assert_nothing_left(pid: u32) {
    assert!(wait_until(Duration::from_secs(5), || processes_mentioning(
        "sleeper.py"
    )
    .is_empty()));
    assert!(
        wait_until(Duration::from_secs(5), || leftovers_of(pid).is_empty()),
        "{:?}",
        leftovers_of(pid)
    );
}

#[test]
fn client_closing_stdout_mid_flight_stops_the_server_and_its_demos() {
    if !have_python() {
        return;
    }
    let mut child = raw_hostile();
    let mut stdin = child.stdin.take().unwrap();
    start_sleepers(&mut stdin, 1);
    // The client stops listening: replies now hit a closed pipe (SIGPIPE/EPIPE), which
    // the server must notice and stop on.
    drop(child.stdout.take());
    for id in 100..110 {
        let _ = writeln!(stdin, "{}", modern_call(id, "list_patterns", json!({})));
    }
    let _ = stdin.flush();
    exits_cleanly_leaving_nothing(&mut child, "server kept running with nobody reading");
}

#[test]
fn client_closing_stdout_then_stdin_does_not_wait_for_demos() {
    if !have_python() {
        return;
    }
    // stdin EOF alone lets demos finish; a closed stdout too means nobody can read their
    // replies, so the sleepers (30 s deadline) must be stopped at once.
    let mut child = raw_hostile();
    let mut stdin = child.stdin.take().unwrap();
    start_sleepers(&mut stdin, 1);
    drop(child.stdout.take());
    let _ = writeln!(stdin, "{}", modern_call(100, "list_patterns", json!({})));
    drop(stdin);
    exits_cleanly_leaving_nothing(&mut child, "server waited for a demo nobody can read");
}

#[test]
fn sigterm_while_demos_run_exits_zero_and_leaves_nothing() {
    if !have_python() {
        return;
    }
    let mut child = raw_hostile();
    let mut stdin = child.stdin.take().unwrap();
    start_sleepers(&mut stdin, 2);
    signal(child.id(), libc::SIGTERM);
    exits_cleanly_leaving_nothing(&mut child, "SIGTERM did not stop the server");
    // stdout held only protocol messages, none of them half-written.
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    for line in out.lines() {
        serde_json::from_str::<Value>(line).expect("whole JSON lines only");
    }
}

#[test]
fn sigkill_leftovers_are_swept_by_the_next_server() {
    if !have_python() {
        return;
    }
    let mut child = raw_hostile();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    start_sleepers(&mut stdin, 1);
    child.kill().unwrap();
    child.wait().unwrap();
    // The parent-death signal takes the demo down at once.
    assert!(wait_until(Duration::from_secs(5), || processes_mentioning(
        "sleeper.py"
    )
    .is_empty()));
    // SIGKILL gave no chance to clean up; the next server's first demo sweeps it.
    let mut next = Server::with_skill("hostile-skill");
    let reply = next.call_tool("run_demo", json!({"id": "peek"}));
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    assert_nothing_left(pid);
}

#[test]
fn broken_interpreters_are_clear_tool_errors_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // Answers the version probe, then fails like a Python with a damaged stdlib.
    let fake = dir.path().join("python3");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$2\" = \"-c\" ]; then echo 3.12.0; echo \"$0\"; dirname \"$0\"; exit 0; fi\n\
         echo 'Fatal Python error: init_fs_encoding: failed to get the Python codec' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let tiny = fixture("tiny-skill");
    for (python, expect) in [
        (Path::new("/bin/false"), "/bin/false"),
        (Path::new("/no/such/python3"), "/no/such/python3"),
        (fake.as_path(), "Fatal Python error"),
    ] {
        let mut s = Server::spawn_with(
            &["--skill-dir", tiny.to_str().unwrap()],
            &["--python", python.to_str().unwrap()],
        );
        let reply = s.call_tool("run_demo", json!({"id": "alpha"}));
        assert_eq!(reply["result"]["isError"], true, "{reply}");
        assert!(reply.to_string().contains(expect), "{python:?}: {reply}");
        // The native engine and everything else still work.
        let native = s.call_tool("run_demo", json!({"id": "alpha", "engine": "native"}));
        assert!(native["result"].is_object(), "{native}");
        assert!(s.modern("tools/list", Value::Null)["result"]["tools"].is_array());
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn list_with_skill(dir: &Path) -> std::process::Output {
    let mut child = Command::new(bin())
        .args(["--skill-dir", dir.to_str().unwrap(), "list"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(10), || child
            .try_wait()
            .unwrap()
            .is_some()),
        "start-up hung on the skill folder"
    );
    child.wait_with_output().unwrap()
}

#[test]
fn odd_or_half_written_skill_folders_are_refused_at_start_up() {
    let root = tempfile::tempdir().unwrap();
    // A FIFO among the files would block a naive reader forever.
    let fifo_skill = root.path().join("fifo-skill");
    copy_tree(&fixture("tiny-skill"), &fifo_skill);
    let fifo = fifo_skill.join("references/pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let out = list_with_skill(&fifo_skill);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));

    // A SKILL.md cut off in the middle of its frontmatter (a copy still being written).
    let half = root.path().join("half-skill");
    copy_tree(&fixture("tiny-skill"), &half);
    let text = std::fs::read_to_string(half.join("SKILL.md")).unwrap();
    std::fs::write(half.join("SKILL.md"), &text[..text.len() / 4]).unwrap();
    let out = list_with_skill(&half);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("SKILL.md"));

    // A file that is far beyond the size budget is refused without reading it all.
    let big = root.path().join("big-skill");
    copy_tree(&fixture("tiny-skill"), &big);
    let file = std::fs::File::create(big.join("references/huge.bin")).unwrap();
    file.set_len(64 << 30).unwrap(); // 64 GiB, sparse
    let out = list_with_skill(&big);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most"));
}

#[test]
fn skill_files_changing_on_disk_do_not_change_what_is_served() {
    let root = tempfile::tempdir().unwrap();
    let skill = root.path().join("tiny-skill");
    copy_tree(&fixture("tiny-skill"), &skill);
    let mut s = Server::spawn(&["--skill-dir", skill.to_str().unwrap()]);
    let read = |s: &mut Server| {
        s.modern(
            "resources/read",
            json!({"uri": "skill://tiny-skill/references/alpha.md"}),
        )["result"]["contents"][0]["text"]
            .clone()
    };
    let before = read(&mut s);
    let listed = s.modern("skills/list", json!({}));
    std::fs::write(skill.join("references/alpha.md"), "changed\n").unwrap();
    std::fs::remove_file(skill.join("references/beta.md")).unwrap();
    assert_eq!(read(&mut s), before);
    assert_eq!(
        s.modern("skills/list", json!({}))["result"],
        listed["result"]
    );
}

/// A tmpfs of `kib` KiB mounted on a fresh folder; unmounted on drop. None when this
/// process may not mount (not root).
struct TinyFs {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl TinyFs {
    fn mount(kib: u32) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self {
            path: dir.path().to_path_buf(),
            _dir: dir,
        })
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

#[test]
fn full_scratch_filesystem_is_a_reported_failure() {
    let Some(fs) = TinyFs::mount(64) else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    // Fill it to the last byte.
    let mut filler = std::fs::File::create(fs.path.join("filler")).unwrap();
    let block = vec![0u8; 4096];
    while filler.write_all(&block).is_ok() {}
    drop(filler);
    let mut child = Command::new(bin())
        .args([
            "--skill-dir",
            fixture("tiny-skill").to_str().unwrap(),
            "serve",
        ])
        .env("TMPDIR", &fs.path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ask = |id: u64, name: &str, args: Value| -> Value {
        writeln!(stdin, "{}", modern_call(id, name, args)).unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    };
    let reply = ask(1, "run_demo", json!({"id": "alpha"}));
    let report = &reply["result"]["structuredContent"];
    if report["isolation"]["minimal_root"] == true {
        // The demo's scratch is a tmpfs of its own: a full host temp folder is no matter.
        assert_eq!(reply["result"]["isError"], false, "{reply}");
    } else {
        assert_eq!(reply["result"]["isError"], true, "{reply}");
        assert!(reply.to_string().contains("scratch"), "{reply}");
    }
    assert!(ask(2, "list_patterns", json!({}))["result"]["structuredContent"].is_object());
    let _ = child.kill();
    let _ = child.wait();
    // Nothing half-made is left on the full filesystem.
    let left: Vec<_> = std::fs::read_dir(&fs.path)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "filler")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn hundreds_of_cancellations_leave_nothing_running() {
    if !have_python() {
        return;
    }
    let mut s = Server::with_skill("hostile-skill");
    let pid = s.child.id();
    let n = 300u64;
    let mut batch = String::new();
    for id in 1..=n {
        batch.push_str(&modern_call(
            id,
            "run_demo",
            json!({"id": "sleeper", "timeout_ms": 30000}),
        ));
        batch.push('\n');
    }
    s.send_raw(batch.as_bytes());
    assert!(wait_until(Duration::from_secs(10), || {
        !processes_mentioning("sleeper.py").is_empty()
    }));
    let mut cancels = String::new();
    // Every request, then each again (already cancelled), then ids never used.
    for id in (1..=n).chain(1..=n).chain(10_000..10_050) {
        cancels.push_str(
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                    "params": {"requestId": id, "reason": "test"}})
            .to_string(),
        );
        cancels.push('\n');
    }
    s.send_raw(cancels.as_bytes());
    let started = Instant::now();
    assert!(s.modern("tools/list", Value::Null)["result"]["tools"].is_array());
    assert!(
        wait_until(Duration::from_secs(10), || processes_mentioning(
            "sleeper.py"
        )
        .is_empty()),
        "demos still running"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // Cancelled requests get no reply (MCP: the receiver should not respond).
    std::thread::sleep(Duration::from_millis(300));
    while let Some(message) = s.next_message(Duration::from_millis(100)) {
        s.backlog.push(message);
    }
    let replies: Vec<&Value> = s
        .backlog
        .iter()
        .filter(|m| m["id"].as_u64().is_some_and(|id| id <= n))
        .collect();
    assert!(
        replies.is_empty(),
        "{} cancelled requests answered",
        replies.len()
    );
    assert!(
        wait_until(Duration::from_secs(5), || leftovers_of(pid)
            .iter()
            .all(|p| p.starts_with("/sys"))),
        "{:?}",
        leftovers_of(pid)
    );
}

/// libfaketime (Debian's `faketime` package), which lets a test move the wall clock of
/// one process while it runs.
const FAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

#[test]
fn wall_clock_jumps_do_not_move_deadlines() {
    if !have_python() || !Path::new(FAKETIME).exists() {
        eprintln!("skipped: needs python3 and libfaketime");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let offset = dir.path().join("offset");
    std::fs::write(&offset, "+0\n").unwrap();
    let mut child = Command::new(bin())
        .args([
            "--skill-dir",
            fixture("hostile-skill").to_str().unwrap(),
            "serve",
        ])
        .env("LD_PRELOAD", FAKETIME)
        .env("FAKETIME_TIMESTAMP_FILE", &offset)
        .env("FAKETIME_NO_CACHE", "1")
        // As on a real machine: settimeofday and NTP steps move CLOCK_REALTIME only.
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let started = Instant::now();
    writeln!(
        stdin,
        "{}",
        modern_call(1, "run_demo", json!({"id": "sleeper", "timeout_ms": 1500}))
    )
    .unwrap();
    // A year forward, then a month back, while the demo runs.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&offset, "+365d\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&offset, "-30d\n").unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let elapsed = started.elapsed();
    let reply: Value = serde_json::from_str(&line).unwrap();
    let report = &reply["result"]["structuredContent"];
    assert_eq!(report["timed_out"], true, "{reply}");
    assert!(
        elapsed >= Duration::from_millis(1400) && elapsed < Duration::from_secs(5),
        "deadline moved: {elapsed:?}"
    );
    writeln!(stdin, "{}", modern_call(2, "list_patterns", json!({}))).unwrap();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("\"patterns\""), "{line}");
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
