//! `/mcp` over Streamable HTTP against the real binary (tiny fixture skill): both eras,
//! every status code the transport answers with, event streams and cancellation.

use crate::support;
use crate::support::http::{modern_body, HttpServer, LEGACY, MODERN};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

fn run_demo_params(delay: f64, progress: bool) -> Value {
    let mut params = json!({"name": "run_demo", "arguments": {
        "id": "alpha", "params": {"delay": delay}, "timeout_ms": 20000}});
    if progress {
        params["_meta"] = json!({"progressToken": "p-1"});
    }
    params
}

#[test]
fn modern_tools_list_is_plain_json() {
    let server = HttpServer::tiny(&[]);
    let response = server.modern("tools/list", Value::Null, &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let result = &response.json()["result"];
    assert_eq!(result["resultType"], "complete");
    assert!(result["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "get_snippet"));
    assert!(response.header("mcp-session-id").is_none());
}

#[test]
fn modern_get_snippet_call_returns_the_code() {
    let server = HttpServer::tiny(&[]);
    let params = json!({"name": "get_snippet", "arguments": {"id": "alpha"}});
    let response = server.modern("tools/call", params, &[]);
    assert_eq!(response.status, 200, "{}", response.text());
    let result = &response.json()["result"];
    assert_eq!(result["isError"], false);
    assert!(result["structuredContent"]["code"]
        .as_str()
        .unwrap()
        .contains("asyncio"));
}

#[test]
fn modern_server_discover_names_the_modern_version() {
    let server = HttpServer::tiny(&[]);
    let response = server.modern("server/discover", Value::Null, &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["result"]["supportedVersions"][0], MODERN);
}

#[test]
fn modern_notification_is_accepted_with_202_and_no_body() {
    let server = HttpServer::tiny(&[]);
    let body = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 3}});
    let response = server.modern_raw(&body, &[]);
    assert_eq!(response.status, 202);
    assert!(response.body.is_empty());
}

#[test]
fn modern_get_and_delete_are_405_allowing_post() {
    let server = HttpServer::tiny(&[]);
    for method in ["GET", "DELETE"] {
        let response = server.send(method, "/mcp", &[("MCP-Protocol-Version", MODERN)], b"");
        assert_eq!(response.status, 405, "{method}");
        assert_eq!(response.header("allow"), Some("POST"), "{method}");
    }
}

#[test]
fn mcp_method_header_that_disagrees_with_the_body_is_400_header_mismatch() {
    let server = HttpServer::tiny(&[]);
    let response = server.modern("tools/list", Value::Null, &[("Mcp-Method", "prompts/list")]);
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), -32020);
    assert_eq!(response.json()["id"], 1);
}

#[test]
fn missing_mcp_method_header_is_400_header_mismatch() {
    let server = HttpServer::tiny(&[]);
    let response = server.modern("tools/list", Value::Null, &[("Mcp-Method", "")]);
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), -32020);
}

#[test]
fn mcp_name_header_must_mirror_the_tool_name() {
    let server = HttpServer::tiny(&[]);
    let params = json!({"name": "get_snippet", "arguments": {"id": "alpha"}});
    let wrong = server.modern("tools/call", params.clone(), &[("Mcp-Name", "run_demo")]);
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.error_code(), -32020);
    let missing = server.modern("tools/call", params.clone(), &[("Mcp-Name", "")]);
    assert_eq!(missing.status, 400);
    assert_eq!(missing.error_code(), -32020);
    let encoded = server.modern(
        "tools/call",
        params,
        &[("Mcp-Name", "=?base64?Z2V0X3NuaXBwZXQ=?=")],
    );
    assert_eq!(encoded.status, 200, "{}", encoded.text());
}

#[test]
fn mcp_name_header_must_mirror_the_resource_uri() {
    let server = HttpServer::tiny(&[]);
    let params = json!({"uri": "skill://tiny-skill/SKILL.md"});
    let ok = server.modern("resources/read", params.clone(), &[]);
    assert_eq!(ok.status, 200, "{}", ok.text());
    let wrong = server.modern(
        "resources/read",
        params,
        &[("Mcp-Name", "skill://x/SKILL.md")],
    );
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.error_code(), -32020);
}

#[test]
fn body_version_that_disagrees_with_the_header_is_400_header_mismatch() {
    let server = HttpServer::tiny(&[]);
    let mut body = modern_body(4, "tools/list", Value::Null);
    body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(LEGACY);
    let response = server.modern_raw(&body, &[]);
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), -32020);
}

