//! The MCP wire over stdio, both eras, against the real binary serving a small fixture
//! skill (content-independent; tests/stdio_catalog.rs covers the real skill).

use crate::support;
use crate::support::in_process::InProcess;
use crate::support::{error_code, structured, Server, MODERN};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Protocol tests run the stdio transport in-process; the ones about the process
/// itself (exit status) spawn the binary.
fn tiny() -> InProcess {
    InProcess::with_skill("tiny-skill")
}

#[test]
fn initialize_echoes_a_supported_legacy_version() {
    for version in ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] {
        let mut s = tiny();
        let reply = s.initialize(version);
        let result = &reply["result"];
        assert_eq!(result["protocolVersion"], version);
        assert_eq!(result["serverInfo"]["name"], "async-patterns");
        assert_eq!(
            result["capabilities"]["extensions"]["io.modelcontextprotocol/skills"]["directoryRead"],
            true
        );
        assert!(result["instructions"]
            .as_str()
            .unwrap()
            .contains("search_patterns"));
        assert!(
            result.get("resultType").is_none(),
            "legacy results carry no resultType"
        );
    }
}

#[test]
fn initialize_with_an_unknown_version_gets_our_latest_legacy_one() {
    let mut s = tiny();
    assert_eq!(
        s.initialize("1999-01-01")["result"]["protocolVersion"],
        "2025-11-25"
    );
}

#[test]
fn legacy_request_before_initialize_is_refused_and_the_session_recovers() {
    let mut s = tiny();
    let reply = s.request("tools/list", Value::Null);
    assert_eq!(error_code(&reply), -32600);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("initialize"));
    s.initialize("2025-11-25");
    assert!(s.request("tools/list", Value::Null)["result"]["tools"].is_array());
}

#[test]
fn legacy_ping_and_set_level_work() {
    let mut s = tiny();
    s.initialize("2025-06-18");
    assert_eq!(s.request("ping", Value::Null)["result"], json!({}));
    assert_eq!(
        s.request("logging/setLevel", json!({"level": "info"}))["result"],
        json!({})
    );
    assert_eq!(
        error_code(&s.request("logging/setLevel", json!({"level": "loud"}))),
        -32602
    );
}

#[test]
fn modern_request_needs_no_handshake_and_is_marked_complete_and_cacheable() {
    let mut s = tiny();
    let reply = s.modern("tools/list", Value::Null);
    let result = &reply["result"];
    assert_eq!(result["resultType"], "complete");
    assert!(result["ttlMs"].as_u64().is_some());
    assert_eq!(result["cacheScope"], "public");
    let call = s.call_tool("list_patterns", json!({}));
    assert_eq!(call["result"]["resultType"], "complete");
    assert!(
        call["result"].get("ttlMs").is_none(),
        "tool calls are not cacheable"
    );
}

#[test]
fn server_discover_lists_versions_capabilities_and_identity() {
    let mut s = tiny();
    let result = s.modern("server/discover", Value::Null)["result"].clone();
    let versions: Vec<&str> = result["supportedVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(versions.contains(&MODERN) && versions.contains(&"2025-11-25"));
    assert_eq!(
        result["capabilities"]["extensions"]["io.modelcontextprotocol/skills"]["directoryRead"],
        true
    );
    assert!(result["capabilities"]["resources"].is_object());
    assert_eq!(result["resultType"], "complete");
    assert!(result["ttlMs"].is_u64());
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "async-patterns"
    );
}

#[test]
fn unsupported_modern_version_is_32022_with_supported_and_requested() {
    let mut s = tiny();
    let reply = s.request(
        "tools/list",
        json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}}),
    );
    assert_eq!(error_code(&reply), -32022);
    assert_eq!(reply["error"]["data"]["requested"], "2099-01-01");
    assert_eq!(reply["error"]["data"]["supported"], json!([MODERN]));
}

