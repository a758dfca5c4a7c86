//! The MCP Apps extension (`io.modelcontextprotocol/ui`) end to end, over stdio and
//! Streamable HTTP, in both eras: a client that offers it gets it back, `run_demo` linked
//! to the `ui://` view and the view itself; a client that does not gets exactly the
//! answers it got before the extension existed.

use crate::support::http::{HttpServer, LEGACY, MODERN};
use crate::support::{have_python, Server};
use serde_json::{json, Value};

const UI: &str = "io.modelcontextprotocol/ui";
const APP_MIME: &str = "text/html;profile=mcp-app";
const VIEW: &str = "ui://async-python-patterns/demo-timeline.html";

/// Client capabilities of a host that renders MCP App views.
fn host_caps() -> Value {
    json!({ "extensions": { UI: { "mimeTypes": [APP_MIME] } } })
}

/// Capabilities that must NOT count as rendering views.
fn not_host_caps() -> Vec<Value> {
    vec![
        json!({}),
        json!({ "extensions": { UI: {} } }),
        json!({ "extensions": { UI: { "mimeTypes": ["text/html"] } } }),
        json!({ "extensions": { "io.modelcontextprotocol/skills": {} } }),
    ]
}

fn initialize_params(caps: &Value) -> Value {
    json!({"protocolVersion": LEGACY, "capabilities": caps,
           "clientInfo": {"name": "apps-test", "version": "0"}})
}

/// A modern request's params, `caps` as its client capabilities.
fn modern_params(mut params: Value, caps: &Value) -> Value {
    if params.is_null() {
        params = json!({});
    }
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(MODERN);
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = caps.clone();
    params
}

fn modern_body(method: &str, params: Value, caps: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": modern_params(params, caps)})
}

/// What a host needs from each answer, checked the same way whatever carried it.
fn assert_offers_apps(capabilities: &Value) {
    assert_eq!(
        capabilities["extensions"][UI]["mimeTypes"],
        json!([APP_MIME]),
        "{capabilities}"
    );
    assert!(capabilities["extensions"]["io.modelcontextprotocol/skills"].is_object());
}

fn assert_run_demo_linked(tools_result: &Value) {
    let tools = tools_result["tools"].as_array().expect("tools");
    for tool in tools {
        if tool["name"] == "run_demo" {
            assert_eq!(tool["_meta"]["ui"]["resourceUri"], VIEW, "{tool}");
        } else {
            assert!(
                tool.get("_meta").is_none(),
                "only run_demo has a view: {tool}"
            );
        }
    }
    assert!(tools.iter().any(|t| t["name"] == "run_demo"));
}

fn assert_lists_view(resources_result: &Value) {
    let resources = resources_result["resources"].as_array().expect("resources");
    let view: Vec<&Value> = resources.iter().filter(|r| r["uri"] == VIEW).collect();
    assert_eq!(view.len(), 1, "the view is listed once");
    assert_eq!(view[0]["mimeType"], APP_MIME);
}

fn assert_is_the_view(read_result: &Value) {
    let contents = &read_result["contents"];
    assert_eq!(contents.as_array().map(Vec::len), Some(1));
    let view = &contents[0];
    assert_eq!(view["uri"], VIEW);
    assert_eq!(view["mimeType"], APP_MIME);
    let html = view["text"].as_str().expect("the view is text");
    assert!(html.starts_with("<!doctype html>"), "{}", &html[..40]);
    assert!(
        html.contains("function renderTimeline("),
        "the drawing is inlined"
    );
    let csp = &view["_meta"]["ui"]["csp"];
    for key in [
        "connectDomains",
        "resourceDomains",
        "frameDomains",
        "baseUriDomains",
    ] {
        assert_eq!(
            csp[key],
            json!([]),
            "no {key}: the view needs no origin at all"
        );
    }
}

fn result(reply: &Value) -> &Value {
    assert!(reply.get("error").is_none(), "{reply}");
    &reply["result"]
}

