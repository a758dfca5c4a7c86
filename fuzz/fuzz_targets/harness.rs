//! What the targets share: one server (the embedded skill, no Python reachable, so no
//! demo process is ever spawned), and the invariants every reply must hold.

#![allow(dead_code)]

use async_patterns::catalog::Catalog;
use async_patterns::demo::DemoRunner;
use async_patterns::mcp::context::Session;
use async_patterns::mcp::dispatch::{Connection, Dispatcher, Prepared};
use async_patterns::service::SkillService;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub struct Server {
    pub runtime: tokio::runtime::Runtime,
    pub dispatcher: Arc<Dispatcher>,
    pub service: Arc<SkillService>,
}

pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        // No interpreter can be found: run_demo with the python engine fails at once.
        // Safe in edition 2021 (the fuzz crate), unsafe in 2024; either way this runs
        // once, before any other thread of ours reads the environment.
        #[allow(unused_unsafe)]
        unsafe {
            std::env::set_var("PATH", "");
            std::env::remove_var("ASYNC_PATTERNS_PYTHON");
        }
        let catalog = Catalog::embedded().expect("the embedded skill loads");
        let demos = DemoRunner::new(Some("/nonexistent/python3".into()));
        let service = Arc::new(SkillService::new(catalog, demos));
        let dispatcher = Arc::new(Dispatcher::new(service.clone()));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Server {
            runtime,
            dispatcher,
            service,
        }
    })
}

/// Sends one message on a fresh connection and returns the reply, if any. Calls that
/// never end by themselves (`subscriptions/listen`) are cut off after a short while.
pub fn exchange(bytes: &[u8]) -> Option<String> {
    let s = server();
    let conn = Connection::new(Session::new(), None);
    match s.dispatcher.prepare(bytes, &conn) {
        Prepared::Nothing => None,
        Prepared::Reply(reply) => Some(reply.json),
        Prepared::Call { future, .. } => s.runtime.block_on(async {
            tokio::time::timeout(Duration::from_millis(200), future)
                .await
                .ok()
                .flatten()
                .map(|reply| reply.json)
        }),
    }
}

/// Every reply is one JSON-RPC 2.0 response: an object with `jsonrpc: "2.0"`, an `id`,
/// and exactly one of `result` or `error`; an error has an integer code among the ones
/// the server documents and a non-empty message.
pub fn check_reply(reply: &str) -> Value {
    let value: Value = serde_json::from_str(reply).expect("reply is JSON");
    assert_eq!(value["jsonrpc"], "2.0", "{reply}");
    assert!(value.get("id").is_some(), "{reply}");
    assert!(
        value.get("result").is_some() != value.get("error").is_some(),
        "{reply}"
    );
    if let Some(error) = value.get("error") {
        let code = error["code"].as_i64().expect("integer code");
        assert!(
            [-32700, -32600, -32601, -32602, -32603, -32002, -32022, -32001, -32000]
                .contains(&code),
            "unexpected code {code}: {reply}"
        );
        assert!(
            !error["message"].as_str().unwrap_or("").is_empty(),
            "{reply}"
        );
    }
    value
}
