//! The bad-input battery: every kind of malformed or hostile message, sent to the real
//! binary over stdio and over Streamable HTTP. Each must get its documented answer (a
//! JSON-RPC error code, a tool error, or deliberately nothing), and the very next request
//! on the same server must work. docs/testing.md's reliability section counts these kinds.

use crate::support::http::{header_safe, HttpServer};
use crate::support::Server;
use serde_json::{json, Value};

const MODERN: &str = "2026-07-28";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// A JSON-RPC error with this code.
    Error(i64),
    /// A tool result with `isError: true` (the model reads it and adapts).
    ToolError,
    /// No reply at all: notifications and stray responses.
    Silence,
    /// HTTP only: refused with this status before the body is read.
    Status(u16),
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    stdio: Expect,
    /// Over HTTP, when the answer differs (a header too large).
    http: Option<Expect>,
    /// Over HTTP, a message without a modern `_meta` is sent inside a legacy session
    /// (as an initialized client would), unless this is false.
    in_session: bool,
}

fn case(name: &'static str, bytes: impl Into<Vec<u8>>, stdio: Expect) -> Case {
    Case {
        name,
        bytes: bytes.into(),
        stdio,
        http: None,
        in_session: true,
    }
}

fn modern(method: &str, mut params: Value) -> Vec<u8> {
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(MODERN);
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        .to_string()
        .into_bytes()
}

fn tool(name: &str, arguments: Value) -> Vec<u8> {
    modern("tools/call", json!({"name": name, "arguments": arguments}))
}

fn uri(uri: &str) -> Vec<u8> {
    modern("resources/read", json!({"uri": uri}))
}