#[test]
fn methods_removed_in_the_modern_era_are_not_found() {
    let mut s = tiny();
    for method in ["ping", "logging/setLevel", "resources/subscribe"] {
        assert_eq!(
            error_code(&s.modern(method, Value::Null)),
            -32601,
            "{method}"
        );
    }
    s.initialize("2025-11-25");
    assert_eq!(
        error_code(&s.request("subscriptions/listen", json!({}))),
        -32601
    );
}

#[test]
fn unknown_method_is_32601() {
    let mut s = tiny();
    assert_eq!(error_code(&s.modern("tools/explode", Value::Null)), -32601);
}

#[test]
fn bad_envelopes_get_the_right_error_and_the_server_keeps_serving() {
    let mut s = tiny();
    s.initialize("2025-11-25");
    let cases: Vec<(Vec<u8>, i64)> = vec![
        (b"this is not json".to_vec(), -32700),
        (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":".to_vec(), -32700),
        (vec![b'{', 0xff, 0xfe, b'}'], -32700),
        (b"{}".to_vec(), -32600),
        (b"42".to_vec(), -32600),
        (br#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#.to_vec(), -32600),
        (br#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#.to_vec(), -32600),
        (br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#.to_vec(), -32600),
        (br#"{"jsonrpc":"2.0","id":1,"method":7}"#.to_vec(), -32600),
        (br#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#.to_vec(), -32602),
        (br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#.to_vec(), -32600),
    ];
    for (bytes, code) in cases {
        let mut line = bytes.clone();
        line.push(b'\n');
        s.send_raw(&line);
        let reply = s.next_message(Duration::from_secs(10)).expect("a reply");
        assert_eq!(
            error_code(&reply),
            code,
            "for {}",
            String::from_utf8_lossy(&bytes)
        );
        assert!(
            s.next_message(Duration::from_millis(50)).is_none(),
            "exactly one reply"
        );
        assert_eq!(s.request("ping", Value::Null)["result"], json!({}));
    }
}

#[test]
fn deeply_nested_document_is_a_parse_error_not_a_crash() {
    let mut s = tiny();
    let depth = 200_000;
    let mut doc = "[".repeat(depth);
    doc.push_str(&"]".repeat(depth));
    let line = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"x\":{doc}}}}}\n"
    );
    s.send_raw(line.as_bytes());
    let reply = s.next_message(Duration::from_secs(10)).expect("a reply");
    assert!([-32700, -32602].contains(&error_code(&reply)), "{reply}");
    assert!(s.modern("tools/list", Value::Null)["result"].is_object());
}

#[test]
fn oversized_line_is_refused_and_the_next_request_works() {
    let path = support::fixture("tiny-skill");
    let mut s = Server::spawn_with(
        &["--skill-dir", path.to_str().unwrap()],
        &["--max-message-bytes", "65536"],
    );
    let big = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"pad\":\"{}\"}}}}\n",
        "x".repeat(200_000)
    );
    s.send_raw(big.as_bytes());
    let reply = s.next_message(Duration::from_secs(10)).expect("a reply");
    assert_eq!(error_code(&reply), -32600);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("65536"));
    assert!(s.modern("tools/list", Value::Null)["result"].is_object());
    assert!(s.finish().success());
}

#[test]
fn notifications_never_get_a_reply() {
    let mut s = tiny();
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 999}}));
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/whatever"}));
    let reply = s.modern("tools/list", Value::Null);
    assert!(reply["result"].is_object());
    assert!(s.backlog.is_empty(), "unexpected messages: {:?}", s.backlog);
}