#[test]
fn unsupported_protocol_version_header_is_400_with_32022() {
    let server = HttpServer::tiny(&[]);
    let response = server.modern(
        "tools/list",
        Value::Null,
        &[("MCP-Protocol-Version", "2099-01-01")],
    );
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), -32022);
    let data = &response.json()["error"]["data"];
    assert_eq!(data["requested"], "2099-01-01");
    assert!(data["supported"]
        .as_array()
        .unwrap()
        .contains(&json!(MODERN)));
}

#[test]
fn removed_and_unknown_methods_are_404_with_32601() {
    let server = HttpServer::tiny(&[]);
    for method in ["ping", "initialize", "logging/setLevel", "no/such/method"] {
        let response = server.modern(method, Value::Null, &[]);
        assert_eq!(response.status, 404, "{method}: {}", response.text());
        assert_eq!(response.error_code(), -32601, "{method}");
    }
}

#[test]
fn unparsable_body_is_400_parse_error() {
    let server = HttpServer::tiny(&[]);
    let response = server.send(
        "POST",
        "/mcp",
        &[
            ("Content-Type", "application/json"),
            ("MCP-Protocol-Version", MODERN),
        ],
        b"{not json",
    );
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), -32700);
}

#[test]
fn wrong_content_type_is_415() {
    let server = HttpServer::tiny(&[]);
    let body = modern_body(1, "tools/list", Value::Null).to_string();
    let response = server.send(
        "POST",
        "/mcp",
        &[
            ("Content-Type", "text/plain"),
            ("MCP-Protocol-Version", MODERN),
            ("Mcp-Method", "tools/list"),
        ],
        body.as_bytes(),
    );
    assert_eq!(response.status, 415);
}

#[test]
fn request_with_a_progress_token_is_answered_with_an_event_stream() {
    let server = HttpServer::tiny(&[]);
    let response = server.modern("tools/call", run_demo_params(0.05, true), &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    let events = response.events();
    let (last, notes) = events.split_last().expect("events");
    assert!(!notes.is_empty(), "progress precedes the result");
    for note in notes {
        assert_eq!(note["method"], "notifications/progress");
        assert_eq!(note["params"]["progressToken"], "p-1");
    }
    assert_eq!(last["id"], 1);
    assert_eq!(last["result"]["isError"], false, "{last}");
    assert_eq!(last["result"]["structuredContent"]["exit_code"], 0);
}

#[test]
fn client_that_only_accepts_json_gets_json_without_notifications() {
    let server = HttpServer::tiny(&[]);
    let response = server.modern(
        "tools/call",
        run_demo_params(0.0, true),
        &[("Accept", "application/json")],
    );
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.json()["result"]["isError"], false);
}

#[test]
fn closing_the_event_stream_cancels_the_request_and_kills_the_demo() {
    let server = HttpServer::tiny(&[]);
    let body = modern_body(9, "tools/call", run_demo_params(5.0, true));
    let bytes = support::http::request_bytes(
        &server.host(),
        "POST",
        "/mcp",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", MODERN),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "run_demo"),
        ],
        body.to_string().as_bytes(),
    );
    let mut stream = server.connect();
    stream.write_all(&bytes).unwrap();
    let mut reader = BufReader::new(stream);
    let mut seen_event = false;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        if line.starts_with("data: ") && line.contains("notifications/progress") {
            seen_event = true;
            break;
        }
        line.clear();
    }
    assert!(seen_event, "a progress event arrives first");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.children().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!server.children().is_empty(), "the demo is running");
    drop(reader);
    let deadline = Instant::now() + Duration::from_secs(4);
    while !server.children().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(server.children().is_empty(), "the demo was killed");
}

#[test]
fn legacy_session_lifecycle_ends_with_delete() {
    let server = HttpServer::tiny(&[]);
    let session = server.legacy_session();
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let response = server.legacy(Some(&session), &list);
    assert_eq!(response.status, 200);
    assert!(response.json()["result"]["tools"].is_array());
    assert!(
        response.json()["result"].get("resultType").is_none(),
        "legacy results carry no resultType"
    );
    let ping = json!({"jsonrpc": "2.0", "id": 3, "method": "ping"});
    assert_eq!(
        server.legacy(Some(&session), &ping).json()["result"],
        json!({})
    );

    let deleted = server.send("DELETE", "/mcp", &[("Mcp-Session-Id", &session)], b"");
    assert_eq!(deleted.status, 200);
    let after = server.legacy(Some(&session), &list);
    assert_eq!(after.status, 404);
    let again = server.send("DELETE", "/mcp", &[("Mcp-Session-Id", &session)], b"");
    assert_eq!(again.status, 404);
}