fn cases() -> Vec<Case> {
    use Expect::*;
    let skill = "skill://tiny-skill";
    let huge = modern(&"x".repeat(1 << 20), json!({}));
    let mut huge_arg = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"name":"search_patterns","arguments":{"query":""#.to_vec();
    huge_arg.extend(std::iter::repeat_n(b'q', 1 << 20));
    huge_arg.extend(br#""}}}"#);
    vec![
        case("garbage", "hello there", Error(-32700)),
        case("invalid UTF-8", b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}".to_vec(), Error(-32700)),
        case("truncated JSON", r#"{"jsonrpc":"2.0","id":1,"meth"#, Error(-32700)),
        case("deep nesting (100,000 arrays)", "[".repeat(100_000), Error(-32700)),
        case("deep nesting inside params", format!(r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{}}}}}"#, "[".repeat(5000)), Error(-32700)),
        Case {
            name: "1 MiB method name",
            bytes: huge,
            stdio: Error(-32601),
            // The method is mirrored in the Mcp-Method header, which is then too large.
            http: Some(Status(431)),
            in_session: true,
        },
        case("1 MiB tool argument", huge_arg, Error(-32602)),
        case("number beyond f64 in arguments", br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},"name":"search_patterns","arguments":{"query":"x","limit":1e400}}}"#.to_vec(), Error(-32602)),
        case("30-digit id", r#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}"#, Error(-32600)),
        case("fractional id", r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, Error(-32600)),
        case("negative id", r#"{"jsonrpc":"2.0","id":-1,"method":"ping"}"#, Error(-32600)),
        case("object id", r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#, Error(-32600)),
        case("null id", r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, Error(-32600)),
        case("boolean id", r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, Error(-32600)),
        case("duplicate id key", r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#, Error(-32600)),
        case("duplicate method key", r#"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}"#, Error(-32600)),
        case("jsonrpc 1.0", r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, Error(-32600)),
        case("jsonrpc missing", r#"{"id":1,"method":"ping"}"#, Error(-32600)),
        case("method missing", r#"{"jsonrpc":"2.0","id":1}"#, Error(-32600)),
        case("method a number", r#"{"jsonrpc":"2.0","id":1,"method":5}"#, Error(-32600)),
        case("params an array", r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#, Error(-32602)),
        case("params a string", r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}"#, Error(-32602)),
        case("_meta not an object", r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":5}}"#, Error(-32602)),
        case("empty object", "{}", Error(-32600)),
        case("a JSON string", r#""hello""#, Error(-32600)),
        case("JSON null", "null", Error(-32600)),
        case("NUL bytes", b"\0\0".to_vec(), Error(-32700)),
        case("trailing garbage", r#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#, Error(-32700)),
        case("two objects on one line", r#"{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}"#, Error(-32700)),
        case("batch", r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, Error(-32600)),
        case("empty batch", "[]", Error(-32600)),
        case("response sent to the server", r#"{"jsonrpc":"2.0","id":5,"result":{}}"#, Silence),
        case("error response sent to the server", r#"{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"x"}}"#, Silence),
        case("unknown notification", r#"{"jsonrpc":"2.0","method":"notifications/whatever"}"#, Silence),
        case("cancel an unknown request", r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":999}}"#, Silence),
        case("cancel with an object requestId", r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{}}}"#, Silence),
        case("unknown method", modern("foo/bar", json!({})), Error(-32601)),
        case("method removed in 2026-07-28", modern("initialize", json!({})), Error(-32601)),
        case("unsupported protocol version", json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1999-01-01"}}}).to_string(), Error(-32022)),
        case("protocol version a number", json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":5}}}).to_string(), Error(-32022)),
        Case {
            name: "legacy request before initialize",
            bytes: br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#.to_vec(),
            stdio: Error(-32600),
            // Over HTTP a legacy request needs a session; without one it is refused.
            http: None,
            in_session: false,
        },
        case("unknown tool", tool("nope", json!({})), Error(-32602)),
        case("argument of the wrong type", tool("get_snippet", json!({"id": 5})), Error(-32602)),
        case("arguments an array", tool("get_snippet", json!([1])), Error(-32602)),
        case("extra argument", tool("get_snippet", json!({"id": "alpha", "x": 1})), Error(-32602)),
        case("missing argument", tool("get_snippet", json!({})), Error(-32602)),
        case("unknown pattern id", tool("get_pattern", json!({"id": "nope"})), ToolError),
        case("unknown snippet id", tool("get_snippet", json!({"id": "../SKILL"})), ToolError),
        case("absurd limit", tool("search_patterns", json!({"query": "x", "limit": 1_000_000_000_000u64})), Error(-32602)),
        case("negative limit", tool("search_patterns", json!({"query": "x", "limit": -1})), Error(-32602)),
        case("absurd timeout_ms", tool("run_demo", json!({"id": "alpha", "timeout_ms": 1_000_000_000u64})), Error(-32602)),
        case("zero timeout_ms", tool("run_demo", json!({"id": "alpha", "timeout_ms": 0})), Error(-32602)),
        case("demo parameter of the wrong type", tool("run_demo", json!({"id": "alpha", "params": {"tasks": "many"}})), ToolError),
        case("demo parameter out of range", tool("run_demo", json!({"id": "alpha", "params": {"tasks": 1_000_000}})), ToolError),
        case("unknown demo parameter", tool("run_demo", json!({"id": "alpha", "params": {"rm": "-rf"}})), ToolError),
        case("not a Python version", tool("get_snippet", json!({"id": "alpha", "python": "banana"})), ToolError),
        case("unknown engine", tool("run_demo", json!({"id": "alpha", "engine": "docker"})), Error(-32602)),
        case("code with a syntax error", tool("check_code", json!({"code": "async def f(:\n"})), ToolError),
        case("code over 1 MiB", tool("check_code", json!({"code": "x = 1\n".repeat(200_000)})), Error(-32602)),
        case("code nested past the parser's bound", tool("check_code", json!({"code": format!("x = a{}\n", ".b".repeat(100_000))})), ToolError),
        case("code of the wrong type", tool("check_code", json!({"code": ["import asyncio"]})), Error(-32602)),
        case("bad cursor", modern("resources/list", json!({"cursor": "!!!"})), Error(-32602)),
        case("cursor past the end", modern("resources/list", json!({"cursor": "OTk5OTk5"})), Error(-32602)),
        case("URI with ..", uri(&format!("{skill}/../etc/passwd")), Error(-32602)),
        case("URI with percent-encoded ..", uri(&format!("{skill}/%2e%2e/%2e%2e/etc/passwd")), Error(-32602)),
        case("URI with an absolute path", uri(&format!("{skill}//etc/passwd")), Error(-32602)),
        case("URI with a NUL byte", uri(&format!("{skill}/SKILL.md\u{0}.png")), Error(-32602)),
        case("URI with a backslash", uri(&format!("{skill}/references\\..\\SKILL.md")), Error(-32602)),
        case("file:// URI", uri("file:///etc/passwd"), Error(-32602)),
        case("http:// URI", uri("http://169.254.169.254/latest/meta-data"), Error(-32602)),
        case("another skill's URI", uri("skill://other-skill/SKILL.md"), Error(-32602)),
        case("progress token an object", modern("tools/list", json!({"_meta": {"progressToken": {"a": 1}}})), Error(-32602)),
        case("progress token fractional", modern("tools/list", json!({"_meta": {"progressToken": 1.5}})), Error(-32602)),
        case("unknown prompt", modern("prompts/get", json!({"name": "nope"})), Error(-32602)),
        case("prompt missing its argument", modern("prompts/get", json!({"name": "explain-pattern", "arguments": {}})), Error(-32602)),
    ]
}

/// A reply shortened for assertion messages (some cases send a megabyte).
fn brief(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    text.chars().take(400).collect()
}

fn describe(replies: &[Value]) -> Vec<Expect> {
    replies
        .iter()
        .map(|r| {
            if let Some(code) = r["error"]["code"].as_i64() {
                Expect::Error(code)
            } else if r["result"]["isError"] == true {
                Expect::ToolError
            } else {
                panic!("a success where an error was due: {}", brief(r))
            }
        })
        .collect()
}

#[test]
fn battery_is_at_least_thirty_kinds() {
    let cases = cases();
    assert!(cases.len() >= 30, "{}", cases.len());
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
}

#[test]
fn every_bad_input_over_stdio_gets_its_answer_and_the_next_request_works() {
    let mut server = Server::with_skill("tiny-skill");
    for (n, case) in cases().into_iter().enumerate() {
        let mut line = case.bytes.clone();
        line.push(b'\n');
        server.send_raw(&line);
        let probe = json!(format!("probe-{n}"));
        server.send(
            &json!({"jsonrpc": "2.0", "id": probe, "method": "tools/list",
            "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}}}),
        );
        let after = server.reply_to(&probe);
        assert!(
            after["result"]["tools"].is_array(),
            "{}: the next request failed: {after}",
            case.name
        );
        // Replies to the bad message come before the probe's (one reader, in order),
        // except a demo call, which runs beside it: wait for that one by id.
        let mut replies: Vec<Value> = std::mem::take(&mut server.backlog);
        if replies.is_empty() && case.stdio != Expect::Silence && case.bytes.starts_with(b"{") {
            if let Ok(v) = serde_json::from_slice::<Value>(&case.bytes) {
                if v["params"]["name"] == "run_demo" && v["id"].is_number() {
                    replies.push(server.reply_to(&v["id"]));
                }
            }
        }
        let got = describe(&replies);
        let want: Vec<Expect> = match case.stdio {
            Expect::Silence => vec![],
            other => vec![other],
        };
        assert_eq!(got, want, "{}: {}", case.name, brief(&replies));
        for reply in &replies {
            assert!(
                reply.to_string().len() < 4096,
                "{}: the error echoes too much back",
                case.name
            );
        }
        if let [reply] = replies.as_slice() {
            let message = reply["error"]["message"].as_str().unwrap_or("");
            assert!(
                reply.get("result").is_some() || !message.is_empty(),
                "{}: an error needs a message",
                case.name
            );
        }
    }
    assert_eq!(server.finish().code(), Some(0));
}

#[test]
fn every_bad_input_over_http_gets_its_answer_and_the_next_request_works() {
    let server = HttpServer::tiny(&[]);
    let session = server.legacy_session();
    for case in cases() {
        let want = case.http.unwrap_or(case.stdio);
        // The mirrored headers come from the body where it has them, as a client sets them.
        let body: Option<Value> = serde_json::from_slice(&case.bytes).ok();
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            (
                "Accept".into(),
                "application/json, text/event-stream".into(),
            ),
        ];
        // A body serde_json refuses (a number beyond f64) still carries what a client
        // puts in its headers: read the method and version from the text.
        let text = String::from_utf8_lossy(&case.bytes);
        let field = |name: &str| {
            let key = format!(r#""{name}":""#);
            let start = text.find(&key)? + key.len();
            let len = text[start..].find('"')?;
            Some(text[start..start + len].to_string())
        };
        if body.is_none() && text.contains(MODERN) && text.len() < 4096 {
            headers.push(("MCP-Protocol-Version".into(), MODERN.into()));
            if let Some(method) = field("method") {
                headers.push(("Mcp-Method".into(), method));
            }
            if let Some(name) = field("name") {
                headers.push(("Mcp-Name".into(), name));
            }
        }
        if let Some(body) = &body {
            let version = &body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"];
            if let Some(v) = version.as_str() {
                headers.push(("MCP-Protocol-Version".into(), v.into()));
            } else if version.is_number() {
                headers.push(("MCP-Protocol-Version".into(), version.to_string()));
            }
            if let Some(method) = body["method"].as_str() {
                if headers.iter().any(|(k, _)| k == "MCP-Protocol-Version") {
                    headers.push(("Mcp-Method".into(), method.into()));
                    let params = &body["params"];
                    let name = params["name"].as_str().or(params["uri"].as_str());
                    if let Some(name) = name {
                        headers.push(("Mcp-Name".into(), header_safe(name)));
                    }
                }
            }
        }
        let modern = headers.iter().any(|(k, _)| k == "MCP-Protocol-Version");
        if !modern && case.in_session {
            headers.push(("Mcp-Session-Id".into(), session.clone()));
            headers.push(("MCP-Protocol-Version".into(), "2025-11-25".into()));
        }
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let response = server.send("POST", "/mcp", &refs, &case.bytes);
        match want {
            Expect::Silence => assert_eq!(
                response.status,
                202,
                "{}: {}",
                case.name,
                brief(&response.text())
            ),
            Expect::Status(status) => assert_eq!(response.status, status, "{}", case.name),
            Expect::ToolError => {
                assert_eq!(
                    response.status,
                    200,
                    "{}: {}",
                    case.name,
                    brief(&response.text())
                );
                assert_eq!(response.json()["result"]["isError"], true, "{}", case.name);
            }
            Expect::Error(code) => {
                assert!(
                    [200, 400, 404].contains(&response.status),
                    "{}: status {}",
                    case.name,
                    response.status
                );
                assert_eq!(
                    response.json()["error"]["code"],
                    code,
                    "{}: {}",
                    case.name,
                    brief(&response.text())
                );
                assert!(
                    response.text().len() < 4096,
                    "{}: echoes too much",
                    case.name
                );
            }
        }
        let next = server.modern("tools/list", json!({}), &[]);
        assert_eq!(next.status, 200, "{}: the next request failed", case.name);
        assert!(next.json()["result"]["tools"].is_array());
    }
}

/// Modern messages whose answer must not depend on the transport: each is sent over
/// stdio and over Streamable HTTP (with the headers a client sets) and the two replies
/// must be the same JSON.
fn shared_cases() -> Vec<(&'static str, Value, u16)> {
    let without_capabilities = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_snippet", "arguments": {"id": "alpha"},
        "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}}});
    let capabilities_not_object = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
        "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": 5}}});
    let bare_discover = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover"});
    let as_value = |bytes: Vec<u8>| serde_json::from_slice::<Value>(&bytes).unwrap();
    vec![
        (
            "tools/call without clientCapabilities",
            without_capabilities,
            400,
        ),
        (
            "clientCapabilities not an object",
            capabilities_not_object,
            400,
        ),
        ("server/discover without _meta", bare_discover, 400),
        (
            "a tool call that works",
            as_value(tool("get_snippet", json!({"id": "alpha"}))),
            200,
        ),
        (
            "a tool that fails",
            as_value(tool("get_pattern", json!({"id": "nope"}))),
            200,
        ),
        ("an unknown tool", as_value(tool("nope", json!({}))), 200),
        ("a removed method", as_value(modern("ping", json!({}))), 404),
        (
            "an unknown method",
            as_value(modern("foo/bar", json!({}))),
            404,
        ),
        (
            "a missing resource",
            as_value(uri("skill://tiny-skill/nope.md")),
            200,
        ),
        (
            "a bad cursor",
            as_value(modern("tools/list", json!({"cursor": "x"}))),
            200,
        ),
        (
            "a bad progress token",
            as_value(modern(
                "tools/list",
                json!({"_meta": {"progressToken": [1]}}),
            )),
            200,
        ),
    ]
}

#[test]
fn the_same_message_gets_the_same_answer_over_stdio_and_http() {
    let mut stdio = Server::with_skill("tiny-skill");
    let http = HttpServer::tiny(&[]);
    for (name, message, status) in shared_cases() {
        stdio.send(&message);
        let over_stdio = stdio.reply_to(&message["id"]);
        let mut headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            (
                "Accept".to_string(),
                "application/json, text/event-stream".to_string(),
            ),
            ("MCP-Protocol-Version".to_string(), MODERN.to_string()),
        ];
        if let Some(method) = message["method"].as_str() {
            headers.push(("Mcp-Method".into(), method.into()));
        }
        let params = &message["params"];
        if let Some(target) = params["name"].as_str().or(params["uri"].as_str()) {
            headers.push(("Mcp-Name".into(), header_safe(target)));
        }
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let response = http.send("POST", "/mcp", &refs, message.to_string().as_bytes());
        let over_http = response.json();
        assert_eq!(over_stdio, over_http, "{name}: stdio and HTTP disagree");
        // The error decides the status: a refused message is 400, an unknown method 404.
        assert_eq!(response.status, status, "{name}: {over_http}");
    }
}