#[test]
fn tool_schemas_are_closed_inline_objects_with_output_schemas() {
    let mut s = tiny();
    let tools = s.modern("tools/list", Value::Null)["result"]["tools"].clone();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for name in [
        "list_patterns",
        "get_pattern",
        "get_snippet",
        "search_patterns",
        "run_demo",
        "check_code",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    for tool in tools.as_array().unwrap() {
        let text = tool.to_string();
        assert!(!text.contains("$ref") && !text.contains("$defs"), "{text}");
        assert_eq!(tool["inputSchema"]["type"], "object");
        assert_eq!(
            tool["inputSchema"]["additionalProperties"], false,
            "{}",
            tool["name"]
        );
        assert_eq!(tool["outputSchema"]["type"], "object");
        assert_eq!(tool["annotations"]["openWorldHint"], false);
        assert!(tool["description"].as_str().unwrap().len() > 80);
    }
    // Deterministic order.
    let again = s.modern("tools/list", Value::Null)["result"]["tools"].clone();
    assert_eq!(tools, again);
}

#[test]
fn unknown_tool_and_bad_arguments_are_invalid_params() {
    let mut s = tiny();
    assert_eq!(error_code(&s.call_tool("list_pattern", json!({}))), -32602);
    assert_eq!(
        error_code(&s.call_tool("get_pattern", json!({"id": 7}))),
        -32602
    );
    assert_eq!(error_code(&s.call_tool("get_pattern", json!({}))), -32602);
    assert_eq!(
        error_code(&s.call_tool("get_pattern", json!({"id": "alpha", "extra": 1}))),
        -32602
    );
    assert_eq!(
        error_code(&s.call_tool("search_patterns", json!({"query": "x", "limit": 100000}))),
        -32602
    );
    assert_eq!(
        error_code(&s.call_tool("run_demo", json!({"id": "alpha", "timeout_ms": 0}))),
        -32602
    );
    assert_eq!(
        error_code(&s.call_tool("run_demo", json!({"id": "alpha", "timeout_ms": 3_600_000}))),
        -32602
    );
}

#[test]
fn unknown_pattern_is_a_tool_error_naming_the_closest_ids() {
    let mut s = tiny();
    let reply = s.call_tool("get_pattern", json!({"id": "alpah"}));
    assert_eq!(reply["result"]["isError"], true);
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("alpha"), "{text}");
}

#[test]
fn get_snippet_picks_the_variant_for_the_requested_python() {
    let mut s = tiny();
    let newest = structured(&s.call_tool("get_snippet", json!({"id": "alpha"})));
    assert!(newest["code"].as_str().unwrap().contains("TaskGroup"));
    assert_eq!(newest["min_python"], "3.11");
    let old = structured(&s.call_tool("get_snippet", json!({"id": "alpha", "python": "3.10"})));
    assert!(old["code"].as_str().unwrap().contains("gather"));
    assert_eq!(old["min_python"], "3.9");
    assert_eq!(old["variants"], json!(["3.11", "3.9"]));
    assert!(old["chosen_because"].as_str().unwrap().contains("3.9"));
    let too_old = s.call_tool("get_snippet", json!({"id": "alpha", "python": "3.8"}));
    assert_eq!(too_old["result"]["isError"], true);
}

#[test]
fn list_and_get_pattern_describe_entries() {
    let mut s = tiny();
    let list = structured(&s.call_tool("list_patterns", json!({})));
    assert_eq!(list["patterns"][0]["id"], "alpha");
    assert_eq!(list["patterns"][0]["has_demo"], true);
    let pitfalls = structured(&s.call_tool("list_patterns", json!({"category": "pitfall"})));
    assert_eq!(pitfalls["patterns"].as_array().unwrap().len(), 1);
    let tagged = structured(&s.call_tool("list_patterns", json!({"tag": "GATHER"})));
    assert_eq!(tagged["patterns"][0]["id"], "alpha");
    let entry = structured(&s.call_tool("get_pattern", json!({"id": "alpha"})));
    assert_eq!(entry["when_to_use"], "When a test needs a demo.");
    assert_eq!(entry["demo"]["params"][0]["name"], "tasks");
    assert_eq!(entry["uri"], "skill://tiny-skill/references/alpha.md");
}

#[test]
fn search_finds_an_entry_by_alias() {
    let mut s = tiny();
    let out = structured(&s.call_tool(
        "search_patterns",
        json!({"query": "RuntimeWarning: coroutine 'fetch' was never awaited"}),
    ));
    assert_eq!(out["hits"][0]["id"], "beta");
    assert!(out["hits"][0]["reason"].as_str().unwrap().contains("alias"));
}

