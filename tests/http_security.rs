//! Secure defaults of `serve --http`: Origin and Host checks, the bearer token, refusing
//! remote binds without one, size limits and slow clients.

use crate::support;
use crate::support::http::{HttpServer, MODERN};
use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tools_list(server: &HttpServer, headers: &[(&str, &str)]) -> u16 {
    server.modern("tools/list", Value::Null, headers).status
}

#[test]
fn foreign_origin_is_403() {
    let server = HttpServer::tiny(&[]);
    assert_eq!(
        tools_list(&server, &[("Origin", "https://evil.example")]),
        403
    );
    assert_eq!(tools_list(&server, &[("Origin", "null")]), 403);
    assert_eq!(
        server
            .send(
                "GET",
                "/healthz",
                &[("Origin", "https://evil.example")],
                b""
            )
            .status,
        403,
        "every path is checked"
    );
}

#[test]
fn loopback_origins_on_any_port_are_allowed() {
    let server = HttpServer::tiny(&[]);
    for origin in [
        "http://localhost:5173",
        "http://127.0.0.1:1",
        "http://[::1]:8080",
    ] {
        assert_eq!(tools_list(&server, &[("Origin", origin)]), 200, "{origin}");
    }
}

#[test]
fn allow_origin_admits_another_origin() {
    let server = HttpServer::tiny(&["--allow-origin", "https://app.example.com"]);
    assert_eq!(
        tools_list(&server, &[("Origin", "https://app.example.com")]),
        200
    );
    assert_eq!(
        tools_list(&server, &[("Origin", "https://other.example.com")]),
        403
    );
}

#[test]
fn rebinding_host_is_403() {
    let server = HttpServer::tiny(&[]);
    let port = server.port.to_string();
    let evil = format!("evil.example:{port}");
    assert_eq!(tools_list(&server, &[("Host", &evil)]), 403);
    let localhost = format!("localhost:{port}");
    assert_eq!(tools_list(&server, &[("Host", &localhost)]), 200);
}

#[test]
fn allow_host_admits_another_name() {
    let server = HttpServer::tiny(&["--allow-host", "mcp.example.com"]);
    assert_eq!(tools_list(&server, &[("Host", "mcp.example.com:443")]), 200);
    assert_eq!(tools_list(&server, &[("Host", "other.example.com")]), 403);
}

#[test]
fn missing_token_is_401_with_www_authenticate() {
    let server = HttpServer::tiny(&["--token", "s3cret-token"]);
    let response = server.modern("tools/list", Value::Null, &[]);
    assert_eq!(response.status, 401);
    assert!(response
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
    assert!(!response.text().contains("s3cret"));
}

#[test]
fn wrong_token_is_401() {
    let server = HttpServer::tiny(&["--token", "s3cret-token"]);
    let response = server.modern(
        "tools/list",
        Value::Null,
        &[("Authorization", "Bearer nope")],
    );
    assert_eq!(response.status, 401);
    assert!(response
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
}

#[test]
fn right_token_from_the_environment_is_accepted() {
    let server = HttpServer::start(&[], &[("ASYNC_PATTERNS_TOKEN", "from-env")]);
    assert_eq!(tools_list(&server, &[]), 401);
    assert_eq!(
        tools_list(&server, &[("Authorization", "Bearer from-env")]),
        200
    );
}

#[test]
fn registry_and_health_stay_public_with_a_token() {
    let server = HttpServer::tiny(&["--token", "s3cret-token"]);
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(
        server.get("/.well-known/agent-skills/index.json").status,
        200
    );
}

#[test]
fn non_loopback_bind_without_token_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_async-patterns"))
        .args(["serve", "--http", "0.0.0.0:0"])
        .env_remove("ASYNC_PATTERNS_TOKEN")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--token"), "{stderr}");
}

#[test]
fn declared_oversized_body_is_413_before_it_is_sent() {
    let server = HttpServer::tiny(&["--max-message-bytes", "1000"]);
    let mut stream = server.connect();
    write!(
        stream,
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         MCP-Protocol-Version: {MODERN}\r\nContent-Length: 5000000\r\n\r\n",
        server.host()
    )
    .unwrap();
    let response = support::http::read_response(&mut stream, false);
    assert_eq!(response.status, 413);
}

#[test]
fn oversized_chunked_body_is_413() {
    let server = HttpServer::tiny(&["--max-message-bytes", "1000"]);
    let mut stream = server.connect();
    write!(
        stream,
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        server.host()
    )
    .unwrap();
    let chunk = "x".repeat(600);
    for _ in 0..2 {
        write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len()).unwrap();
    }
    let response = support::http::read_response(&mut stream, false);
    assert_eq!(response.status, 413);
}

