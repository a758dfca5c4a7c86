//! The skill registry files, /healthz, 404s and graceful shutdown of `serve --http`.

use crate::support;
use crate::support::http::{fixture, HttpServer, MODERN};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::time::{Duration, Instant};

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

#[test]
fn discovery_index_digest_matches_the_served_archive() {
    let server = HttpServer::tiny(&[]);
    let index = server.get("/.well-known/agent-skills/index.json");
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), Some("application/json"));
    let index = index.json();
    assert_eq!(
        index["$schema"],
        "https://schemas.agentskills.io/discovery/0.2.0/schema.json"
    );
    let skill = &index["skills"][0];
    assert_eq!(skill["name"], "tiny-skill");
    assert_eq!(skill["type"], "archive");
    assert!(skill["description"]
        .as_str()
        .unwrap()
        .contains("test suite"));
    let url = skill["url"].as_str().unwrap();
    let archive = server.get(&format!("/.well-known/agent-skills/{url}"));
    assert_eq!(archive.status, 200);
    assert_eq!(skill["digest"], sha256(&archive.body));
}

#[test]
fn archive_is_deterministic_with_skill_md_at_its_root() {
    let server = HttpServer::tiny(&[]);
    let first = server.get("/.well-known/agent-skills/tiny-skill.tar.gz");
    let second = server.get("/.well-known/agent-skills/tiny-skill.tar.gz");
    assert_eq!(first.status, 200);
    assert_eq!(first.body, second.body, "two fetches are byte-identical");
    let other = HttpServer::tiny(&[]);
    assert_eq!(
        first.body,
        other
            .get("/.well-known/agent-skills/tiny-skill.tar.gz")
            .body,
        "and so are two servers"
    );

    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&first.body[..]));
    let mut names = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        assert!(!name.starts_with("./") && !name.starts_with('/'), "{name}");
        assert_eq!(entry.header().uid().unwrap(), 0);
        assert_eq!(entry.header().gid().unwrap(), 0);
        if !name.ends_with('/') {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            let on_disk = std::fs::read(fixture("tiny-skill").join(&name)).unwrap();
            assert_eq!(bytes, on_disk, "{name}");
        }
        names.push(name);
    }
    assert!(names.contains(&"SKILL.md".to_string()));
    assert!(names.contains(&"scripts/alpha.py".to_string()));
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn legacy_index_lists_files_served_under_well_known_skills() {
    let server = HttpServer::tiny(&[]);
    let index = server.get("/.well-known/skills/index.json").json();
    let skill = &index["skills"][0];
    assert_eq!(skill["name"], "tiny-skill");
    let files = skill["files"].as_array().unwrap();
    assert!(files.contains(&json!("SKILL.md")));
    for file in files {
        let path = file.as_str().unwrap();
        let response = server.get(&format!("/.well-known/skills/tiny-skill/{path}"));
        assert_eq!(response.status, 200, "{path}");
        let on_disk = std::fs::read(fixture("tiny-skill").join(path)).unwrap();
        assert_eq!(response.body, on_disk, "{path}");
    }
}

#[test]
fn head_gives_the_headers_and_length_without_a_body() {
    let server = HttpServer::tiny(&[]);
    for path in [
        "/.well-known/agent-skills/index.json",
        "/.well-known/agent-skills/tiny-skill.tar.gz",
        "/.well-known/skills/tiny-skill/SKILL.md",
    ] {
        let get = server.get(path);
        let head = server.send("HEAD", path, &[], b"");
        assert_eq!(head.status, 200, "{path}");
        assert!(head.body.is_empty());
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "{path}"
        );
        assert_eq!(head.header("content-type"), get.header("content-type"));
    }
}

#[test]
fn missing_files_are_404() {
    let server = HttpServer::tiny(&[]);
    for path in [
        "/.well-known/agent-skills/other.tar.gz",
        "/.well-known/skills/tiny-skill/nope.md",
        "/.well-known/skills/other-skill/SKILL.md",
        "/.well-known/skills/tiny-skill/../tiny-skill/SKILL.md",
        "/.well-known/nothing",
        // `/index.html` is the catalogue's index now; a page that does not exist is not.
        "/patterns/nope.html",
        "/mcp/extra",
    ] {
        assert_eq!(server.get(path).status, 404, "{path}");
        assert_eq!(server.send("HEAD", path, &[], b"").status, 404, "{path}");
    }
}

#[test]
fn registry_files_refuse_post() {
    let server = HttpServer::tiny(&[]);
    let response = server.send("POST", "/.well-known/agent-skills/index.json", &[], b"{}");
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD"));
}

#[test]
fn healthz_is_200_when_ready() {
    let server = HttpServer::tiny(&[]);
    let response = server.get("/healthz");
    assert_eq!(response.status, 200);
    assert_eq!(response.text().trim(), "ok");
}

#[test]
fn sigterm_lets_the_in_flight_request_finish_then_exits_0() {
    let mut server = HttpServer::tiny(&[]);
    let port = server.port;
    let call = std::thread::spawn(move || {
        let body = support::http::modern_body(
            1,
            "tools/call",
            json!({"name": "run_demo", "arguments": {
                "id": "alpha", "params": {"delay": 1.0}, "timeout_ms": 20000}}),
        )
        .to_string();
        let bytes = support::http::request_bytes(
            &format!("127.0.0.1:{port}"),
            "POST",
            "/mcp",
            &[
                ("Content-Type", "application/json"),
                ("MCP-Protocol-Version", MODERN),
                ("Mcp-Method", "tools/call"),
                ("Mcp-Name", "run_demo"),
            ],
            body.as_bytes(),
        );
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::io::Write::write_all(&mut stream, &bytes).unwrap();
        support::http::read_response(&mut stream, false)
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.children().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!server.children().is_empty(), "the demo is running");
    server.sigterm();
    let response = call.join().unwrap();
    assert_eq!(response.status, 200);
    let result = &response.json()["result"];
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(result["structuredContent"]["exit_code"], 0);
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn sigterm_past_the_grace_period_cancels_the_demo_and_still_exits_0() {
    let mut server = HttpServer::tiny(&["--shutdown-grace-secs", "1"]);
    let port = server.port;
    let call = std::thread::spawn(move || {
        let body = support::http::modern_body(
            1,
            "tools/call",
            json!({"name": "run_demo", "arguments": {
                "id": "alpha", "params": {"delay": 5.0}, "timeout_ms": 20000}}),
        )
        .to_string();
        let bytes = support::http::request_bytes(
            &format!("127.0.0.1:{port}"),
            "POST",
            "/mcp",
            &[
                ("Content-Type", "application/json"),
                ("MCP-Protocol-Version", MODERN),
                ("Mcp-Method", "tools/call"),
                ("Mcp-Name", "run_demo"),
            ],
            body.as_bytes(),
        );
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::io::Write::write_all(&mut stream, &bytes).unwrap();
        support::http::read_response(&mut stream, false)
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.children().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    server.sigterm();
    let response = call.join().unwrap();
    assert_eq!(response.status, 503, "{}", response.text());
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits");
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
}