fn file_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(support::fixture("tiny-skill").join(rel)).unwrap()
}

#[test]
fn resources_are_every_file_with_exact_bytes() {
    let mut s = tiny();
    let list = s.modern("resources/list", Value::Null)["result"].clone();
    let uris: Vec<&str> = list["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        vec![
            "skill://tiny-skill/SKILL.md",
            "skill://tiny-skill/references/alpha.md",
            "skill://tiny-skill/references/beta.md",
            "skill://tiny-skill/scripts/alpha.py"
        ]
    );
    assert!(list.get("nextCursor").is_none());
    let read = s.modern(
        "resources/read",
        json!({"uri": "skill://tiny-skill/scripts/alpha.py"}),
    );
    let contents = &read["result"]["contents"][0];
    assert_eq!(contents["mimeType"], "text/x-python");
    assert_eq!(
        contents["text"].as_str().unwrap().as_bytes(),
        file_bytes("scripts/alpha.py")
    );
}

#[test]
fn bad_cursor_is_invalid_params() {
    let mut s = tiny();
    for method in [
        "resources/list",
        "tools/list",
        "prompts/list",
        "skills/list",
    ] {
        assert_eq!(
            error_code(&s.modern(method, json!({"cursor": "bm9wZQ"}))),
            -32602,
            "{method}"
        );
    }
}

#[test]
fn uri_tricks_are_refused_with_each_eras_not_found() {
    let tricks = [
        "skill://tiny-skill/../Cargo.toml",
        "skill://tiny-skill/references/%2e%2e/%2e%2e/Cargo.toml",
        "skill://tiny-skill//etc/passwd",
        "file:///etc/passwd",
        "https://example.com/x",
        "skill://other-skill/SKILL.md",
        "skill://tiny-skill/references/alpha.md\u{0}",
        "skill://tiny-skill/nope.md",
    ];
    let mut s = tiny();
    for uri in tricks {
        let reply = s.modern("resources/read", json!({"uri": uri}));
        assert_eq!(error_code(&reply), -32602, "{uri}");
        assert_eq!(reply["error"]["data"]["uri"], uri);
    }
    s.initialize("2025-11-25");
    for uri in tricks {
        assert_eq!(
            error_code(&s.request("resources/read", json!({"uri": uri}))),
            -32002,
            "{uri}"
        );
    }
}

#[test]
fn skills_get_digests_every_file_exactly_once() {
    let mut s = tiny();
    let listed = s.modern("skills/list", Value::Null)["result"].clone();
    assert_eq!(listed["skills"][0]["uri"], "skill://tiny-skill/SKILL.md");
    let got =
        s.modern("skills/get", json!({"uri": "skill://tiny-skill/SKILL.md"}))["result"].clone();
    assert_eq!(got["skill"]["frontmatter"]["name"], "tiny-skill");
    assert_eq!(got["skill"]["frontmatter"]["metadata"]["version"], "0.0.1");
    let resources = got["skill"]["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 4);
    for r in resources {
        let uri = r["uri"].as_str().unwrap();
        let bytes = file_bytes(uri.strip_prefix("skill://tiny-skill/").unwrap());
        assert_eq!(r["size"], bytes.len());
        assert_eq!(
            r["digest"],
            format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
        );
        // The served bytes are the digested bytes.
        let read = s.modern("resources/read", json!({"uri": uri}));
        assert_eq!(
            read["result"]["contents"][0]["text"]
                .as_str()
                .unwrap()
                .as_bytes(),
            bytes
        );
    }
    assert_eq!(
        error_code(&s.modern("skills/get", json!({"uri": "skill://nope/SKILL.md"}))),
        -32602
    );
}

#[test]
fn directory_read_lists_direct_children() {
    let mut s = tiny();
    let root = s.modern(
        "resources/directory/read",
        json!({"uri": "skill://tiny-skill"}),
    )["result"]
        .clone();
    let names: Vec<(&str, &str)> = root["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["mimeType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("SKILL.md", "text/markdown"),
            ("references", "inode/directory"),
            ("scripts", "inode/directory")
        ]
    );
    assert!(root["ttlMs"].is_u64());
    let refs = s.modern(
        "resources/directory/read",
        json!({"uri": "skill://tiny-skill/references"}),
    )["result"]
        .clone();
    assert_eq!(refs["resources"].as_array().unwrap().len(), 2);
    assert_eq!(
        error_code(&s.modern(
            "resources/directory/read",
            json!({"uri": "skill://tiny-skill/nope"})
        )),
        -32602
    );
}