// ---- stdio ------------------------------------------------------------------------------

/// Every page of `resources/list`, as one result (`params_for` adds the era's `_meta`).
fn all_resources(s: &mut Server, params_for: impl Fn(Value) -> Value) -> Value {
    let mut all = Vec::new();
    let mut cursor: Option<Value> = None;
    loop {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let reply = s.request("resources/list", params_for(params));
        let page = result(&reply);
        all.extend(page["resources"].as_array().unwrap().iter().cloned());
        match page.get("nextCursor") {
            Some(next) => cursor = Some(next.clone()),
            None => return json!({ "resources": all }),
        }
    }
}

#[test]
fn stdio_legacy_host_gets_the_extension_the_link_and_the_view() {
    let mut s = Server::embedded();
    let init = s.request("initialize", initialize_params(&host_caps()));
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    assert_offers_apps(&result(&init)["capabilities"]);
    assert_run_demo_linked(result(&s.request("tools/list", Value::Null)));
    assert_lists_view(&all_resources(&mut s, |p| p));
    assert_is_the_view(result(&s.request("resources/read", json!({"uri": VIEW}))));
}

#[test]
fn stdio_modern_requests_get_the_extension_request_by_request() {
    let mut s = Server::embedded();
    let discover = s.request("server/discover", modern_params(Value::Null, &host_caps()));
    assert_offers_apps(&result(&discover)["capabilities"]);
    let linked = s.request("tools/list", modern_params(Value::Null, &host_caps()));
    assert_run_demo_linked(result(&linked));
    assert_lists_view(&all_resources(&mut s, |p| modern_params(p, &host_caps())));
    let read = s.request(
        "resources/read",
        modern_params(json!({"uri": VIEW}), &host_caps()),
    );
    assert_is_the_view(result(&read));
    // The next request on the same pipe without the capability is a plain client's.
    let plain = s.request("tools/list", modern_params(Value::Null, &json!({})));
    assert!(result(&plain)["tools"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("_meta").is_none()));
    let refused = s.request(
        "resources/read",
        modern_params(json!({"uri": VIEW}), &json!({})),
    );
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    assert_eq!(refused["error"]["data"]["uri"], VIEW);
}

#[test]
fn stdio_clients_without_the_extension_get_todays_answers() {
    // Today's tool list is the committed snapshot; a plain client gets it unchanged.
    let snapshot: Value =
        serde_json::from_str(include_str!("../src/mcp/tools/tools.json")).unwrap();
    for caps in not_host_caps() {
        let mut s = Server::embedded();
        let init = s.request("initialize", initialize_params(&caps));
        s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        let extensions = &result(&init)["capabilities"]["extensions"];
        assert!(extensions.get(UI).is_none(), "{caps}: {extensions}");
        assert_eq!(
            result(&s.request("tools/list", Value::Null))["tools"],
            snapshot,
            "{caps}"
        );
        let list = all_resources(&mut s, |p| p);
        assert!(!list.to_string().contains("ui://"), "{caps}");
        let read = s.request("resources/read", json!({"uri": VIEW}));
        assert_eq!(read["error"]["code"], -32002, "{caps}: {read}");
    }
}

/// The keys of a run_demo result and of its report: what a host's code depends on.
fn result_shape(reply: &Value) -> (Vec<String>, Vec<String>) {
    let result = result(reply);
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    (keys(result), keys(&result["structuredContent"]))
}

#[test]
fn stdio_run_demo_answers_hosts_and_plain_clients_alike() {
    if !have_python() {
        return;
    }
    let call = json!({"name": "run_demo", "arguments": {"id": "alpha", "params": {"tasks": 2}}});
    let mut s = Server::with_skill("tiny-skill");
    let for_host = s.request("tools/call", modern_params(call.clone(), &host_caps()));
    let for_plain = s.request("tools/call", modern_params(call, &json!({})));
    assert_eq!(result(&for_host)["isError"], false, "{for_host}");
    assert_eq!(result_shape(&for_host), result_shape(&for_plain));
    assert_eq!(
        result(&for_host)["structuredContent"]["summary"]["demo"],
        result(&for_plain)["structuredContent"]["summary"]["demo"]
    );
}

