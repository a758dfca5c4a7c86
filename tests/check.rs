//! check_code end to end: over stdio as a client calls it, and as the `check` command,
//! with the same answers, the documented errors and the documented exit codes.

use crate::support;
use crate::support::{bin, error_code, structured, Server};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};

const BUGGY: &str = "import asyncio
import time


async def save(order):
    await asyncio.sleep(0)


async def handle(order):
    time.sleep(0.5)
    save(order)
    asyncio.create_task(save(order))
";

/// The subset of JSON Schema our derived output schemas use: enough to say the result
/// has every required field with the declared type and nothing undeclared.
fn conforms(value: &Value, schema: &Value, path: &str) -> Result<(), String> {
    if let Some(branches) = schema["anyOf"].as_array() {
        return branches
            .iter()
            .find_map(|b| conforms(value, b, path).ok())
            .ok_or_else(|| format!("{path}: matches no anyOf branch"));
    }
    if let Some(choices) = schema["enum"].as_array() {
        if !choices.contains(value) {
            return Err(format!("{path}: {value} not in {choices:?}"));
        }
    }
    let type_ok = match schema["type"].as_str() {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("null") => value.is_null(),
        _ => true,
    };
    if !type_ok {
        return Err(format!("{path}: {value} is not {}", schema["type"]));
    }
    if let Some(object) = value.as_object() {
        let properties = schema["properties"].as_object();
        for required in schema["required"].as_array().into_iter().flatten() {
            let key = required.as_str().unwrap_or_default();
            if !object.contains_key(key) {
                return Err(format!("{path}: missing `{key}`"));
            }
        }
        for (key, field) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => conforms(field, sub, &format!("{path}.{key}"))?,
                None if schema["additionalProperties"] == json!(false) => {
                    return Err(format!("{path}: undeclared `{key}`"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(schema_items)) = (value.as_array(), schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            conforms(item, schema_items, &format!("{path}[{i}]"))?;
        }
    }
    Ok(())
}

fn rules(report: &Value) -> Vec<(String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn check_code_over_stdio_returns_findings_that_match_its_output_schema() {
    let mut s = Server::embedded();
    let tools = s.modern("tools/list", Value::Null)["result"]["tools"].clone();
    let tool = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "check_code")
        .expect("check_code is listed")
        .clone();
    let reply = s.call_tool("check_code", json!({"code": BUGGY}));
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    let report = structured(&reply);
    conforms(&report, &tool["outputSchema"], "$").unwrap();
    assert_eq!(
        rules(&report),
        vec![
            ("blocking-call".to_string(), 10),
            ("unawaited-coroutine".to_string(), 11),
            ("dangling-task".to_string(), 12)
        ]
    );
    assert_eq!(report["findings"][0]["column"], 5);
    assert_eq!(report["findings"][0]["pattern"], "blocking-the-loop");
    // The pattern a finding names is one the catalogue serves.
    let pattern = s.call_tool("get_pattern", json!({"id": "forgotten-await"}));
    assert_eq!(pattern["result"]["isError"], false);
}

#[test]
fn target_python_decides_the_wait_for_advice() {
    let mut s = Server::embedded();
    let code = "import asyncio\nasync def f(c):\n    return await asyncio.wait_for(c, 1)\n";
    let new = structured(&s.call_tool("check_code", json!({"code": code})));
    assert_eq!(rules(&new), vec![("wait-for-timeout".to_string(), 3)]);
    assert_eq!(new["findings"][0]["severity"], "info");
    let old = structured(&s.call_tool("check_code", json!({"code": code, "python": "3.10"})));
    assert_eq!(old["python"], "3.10");
    assert!(rules(&old).is_empty());
}

#[test]
fn syntax_error_is_a_tool_error_with_its_position() {
    let mut s = Server::embedded();
    let reply = s.call_tool(
        "check_code",
        json!({"code": "async def f():\n    await g(\n"}),
    );
    assert_eq!(reply["result"]["isError"], true, "{reply}");
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("syntax error at line"), "{text}");
    assert!(text.contains("column"), "{text}");
    // A bad target version is the model's to fix too.
    let reply = s.call_tool("check_code", json!({"code": "x = 1\n", "python": "2.7"}));
    assert_eq!(reply["result"]["isError"], true, "{reply}");
}

/// Hostile nesting (a 520-level bracket nest, an attribute chain of 100,000 links) is a
/// syntax error at the place CPython's limit or ours is crossed, over MCP and on the
/// command line, and the server keeps serving.
#[test]
fn nesting_past_the_limits_is_a_syntax_error_where_it_crosses_them() {
    let mut s = Server::embedded();
    let brackets = format!("x = 1\ny = {}1{}\n", "[".repeat(520), "]".repeat(520));
    let reply = s.call_tool("check_code", json!({"code": brackets}));
    assert_eq!(reply["result"]["isError"], true, "{reply}");
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("line 2, column 205"), "{text}");
    let chain = format!("async def f():\n    a{}()\n", ".b".repeat(100_000));
    let reply = s.call_tool("check_code", json!({"code": chain}));
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("line 2") && text.contains("nested too deeply"),
        "{text}"
    );
    let reply = s.call_tool("check_code", json!({"code": "x = 1\n"}));
    assert_eq!(structured(&reply)["findings"], json!([]));

    let dir = tempfile::tempdir().unwrap();
    let deep = write(&dir, "deep.py", &format!("x = {}1\n", "-".repeat(200_000)));
    let out = check_cli(&[&deep], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{deep}:1:")), "{stderr}");
}