#[test]
fn prompts_render_and_validate_arguments() {
    let mut s = tiny();
    let list = s.modern("prompts/list", Value::Null)["result"]["prompts"].clone();
    assert!(list.as_array().unwrap().len() >= 2);
    let got = s.modern(
        "prompts/get",
        json!({"name": "explain-pattern", "arguments": {"id": "alpha"}}),
    );
    let messages = got["result"]["messages"].as_array().unwrap();
    assert_eq!(
        messages[1]["content"]["resource"]["uri"],
        "skill://tiny-skill/references/alpha.md"
    );
    let review = s.modern(
        "prompts/get",
        json!({"name": "review-async-code", "arguments": {"code": "time.sleep(1)"}}),
    );
    assert!(review["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap()
        .contains("`beta`"));
    // The prompt carries check_code's findings for the code under review.
    let code = "import time\nasync def f():\n    time.sleep(1)\n";
    let review = s.modern(
        "prompts/get",
        json!({"name": "review-async-code", "arguments": {"code": code, "python": "3.10"}}),
    );
    let text = review["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("line 3:5 blocking-call (blocking-the-loop)"),
        "{text}"
    );
    assert_eq!(
        error_code(&s.modern(
            "prompts/get",
            json!({"name": "review-async-code", "arguments": {}})
        )),
        -32602
    );
    assert_eq!(
        error_code(&s.modern("prompts/get", json!({"name": "nope"}))),
        -32602
    );
}

#[test]
fn completion_completes_pattern_ids() {
    let mut s = tiny();
    let reply = s.modern(
        "completion/complete",
        json!({"ref": {"type": "ref/prompt", "name": "explain-pattern"}, "argument": {"name": "id", "value": "al"}}),
    );
    assert_eq!(reply["result"]["completion"]["values"], json!(["alpha"]));
}

#[test]
fn stdin_eof_exits_zero_promptly() {
    let mut s = Server::with_skill("tiny-skill");
    s.initialize("2025-11-25");
    let started = std::time::Instant::now();
    assert!(s.finish().success());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn small_texts_read_right_on_every_path() {
    let mut s = tiny();
    // A review prompt without `python` names no half-finished version.
    let review = s.modern(
        "prompts/get",
        json!({"name": "review-async-code", "arguments": {"code": "x = 1"}}),
    );
    let text = review["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!text.contains("for Python the user's"), "{text}");
    assert!(
        text.contains("for the Python version the user runs"),
        "{text}"
    );
    let review = s.modern(
        "prompts/get",
        json!({"name": "review-async-code", "arguments": {"code": "x = 1", "python": "3.10"}}),
    );
    assert!(review["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap()
        .contains("for Python 3.10."));
    // A batch is refused in words that fit stdio and HTTP alike.
    s.send_raw(b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]\n");
    let reply = s.next_message(Duration::from_secs(10)).expect("a reply");
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("one line each on stdio, one POST each over HTTP"),
        "{message}"
    );
    // A version we serve through initialize is not called unsupported without a way on.
    let reply = s.request(
        "tools/list",
        json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2025-11-25"}}),
    );
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("served through the `initialize` handshake"),
        "{message}"
    );
    assert_eq!(reply["error"]["code"], -32022);
}