// ---- Streamable HTTP --------------------------------------------------------------------

#[test]
fn http_legacy_session_of_a_host_gets_the_extension_the_link_and_the_view() {
    let server = HttpServer::start(&[], &[]);
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                      "params": initialize_params(&host_caps())});
    let response = server.legacy(None, &init);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_offers_apps(&response.json()["result"]["capabilities"]);
    let session = response.header("mcp-session-id").unwrap().to_string();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(server.legacy(Some(&session), &initialized).status, 202);
    let ask = |id: u64, method: &str, params: Value| {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        server.legacy(Some(&session), &body).json()
    };
    assert_run_demo_linked(result(&ask(2, "tools/list", json!({}))));
    assert_lists_view(result(&ask(3, "resources/list", json!({}))));
    assert_is_the_view(result(&ask(4, "resources/read", json!({"uri": VIEW}))));
}

#[test]
fn http_modern_host_gets_the_extension_the_link_and_the_view() {
    let server = HttpServer::start(&[], &[]);
    let ask = |method: &str, params: Value, caps: &Value| {
        let response = server.modern_raw(&modern_body(method, params, caps), &[]);
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    };
    assert_offers_apps(&result(&ask("server/discover", Value::Null, &host_caps()))["capabilities"]);
    let tools = ask("tools/list", Value::Null, &host_caps());
    assert_run_demo_linked(result(&tools));
    assert_eq!(
        result(&tools)["cacheScope"],
        "private",
        "made for this client: not for shared caches"
    );
    assert_lists_view(result(&ask("resources/list", Value::Null, &host_caps())));
    let read = ask("resources/read", json!({"uri": VIEW}), &host_caps());
    assert_is_the_view(result(&read));
    assert_eq!(result(&read)["resultType"], "complete");
}

#[test]
fn http_clients_without_the_extension_get_byte_equal_answers() {
    let server = HttpServer::start(&[], &[]);
    // A legacy session's answers, as bytes, for each way of not being a host.
    let legacy_bytes = |caps: &Value| {
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                          "params": initialize_params(caps)});
        let response = server.legacy(None, &init);
        let session = response.header("mcp-session-id").unwrap().to_string();
        let mut texts = vec![response.text()];
        for (id, method, params) in [
            (2, "tools/list", json!({})),
            (3, "resources/list", json!({})),
            (4, "resources/read", json!({"uri": VIEW})),
        ] {
            let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
            texts.push(server.legacy(Some(&session), &body).text());
        }
        texts
    };
    let modern_bytes = |caps: &Value| {
        [
            ("server/discover", Value::Null),
            ("tools/list", Value::Null),
            ("resources/list", Value::Null),
            ("resources/read", json!({"uri": VIEW})),
        ]
        .into_iter()
        .map(|(method, params)| {
            server
                .modern_raw(&modern_body(method, params, caps), &[])
                .text()
        })
        .collect::<Vec<_>>()
    };
    let plain_legacy = legacy_bytes(&json!({}));
    let plain_modern = modern_bytes(&json!({}));
    assert!(!plain_legacy.concat().contains("io.modelcontextprotocol/ui"));
    assert!(!plain_legacy.concat().contains(APP_MIME));
    assert!(!plain_modern.concat().contains("io.modelcontextprotocol/ui"));
    assert!(!plain_modern.concat().contains(APP_MIME));
    for caps in not_host_caps() {
        assert_eq!(legacy_bytes(&caps), plain_legacy, "legacy, {caps}");
        assert_eq!(modern_bytes(&caps), plain_modern, "modern, {caps}");
    }
    // ... and a host's answers do differ, so the comparison above can fail.
    assert_ne!(legacy_bytes(&host_caps()), plain_legacy);
    assert_ne!(modern_bytes(&host_caps()), plain_modern);
}