#[test]
fn oversized_headers_are_431() {
    let server = HttpServer::tiny(&[]);
    let big = "a".repeat(20_000);
    let response = server.send("GET", "/healthz", &[("X-Big", &big)], b"");
    assert_eq!(response.status, 431);
}

#[test]
fn slow_client_sending_half_its_headers_is_disconnected() {
    let server = HttpServer::tiny(&["--header-timeout-secs", "1"]);
    let mut stream = server.connect();
    write!(stream, "POST /mcp HTTP/1.1\r\nHost: {}\r\n", server.host()).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 256];
    // The server closes the connection (EOF, or a reset) instead of waiting forever.
    let _ = stream.read(&mut buf);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "closed after {waited:?}");
    assert!(
        waited >= Duration::from_millis(500),
        "closed after {waited:?}"
    );
}

#[test]
fn slow_body_is_408() {
    let server = HttpServer::tiny(&["--body-timeout-secs", "1"]);
    let mut stream = server.connect();
    write!(
        stream,
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"jsonrpc\"",
        server.host()
    )
    .unwrap();
    let started = Instant::now();
    let response = support::http::read_response(&mut stream, false);
    assert_eq!(response.status, 408);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn connections_beyond_the_limit_wait_their_turn() {
    let server = HttpServer::tiny(&["--max-connections", "1"]);
    // One idle keep-alive connection holds the only slot...
    let mut held = server.connect();
    write!(
        held,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.host()
    )
    .unwrap();
    assert_eq!(support::http::read_response(&mut held, false).status, 200);
    let waiter = {
        let port = server.port;
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream
                .write_all(
                    format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .unwrap();
            let status = support::http::read_response(&mut stream, false).status;
            (status, started.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    // ...until it goes away.
    drop(held);
    let (status, waited) = waiter.join().unwrap();
    assert_eq!(status, 200);
    assert!(waited >= Duration::from_millis(400), "waited {waited:?}");
}

#[test]
fn silent_connections_make_room_when_every_slot_is_taken() {
    let server = HttpServer::tiny(&["--max-connections", "4"]);
    // Forty sockets that never say a word take every slot and fill the listen queue...
    let silent: Vec<_> = (0..40).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(200));
    // ...yet a real client is served long before the 10 s header timeout frees a slot.
    let started = Instant::now();
    let response = server.get("/healthz");
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited {:?}",
        started.elapsed()
    );
    // A connection that has spoken is not evicted for being idle afterwards.
    let mut talker = server.connect();
    write!(
        talker,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.host()
    )
    .unwrap();
    assert_eq!(support::http::read_response(&mut talker, false).status, 200);
    let more: Vec<_> = (0..20).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_secs(2));
    write!(
        talker,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.host()
    )
    .unwrap();
    assert_eq!(support::http::read_response(&mut talker, false).status, 200);
    drop((silent, more));
}

#[test]
fn tokens_never_reach_the_log_even_at_trace_level() {
    let secret = "s3cret-token-7f3a9c";
    let server = HttpServer::tiny(&["--token", secret, "--log-level", "trace"]);
    assert_eq!(
        tools_list(&server, &[("Authorization", &format!("Bearer {secret}"))]),
        200
    );
    assert_eq!(
        tools_list(&server, &[("Authorization", "Bearer wrong-7f3a9c")]),
        401
    );
    server.sigterm();
    let mut logged = Vec::new();
    while let Ok(line) = server.stderr.recv_timeout(Duration::from_secs(5)) {
        logged.push(line);
    }
    assert!(
        logged.len() > 2,
        "trace logging wrote almost nothing: {logged:?}"
    );
    let all = logged.join("\n");
    assert!(!all.contains(secret) && !all.contains("7f3a9c"), "{all}");
}
