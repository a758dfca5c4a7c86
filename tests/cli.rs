//! The command line: same answers as the tools, readable output for people, JSON for
//! scripts, clear errors and exit codes.

use crate::support;
use crate::support::{bin, fixture, structured, Server};
use serde_json::{json, Value};
use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    let dir = fixture("tiny-skill");
    Command::new(bin())
        .arg("--skill-dir")
        .arg(&dir)
        .args(args)
        .output()
        .expect("run async-patterns")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn json_output_is_exactly_the_tools_structured_content() {
    let mut server = Server::with_skill("tiny-skill");
    let cases: Vec<(Vec<&str>, &str, Value)> = vec![
        (vec!["list", "--json"], "list_patterns", json!({})),
        (
            vec!["list", "--category", "pitfall", "--json"],
            "list_patterns",
            json!({"category": "pitfall"}),
        ),
        (
            vec!["show", "alpha", "--json"],
            "get_pattern",
            json!({"id": "alpha"}),
        ),
        (
            vec!["snippet", "alpha", "--python", "3.10", "--json"],
            "get_snippet",
            json!({"id": "alpha", "python": "3.10"}),
        ),
        (
            vec!["search", "never", "awaited", "--json"],
            "search_patterns",
            json!({"query": "never awaited", "limit": 5}),
        ),
    ];
    for (args, tool, arguments) in cases {
        let from_cli = json_of(&cli(&args));
        let from_tool = structured(&server.call_tool(tool, arguments));
        assert_eq!(from_cli, from_tool, "{args:?}");
    }
}