#[test]
fn legacy_request_without_a_session_is_400() {
    let server = HttpServer::tiny(&[]);
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let response = server.legacy(None, &list);
    assert_eq!(response.status, 400);
    assert!(response.text().contains("Mcp-Session-Id"));
}

#[test]
fn legacy_request_with_an_unknown_session_is_404() {
    let server = HttpServer::tiny(&[]);
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let response = server.legacy(Some("0123456789abcdef0123456789abcdef"), &list);
    assert_eq!(response.status, 404);
}

#[test]
fn legacy_session_expires_when_idle() {
    let server = HttpServer::tiny(&["--session-idle-secs", "1"]);
    let session = server.legacy_session();
    std::thread::sleep(Duration::from_millis(1500));
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    assert_eq!(server.legacy(Some(&session), &list).status, 404);
}

#[test]
fn legacy_sessions_are_bounded_in_number() {
    let server = HttpServer::tiny(&["--max-sessions", "2"]);
    let first = server.legacy_session();
    std::thread::sleep(Duration::from_millis(20));
    let second = server.legacy_session();
    let third = server.legacy_session();
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    assert_eq!(
        server.legacy(Some(&first), &list).status,
        404,
        "oldest evicted"
    );
    assert_eq!(server.legacy(Some(&second), &list).status, 200);
    assert_eq!(server.legacy(Some(&third), &list).status, 200);
}

#[test]
fn legacy_get_is_405() {
    let server = HttpServer::tiny(&[]);
    let response = server.send("GET", "/mcp", &[("Accept", "text/event-stream")], b"");
    assert_eq!(response.status, 405);
    assert!(response.header("allow").unwrap().contains("POST"));
}

#[test]
fn legacy_progress_request_streams_on_its_own_post() {
    let server = HttpServer::tiny(&[]);
    let session = server.legacy_session();
    let call = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": run_demo_params(0.0, true)});
    let response = server.legacy(Some(&session), &call);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    let events = response.events();
    assert_eq!(events.last().unwrap()["id"], 5);
    assert_eq!(events[0]["method"], "notifications/progress");
}

#[test]
fn legacy_cancel_notification_stops_a_request_running_on_another_post() {
    let server = HttpServer::tiny(&[]);
    let session = server.legacy_session();
    let call = json!({"jsonrpc": "2.0", "id": 77, "method": "tools/call",
        "params": run_demo_params(5.0, false)});
    let started = Instant::now();
    let waiter = {
        let port = server.port;
        let session = session.clone();
        std::thread::spawn(move || {
            let body = call.to_string();
            let bytes = support::http::request_bytes(
                &format!("127.0.0.1:{port}"),
                "POST",
                "/mcp",
                &[
                    ("Content-Type", "application/json"),
                    ("Mcp-Session-Id", &session),
                ],
                body.as_bytes(),
            );
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.write_all(&bytes).unwrap();
            support::http::read_response(&mut stream, false)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.children().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 77, "reason": "test"}});
    assert_eq!(server.legacy(Some(&session), &cancel).status, 202);
    let response = waiter.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "cancelled early"
    );
    assert!(response.text().contains("cancelled"), "{}", response.text());
}

#[test]
fn request_past_its_deadline_gets_an_error_and_its_demo_is_killed() {
    let server = HttpServer::tiny(&["--request-timeout-secs", "1"]);
    let started = Instant::now();
    let response = server.modern("tools/call", run_demo_params(5.0, false), &[]);
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(response.status, 200);
    assert_eq!(response.error_code(), -32603);
    assert!(response.text().contains("deadline"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.children().is_empty());
}

#[test]
fn modern_request_without_its_meta_is_400_invalid_params() {
    let server = HttpServer::tiny(&[]);
    let bare = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {}});
    let response = server.modern_raw(&bare, &[]);
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), -32602);

    let mut no_capabilities = modern_body(2, "tools/list", Value::Null);
    no_capabilities["params"]["_meta"]
        .as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let response = server.modern_raw(&no_capabilities, &[]);
    assert_eq!(response.status, 400);
    assert_eq!(response.error_code(), -32602);
}
