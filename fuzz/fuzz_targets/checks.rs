//! The invariants each fuzz target checks, as plain functions: the fuzzer calls them
//! with generated inputs, and `tests/fuzz_corpus.rs` replays the checked-in corpus and
//! every regression input through them on stable Rust.

#![allow(dead_code)]

use crate::harness;
use async_patterns::catalog::Catalog;
use async_patterns::mcp::era::Era;
use async_patterns::mcp::resources::{file_uri, path_of};
use serde_json::{json, Value};

const TOOLS: [&str; 7] = [
    "check_code",
    "list_patterns",
    "get_pattern",
    "get_snippet",
    "search_patterns",
    "run_demo",
    "no_such_tool",
];

const SCRIPT: &[u8] =
    b"import json\nprint(json.dumps({'demo': 'x', 'ok': True, 'elapsed_s': 0}))\n";

const SKILL_MD: &str = "---\nname: fuzzed\ndescription: A skill built by the fuzzer to test the loader.\n---\n# Fuzzed\n\nSee [x](references/x.md).\n";

/// Any bytes as one incoming message: the envelope decoder, era selection, the method
/// table and every non-demo handler behind it. Replies must be well-formed JSON-RPC.
pub fn envelope(data: &[u8]) {
    let _ = async_patterns::mcp::envelope::Incoming::decode(data);
    if let Some(reply) = harness::exchange(data) {
        harness::check_reply(&reply);
    }
}

/// Tool arguments: the first byte picks a tool, the rest is its `arguments` (JSON).
/// Schema checks, range checks and demo parameter validation must answer every input
/// with a result or -32602, never a panic or another error.
pub fn tool_args(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(arguments) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let tool = TOOLS[pick as usize % TOOLS.len()];
    let message = json!({
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {
            "name": tool,
            "arguments": arguments,
            "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {}},
        },
    });
    let reply = harness::exchange(message.to_string().as_bytes());
    // run_demo with the native engine may outlive the cut-off; everything else answers.
    let Some(reply) = reply else {
        assert_eq!(tool, "run_demo");
        return;
    };
    let value = harness::check_reply(&reply);
    if let Some(error) = value.get("error") {
        assert_eq!(error["code"], -32602, "{reply}");
    } else {
        assert!(value["result"]["content"].is_array(), "{reply}");
    }
}

/// Resource URI resolution: whatever the string, a resolved path is a plain relative
/// path inside the skill (no `..`, no absolute path, no escapes), and `resources/read`
/// answers with the file or the era's not-found error.
pub fn resource_uri(data: &[u8]) {
    let Ok(uri) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = harness::server().service.catalog.get();
    for era in [Era::Modern, Era::Legacy("2025-11-25")] {
        if let Ok(path) = path_of(catalog, uri, era) {
            assert!(!path.starts_with('/'), "{uri:?} -> {path:?}");
            assert!(
                path.is_empty()
                    || path
                        .split('/')
                        .all(|s| !s.is_empty() && s != ".." && s != "."),
                "{uri:?} -> {path:?}"
            );
            assert!(!path.contains(['\0', '\\', '%']), "{uri:?} -> {path:?}");
            if let Some(file) = catalog.file(path) {
                assert_eq!(file_uri(&catalog.name, &file.path), uri);
            }
        }
    }
    let message = json!({
        "jsonrpc": "2.0", "id": "r", "method": "resources/read",
        "params": {"uri": uri, "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}},
    });
    let reply = harness::exchange(message.to_string().as_bytes()).expect("a reply");
    let value = harness::check_reply(&reply);
    if let Some(error) = value.get("error") {
        assert!(
            [-32602, -32002].contains(&error["code"].as_i64().unwrap()),
            "{reply}"
        );
    }
}

/// The skill loader on arbitrary files: frontmatter, metadata, snippet fences, demo
/// declarations. A skill folder is user input (`--skill-dir`): it loads or it is refused
/// with an error naming the file, never a panic.
pub fn skill_loader(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    // Odd: the fuzzer writes SKILL.md; even: a catalogue entry beside a valid SKILL.md.
    let files = if pick & 1 == 1 {
        vec![
            ("SKILL.md".to_string(), rest.to_vec()),
            ("scripts/x.py".to_string(), SCRIPT.to_vec()),
        ]
    } else {
        vec![
            ("SKILL.md".to_string(), SKILL_MD.as_bytes().to_vec()),
            ("references/x.md".to_string(), rest.to_vec()),
            ("scripts/x.py".to_string(), SCRIPT.to_vec()),
        ]
    };
    match Catalog::from_files("fuzzed", files) {
        Ok(catalog) => {
            for entry in &catalog.entries {
                assert!(catalog.entry(&entry.id).is_some());
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