#[test]
fn oversized_code_is_invalid_params_and_the_server_keeps_serving() {
    let mut s = Server::embedded();
    let code = "x = 1\n".repeat(1024 * 1024 / 6 + 1);
    let reply = s.call_tool("check_code", json!({"code": code}));
    assert_eq!(error_code(&reply), -32602);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("at most 1048576 bytes"));
    let reply = s.call_tool("check_code", json!({"code": "x = 1\n"}));
    assert_eq!(structured(&reply)["findings"], json!([]));
}

fn check_cli(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(bin())
        .arg("check")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run async-patterns check");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn cli_prints_findings_like_a_linter_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let buggy = write(&dir, "buggy.py", BUGGY);
    let out = check_cli(&[&buggy], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with(&format!("{buggy}:10:5: AP001 blocking-call [warning] ")),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("(pattern: blocking-the-loop)"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 findings in 1 file"));
}

#[test]
fn cli_exits_zero_when_clean_and_two_on_syntax_io_or_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let clean = write(
        &dir,
        "clean.py",
        "import asyncio\nasync def f():\n    await asyncio.sleep(0)\n",
    );
    assert_eq!(check_cli(&[&clean], None).status.code(), Some(0));

    let broken = write(&dir, "broken.py", "def f(:\n    pass\n");
    let out = check_cli(&[&broken, &clean], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{broken}:1:7: syntax error")),
        "{stderr}"
    );

    let missing = dir.path().join("missing.py");
    let out = check_cli(&[missing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        check_cli(&["--python", "three", &clean], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(check_cli(&[], None).status.code(), Some(2));
}

#[test]
fn cli_json_is_the_tools_structured_content_per_file_and_reads_stdin() {
    let out = check_cli(&["--json", "--python", "3.12", "-"], Some(BUGGY));
    assert_eq!(out.status.code(), Some(1));
    let mut line: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(line["file"], "<stdin>");
    line.as_object_mut().unwrap().remove("file");
    let mut s = Server::embedded();
    let tool = structured(&s.call_tool("check_code", json!({"code": BUGGY, "python": "3.12"})));
    assert_eq!(line, tool);
}

/// The inputs docs/check-vs-ruff.md compares with ruff: the figures quoted there are
/// these findings.
#[test]
fn comparison_fixtures_give_the_findings_the_ruff_comparison_quotes() {
    let expected: &[(&str, &[(&str, u64)])] = &[
        (
            "blocking.py",
            &[
                ("blocking-call", 16),
                ("blocking-call", 17),
                ("blocking-call", 18),
                ("blocking-call", 19),
                ("blocking-call", 20),
                ("blocking-call", 21),
                ("blocking-file-io", 22),
                ("blocking-call", 23),
                ("blocking-file-io", 31),
            ],
        ),
        (
            "cancellation.py",
            &[
                ("swallowed-cancellation", 7),
                ("swallowed-cancellation", 11),
                ("swallowed-cancellation", 15),
            ],
        ),
        (
            "coroutines.py",
            &[
                ("unawaited-coroutine", 13),
                ("unawaited-coroutine", 17),
                ("unawaited-coroutine", 18),
                ("unawaited-coroutine", 19),
                ("dangling-task", 21),
                ("dangling-task", 23),
            ],
        ),
        (
            "loops.py",
            &[
                ("asyncio-run-in-async", 13),
                ("asyncio-run-in-async", 14),
                ("get-event-loop-in-async", 15),
                ("wait-for-timeout", 16),
            ],
        ),
        // What ruff's ASYNC rules find: we now share its open() (ASYNC230) and a
        // synchronous httpx.Client (ASYNC210); the rest is in the document.
        (
            "ruff_ahead.py",
            &[("blocking-file-io", 15), ("blocking-call", 20)],
        ),
    ];
    for (name, findings) in expected {
        let path = support::fixture("check").join(name);
        let out = check_cli(&["--json", path.to_str().unwrap()], None);
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON line");
        let want: Vec<(String, u64)> = findings.iter().map(|(r, l)| (r.to_string(), *l)).collect();
        assert_eq!(rules(&report), want, "{name}");
    }
}

/// A project tree as a linter meets it: ignored, hidden and non-Python files are
/// skipped when a folder is walked, and a file named on the command line is checked
/// whatever the ignore rules say.
#[test]
fn cli_walks_folders_honouring_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for folder in ["src/pkg", "build", ".venv", "docs"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
    for file in ["src/pkg/a.py", "src/b.pyi", "build/gen.py", ".venv/lib.py"] {
        std::fs::write(root.join(file), BUGGY).unwrap();
    }
    std::fs::write(root.join("docs/notes.txt"), BUGGY).unwrap();
    let out = check_cli(&["--format", "json", root.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let files: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .map(|f| f.strip_prefix(root.to_str().unwrap()).unwrap().to_string())
        .collect();
    assert_eq!(files, ["/src/b.pyi", "/src/pkg/a.py"]);
    let named = root.join("build/gen.py");
    let out = check_cli(&[named.to_str().unwrap()], None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a named file is checked even if ignored"
    );
}

#[test]
fn cli_target_comes_from_the_nearest_pyproject_unless_python_is_given() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("old/src")).unwrap();
    std::fs::write(
        dir.path().join("old/pyproject.toml"),
        "[project]\nname = \"old\"\nrequires-python = \">=3.9\"\n",
    )
    .unwrap();
    let code = "import asyncio\nasync def f(c):\n    return await asyncio.wait_for(c, 1)\n";
    let file = dir.path().join("old/src/m.py");
    std::fs::write(&file, code).unwrap();
    let file = file.to_str().unwrap();
    let report: Value = serde_json::from_slice(&check_cli(&["--json", file], None).stdout).unwrap();
    assert_eq!(report["python"], "3.9");
    assert!(rules(&report).is_empty(), "{report}");
    let report: Value =
        serde_json::from_slice(&check_cli(&["--json", "--python", "3.12", file], None).stdout)
            .unwrap();
    assert_eq!(rules(&report), vec![("wait-for-timeout".to_string(), 3)]);
}

#[test]
fn cli_refuses_unknown_python_versions() {
    let out = check_cli(&["--python", "3.99", "-"], Some("x = 1\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown target Python"));
}

#[test]
fn cli_sarif_is_a_sarif_2_1_0_log_with_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let buggy = write(&dir, "buggy.py", BUGGY);
    let broken = write(&dir, "broken.py", "def f(:\n");
    let out = check_cli(&["--format", "sarif", &buggy, &broken], None);
    assert_eq!(out.status.code(), Some(2));
    let log: serde_sarif::sarif::Sarif =
        serde_json::from_slice(&out.stdout).expect("stdout is one SARIF log");
    assert_eq!(log.version, json!("2.1.0"));
    let run = &log.runs[0];
    assert_eq!(run.tool.driver.name, "async-patterns");
    let results = run.results.as_ref().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .filter_map(|r| r.rule_id.as_deref())
        .collect();
    assert_eq!(ids, ["AP001", "AP002", "AP003"]);
    let rules = run.tool.driver.rules.as_ref().unwrap();
    for result in results {
        let index = result.rule_index.unwrap() as usize;
        assert_eq!(Some(&rules[index].id), result.rule_id.as_ref());
    }
    let region = results[0].locations.as_ref().unwrap()[0]
        .physical_location
        .as_ref()
        .unwrap()
        .region
        .as_ref()
        .unwrap();
    assert_eq!(
        (region.start_line, region.start_column),
        (Some(10), Some(5))
    );
    let invocation = &run.invocations.as_ref().unwrap()[0];
    assert!(
        !invocation.execution_successful,
        "a file could not be checked"
    );
}

#[test]
fn cli_github_format_annotates_each_finding() {
    let dir = tempfile::tempdir().unwrap();
    let buggy = write(&dir, "buggy.py", BUGGY);
    let out = check_cli(&["--format", "github", &buggy], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with(&format!(
            "::warning file={buggy},line=10,col=5,title=AP001 blocking-call::"
        )),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("::error "), "{}", lines[1]);
}

#[test]
fn cli_noqa_silences_and_ignore_noqa_reports_anyway() {
    let code = "import time\nasync def f():\n    time.sleep(1)  # noqa: ASYNC251\n";
    assert_eq!(check_cli(&["-"], Some(code)).status.code(), Some(0));
    assert_eq!(
        check_cli(&["--ignore-noqa", "-"], Some(code)).status.code(),
        Some(1)
    );
}