#[test]
fn human_output_is_readable() {
    let out = cli(&["list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("alpha") && l.contains("demo")),
        "{text}"
    );
    let out = cli(&["snippet", "alpha", "--python", "3.10"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("asyncio.gather"));
}

#[test]
fn unknown_id_exits_one_with_a_hint() {
    let out = cli(&["show", "alpah"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("alpha"));
}

#[test]
fn broken_skill_dir_is_a_clear_start_up_error() {
    let tmp = tempfile::tempdir().unwrap();
    let skill = tmp.path().join("broken-skill");
    std::fs::create_dir_all(skill.join("references")).unwrap();
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: broken-skill\ndescription: d\n---\n",
    )
    .unwrap();
    std::fs::write(
        skill.join("references/x.md"),
        "---\nid: x\ntitle: X\ncategory: nonsense\n---\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .arg("--skill-dir")
        .arg(&skill)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("references/x.md:4"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn run_prints_the_demo_and_its_json_report() {
    if !support::have_python() {
        return;
    }
    let out = cli(&["run", "alpha", "--param", "tasks=2", "--json"]);
    let report = json_of(&out);
    assert_eq!(report["summary"]["tasks"], 2);
    let out = cli(&["run", "alpha", "--param", "nope=1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown parameter"));
}

#[test]
fn serve_on_a_terminal_explains_itself_on_stderr_only() {
    // `script` gives the server a real terminal on stdin; stdout still carries nothing.
    let Ok(probe) = Command::new("script").arg("--version").output() else {
        eprintln!("skipped: no `script`");
        return;
    };
    if !probe.status.success() {
        eprintln!("skipped: `script --version` failed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let err_path = tmp.path().join("stderr.txt");
    let cmd = format!(
        "{} serve 2>{} </dev/tty & sleep 1; kill $!",
        bin().display(),
        err_path.display()
    );
    let _ = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .unwrap();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(stderr.contains("waiting for an MCP client"), "{stderr}");
    assert!(stderr.contains("async-patterns list"), "{stderr}");
}

fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn pack_writes_a_deterministic_registry_site() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let run = Command::new(bin())
            .args(["pack", "--out"])
            .arg(out)
            .output()
            .unwrap();
        assert!(run.status.success());
        // Says which folder is the site's root (not its .well-known/ inside).
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(
            said.contains(&format!("serve {} itself", out.display())),
            "{said}"
        );
    }
    // GitHub Pages would drop .well-known/ without it.
    assert!(a.join(".nojekyll").is_file());
    let site = tree(&a);
    assert_eq!(site, tree(&b), "two packs differ");
    let index: Value = serde_json::from_slice(
        &site
            .iter()
            .find(|(p, _)| p == ".well-known/agent-skills/index.json")
            .unwrap()
            .1,
    )
    .unwrap();
    let entry = &index["skills"][0];
    assert_eq!(entry["type"], "archive");
    let archive = &site
        .iter()
        .find(|(p, _)| {
            *p == format!(
                ".well-known/agent-skills/{}",
                entry["url"].as_str().unwrap()
            )
        })
        .unwrap()
        .1;
    use sha2::Digest;
    assert_eq!(
        entry["digest"],
        format!("sha256:{}", hex::encode(sha2::Sha256::digest(archive)))
    );
    let skill_md = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("skill/async-python-patterns/SKILL.md"),
    )
    .unwrap();
    assert!(site.contains(&(
        ".well-known/skills/async-python-patterns/SKILL.md".to_string(),
        skill_md
    )));
}

#[test]
fn validate_reports_problems_with_file_and_line_as_json() {
    let bad = fixture("broken-skills").join("extra-key");
    let out = Command::new(bin())
        .arg("validate")
        .arg(&bad)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["problems"][0]["file"], "SKILL.md");
    assert_eq!(report["problems"][0]["line"], 2);
    assert!(report["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`version`"));
    let good = Command::new(bin())
        .args(["validate", "--json"])
        .arg(fixture("tiny-skill"))
        .output()
        .unwrap();
    assert!(good.status.success());
    let report: Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(
        (report["valid"].clone(), report["catalogue_format"].clone()),
        (json!(true), json!(true))
    );
}

fn in_home(home: &std::path::Path, cwd: &std::path::Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("HOME", home)
        .env_remove("CLAUDE_CONFIG_DIR")
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn same_tree(a: &std::path::Path, b: &std::path::Path) -> bool {
    tree(a) == tree(b)
}

#[test]
fn install_is_byte_identical_idempotent_and_keeps_changed_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, project) = (tmp.path().join("home"), tmp.path().join("project"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    let skill =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("skill/async-python-patterns");
    let installed = home.join(".claude/skills/async-python-patterns");

    assert!(in_home(
        &home,
        &project,
        &["install", "--agent", "claude-code", "--global"]
    )
    .status
    .success());
    assert!(same_tree(&installed, &skill));
    let again = in_home(
        &home,
        &project,
        &["install", "--agent", "claude-code", "-g"],
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("up to date"));

    std::fs::write(installed.join("SKILL.md"), "my own notes").unwrap();
    let refused = in_home(
        &home,
        &project,
        &["install", "--agent", "claude-code", "-g"],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(installed.join("SKILL.md")).unwrap(),
        "my own notes"
    );
    assert!(in_home(
        &home,
        &project,
        &["install", "--agent", "claude-code", "-g", "--force"]
    )
    .status
    .success());
    assert!(same_tree(&installed, &skill));

    std::fs::write(installed.join("references/gather.md"), "edited").unwrap();
    let removed = in_home(
        &home,
        &project,
        &["uninstall", "--agent", "claude-code", "-g"],
    );
    assert!(removed.status.success());
    assert_eq!(
        tree(&installed),
        vec![("references/gather.md".to_string(), b"edited".to_vec())]
    );

    // Project scope, conventions of the skills CLI.
    assert!(in_home(&home, &project, &["install", "--agent", "cursor"])
        .status
        .success());
    assert!(same_tree(
        &project.join(".agents/skills/async-python-patterns"),
        &skill
    ));
    assert!(
        in_home(&home, &project, &["uninstall", "--agent", "cursor"])
            .status
            .success()
    );
    assert!(!project
        .join(".agents/skills/async-python-patterns")
        .exists());
}

#[test]
fn install_for_all_detected_agents_and_never_through_a_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, elsewhere) = (tmp.path().join("home"), tmp.path().join("elsewhere"));
    std::fs::create_dir_all(home.join(".cursor")).unwrap();
    std::fs::create_dir_all(home.join(".gemini")).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = in_home(&home, tmp.path(), &["install", "--agent", "all", "-g"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home
        .join(".cursor/skills/async-python-patterns/SKILL.md")
        .is_file());
    assert!(home
        .join(".gemini/skills/async-python-patterns/SKILL.md")
        .is_file());
    assert!(
        !home.join(".claude").exists(),
        "claude-code was not detected"
    );

    std::os::unix::fs::symlink(&elsewhere, home.join(".claude")).unwrap();
    let out = in_home(
        &home,
        tmp.path(),
        &["install", "--agent", "claude-code", "-g"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    assert!(
        std::fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "wrote through the link"
    );
    assert_eq!(
        in_home(&home, tmp.path(), &["install", "--agent", "nope"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn mcp_config_prints_each_hosts_entry_with_this_binary() {
    let binary = std::fs::canonicalize(bin()).unwrap();
    for host in ["claude-code", "claude-desktop", "cursor", "vscode", "codex"] {
        let out = Command::new(bin())
            .args(["mcp-config", "--host", host])
            .output()
            .unwrap();
        assert!(out.status.success(), "{host}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&*binary.to_string_lossy()) && text.contains("serve"),
            "{host}: {text}"
        );
    }
    assert_eq!(
        Command::new(bin())
            .args(["mcp-config", "--host", "emacs"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn mcp_config_write_merges_keeps_a_backup_and_leaves_malformed_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let cursor = home.join(".cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    std::fs::write(
        &cursor,
        r#"{"mcpServers": {"other": {"command": "x"}}, "theme": "dark"}"#,
    )
    .unwrap();
    assert!(
        in_home(home, home, &["mcp-config", "--host", "cursor", "--write"])
            .status
            .success()
    );
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&cursor).unwrap()).unwrap();
    assert_eq!(merged["mcpServers"]["other"]["command"], "x");
    assert_eq!(merged["theme"], "dark");
    assert_eq!(
        merged["mcpServers"]["async-patterns"]["args"],
        json!(["serve"])
    );
    assert!(home.join(".cursor/mcp.json.bak").is_file());

    let codex = home.join(".codex/config.toml");
    std::fs::create_dir_all(codex.parent().unwrap()).unwrap();
    std::fs::write(
        &codex,
        "model = \"o4\" # mine\n\n[mcp_servers.other]\ncommand = \"x\"\n",
    )
    .unwrap();
    assert!(
        in_home(home, home, &["mcp-config", "--host", "codex", "--write"])
            .status
            .success()
    );
    let text = std::fs::read_to_string(&codex).unwrap();
    assert!(text.contains("model = \"o4\" # mine") && text.contains("[mcp_servers.other]"));
    assert!(text.contains("[mcp_servers.async-patterns]"));

    let vscode = home.join(".vscode/mcp.json");
    std::fs::create_dir_all(vscode.parent().unwrap()).unwrap();
    std::fs::write(&vscode, "{ not json").unwrap();
    let out = in_home(home, home, &["mcp-config", "--host", "vscode", "--write"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    assert_eq!(std::fs::read_to_string(&vscode).unwrap(), "{ not json");
}

#[test]
fn validate_without_a_folder_checks_the_embedded_skill_from_anywhere() {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["validate", "--json"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["catalogue_format"], true, "{report}");
    let out = Command::new(bin())
        .arg("validate")
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("valid skill: (embedded) async-python-patterns"),
        "{said}"
    );
}

/// The binary on its embedded skill.
fn embedded_cli(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run async-patterns")
}

/// MCP tool and field names that mean nothing to someone at a shell.
const MCP_WORDS: &[&str] = &[
    "list_patterns",
    "search_patterns",
    "get_pattern",
    "get_snippet",
    "run_demo",
    "has_demo",
    "timeout_ms ",
    "invalid params",
];

fn says_no_mcp(text: &str) {
    for word in MCP_WORDS {
        assert!(!text.contains(word), "`{word}` in a CLI message: {text}");
    }
}

#[test]
fn cli_errors_name_cli_commands_and_options() {
    let cli = embedded_cli;
    for args in [
        &["show", "no-such-entry"][..],
        &["run", "no-such-entry"],
        &["run", "coroutines"],
        &["snippet", "no-such-snippet"],
        &["search", "x", "--limit", "0"],
        &["run", "gather", "--timeout-ms", "0"],
    ] {
        let out = cli(args);
        assert!(!out.status.success(), "{args:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        says_no_mcp(&said);
        assert!(
            said.contains("async-patterns") || said.contains("--"),
            "{said}"
        );
    }
    let said = String::from_utf8_lossy(&cli(&["search", "x", "--limit", "0"]).stderr).to_string();
    assert!(said.contains("--limit must be between 1 and 50"), "{said}");
    let said = String::from_utf8_lossy(&cli(&["run", "coroutines"]).stderr).to_string();
    assert!(said.contains("`async-patterns list`"), "{said}");
}

#[test]
fn show_prints_the_demo_and_its_parameters() {
    let cli = embedded_cli;
    let out = cli(&["show", "gather"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Demo: async-patterns run gather [--param NAME=VALUE]..."),
        "{text}"
    );
    let tasks = text
        .lines()
        .find(|l| l.trim_start().starts_with("tasks "))
        .unwrap_or_else(|| panic!("no tasks line: {text}"));
    for part in ["integer", "1..50", "default 3", "how many coroutines"] {
        assert!(tasks.contains(part), "{part} missing: {tasks}");
    }
    // An entry without a demo says nothing of one.
    let plain = cli(&["show", "coroutines"]);
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("Demo:"));
}

#[test]
fn run_past_its_deadline_names_the_deadline_and_prints_the_output_so_far() {
    let cli = embedded_cli;
    if !support::have_python() {
        return;
    }
    let out = cli(&["run", "gather", "--timeout-ms", "300", "--param", "delay=1"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("killed at its 300 ms deadline"), "{said}");
    assert!(said.contains("--timeout-ms"), "{said}");
    says_no_mcp(&said);
    // The promise "output so far is printed above" holds: whatever it wrote is there,
    // or it says there was none.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.is_empty() || said.contains("wrote no output"),
        "{said}"
    );
}

/// People see the demo's timeline as lanes on stderr (stdout stays the demo's output),
/// and the closing line names the engine as the `--engine` flag spells it.
#[test]
fn run_draws_the_timeline_as_lanes_and_names_its_engine() {
    let out = embedded_cli(&["run", "gather", "--engine", "native"]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("demo `gather` (native) finished in "),
        "{said}"
    );
    let lanes: Vec<&str> = said
        .lines()
        .skip_while(|l| !l.starts_with("timeline"))
        .collect();
    assert_eq!(lanes.get(1), Some(&"gather"), "{said}");
    assert_eq!(lanes.get(5), Some(&"sequential"), "{said}");
    // gather's three start together; the sequential three start one after another.
    let start = |line: &str| line.split('|').nth(1).unwrap().find('█').unwrap();
    assert!((2..=4).all(|i| start(lanes[i]) == 0), "{said}");
    assert!(
        start(lanes[6]) < start(lanes[7]) && start(lanes[7]) < start(lanes[8]),
        "{said}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains('█'));
}

#[test]
fn version_names_the_skill_and_the_protocols_served() {
    let out = embedded_cli(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("async-patterns {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("skill async-python-patterns 1."), "{text}");
    assert!(
        text.contains("2026-07-28") && text.contains("2025-11-25"),
        "{text}"
    );
}

#[test]
fn uninstall_help_offers_only_what_uninstall_uses() {
    let out = embedded_cli(&["uninstall", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--agent") && !text.contains("--force"),
        "{text}"
    );
    let out = embedded_cli(&["uninstall", "--agent", "claude-code", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    let out = embedded_cli(&["install", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("--force"));
}

#[test]
fn bash_completion_completes_commands_and_options() {
    let script = embedded_cli(&["completions", "bash"]);
    assert!(script.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("async-patterns.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    // Load it into a real bash and ask for completions as the shell would.
    let complete = |words: &str, cword: usize| {
        let program = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; \
             COMP_POINT=${{#COMP_LINE}}; \
             _async__patterns async-patterns \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = Command::new("bash")
            .args(["--norc", "-c", &program])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let commands = complete("async-patterns ru", 1);
    assert_eq!(commands.trim(), "run", "{commands}");
    let options = complete("async-patterns run --time", 2);
    assert_eq!(options.trim(), "--timeout-ms", "{options}");
}

#[test]
fn man_page_renders_and_lists_every_command() {
    let page = embedded_cli(&["man"]);
    assert!(page.status.success());
    let roff = String::from_utf8_lossy(&page.stdout);
    assert!(roff.contains(".TH async-patterns 1"), "{roff}");
    for command in [
        "serve",
        "list",
        "show",
        "search",
        "check",
        "run",
        "completions",
    ] {
        assert!(
            roff.contains(&format!("async\\-patterns\\-{command}(1)")),
            "{command} missing from SUBCOMMANDS"
        );
    }
    // groff, where installed, formats it without a warning.
    let Ok(mut groff) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("groff not installed: formatting not checked");
        return;
    };
    use std::io::Write;
    groff.stdin.take().unwrap().write_all(&page.stdout).unwrap();
    let out = groff.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A second `--write` that changes nothing writes nothing: the `.bak` still holds the
/// user's own file, not the already-merged one, and the message says so.
#[test]
fn mcp_config_write_twice_keeps_the_users_backup_and_says_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let cursor = home.join(".cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    let original = r#"{"mcpServers": {"other": {"command": "x"}}}"#;
    std::fs::write(&cursor, original).unwrap();
    let args = ["mcp-config", "--host", "cursor", "--write"];
    let first = in_home(home, home, &args);
    assert!(String::from_utf8_lossy(&first.stderr).contains("wrote "));
    let merged = std::fs::read_to_string(&cursor).unwrap();
    let second = in_home(home, home, &args);
    assert!(second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("unchanged"), "{said}");
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), merged);
    let backup = home.join(".cursor/mcp.json.bak");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), original);
}

/// A write with another launch keeps the `.bak` of the user's own file: the file it
/// replaces already held our entry, so it is not the original.
#[test]
fn mcp_config_rewrite_with_another_launch_keeps_the_original_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let cursor = home.join(".cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    let original = r#"{"mcpServers": {"other": {"command": "x"}}}"#;
    std::fs::write(&cursor, original).unwrap();
    let write = |via: &str| {
        in_home(
            home,
            home,
            &["mcp-config", "--host", "cursor", "--write", "--via", via],
        )
    };
    assert!(write("npx").status.success());
    let second = write("uvx");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("your original stays in"), "{said}");
    let backup = home.join(".cursor/mcp.json.bak");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), original);
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&cursor).unwrap()).unwrap();
    assert_eq!(merged["mcpServers"]["async-patterns"]["command"], "uvx");
}

/// The user's file keeps its key order, layout and comments (VS Code's `mcp.json` is JSON
/// with comments and trailing commas); only our entry is added.
#[test]
fn mcp_config_write_keeps_key_order_layout_and_comments() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let cursor = home.join(".cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    std::fs::write(
        &cursor,
        "{\n  \"zeta\": 1,\n  \"mcpServers\": {\n    \"other\": {\"command\": \"x\", \"args\": []}\n  },\n  \"alpha\": true\n}\n",
    )
    .unwrap();
    let out = in_home(
        home,
        home,
        &["mcp-config", "--host", "cursor", "--write", "--via", "npx"],
    );
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(&cursor).unwrap(),
        r#"{
  "zeta": 1,
  "mcpServers": {
    "other": {"command": "x", "args": []},
    "async-patterns": {
      "command": "npx",
      "args": ["-y", "@async-patterns/mcp", "serve"]
    }
  },
  "alpha": true
}
"#
    );

    let project = tmp.path().join("proj");
    let vscode = project.join(".vscode/mcp.json");
    std::fs::create_dir_all(vscode.parent().unwrap()).unwrap();
    let commented = "{\n  // my servers\n  \"servers\": {\n    \"gh\": { \"type\": \"http\", \"url\": \"https://example.com/mcp\" }, // work\n  },\n}\n";
    std::fs::write(&vscode, commented).unwrap();
    let out = in_home(
        home,
        &project,
        &["mcp-config", "--host", "vscode", "--write", "--via", "npx"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&vscode).unwrap();
    assert!(
        written.starts_with("{\n  // my servers\n  \"servers\": {\n    \"gh\": { \"type\": \"http\", \"url\": \"https://example.com/mcp\" }, // work\n    \"async-patterns\": {\n      \"type\": \"stdio\","),
        "{written}"
    );
    // Our entry, laid out by hand: the same value, so nothing is rewritten.
    let compact = r#"{"mcpServers":{"async-patterns":{"args":["-y","@async-patterns/mcp","serve"],"command":"npx"}}}"#;
    std::fs::write(&cursor, compact).unwrap();
    let again = in_home(
        home,
        home,
        &["mcp-config", "--host", "cursor", "--write", "--via", "npx"],
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("unchanged"));
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), compact);
}

#[test]
fn mcp_config_carries_skill_dir_into_the_entry() {
    let skill = fixture("tiny-skill");
    let out = Command::new(bin())
        .args(["--skill-dir", skill.to_str().unwrap()])
        .args(["mcp-config", "--host", "cursor", "--via", "binary"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entry: Value = serde_json::from_slice(&out.stdout).unwrap();
    let absolute = std::fs::canonicalize(&skill).unwrap();
    assert_eq!(
        entry["mcpServers"]["async-patterns"]["args"],
        json!(["--skill-dir", absolute.to_str().unwrap(), "serve"])
    );
}
