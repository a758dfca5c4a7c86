//! The catalogue as web pages, from the outside: `serve --http` answers the index and
//! one page per entry at stable paths with HTML content types, `pack` writes the same
//! pages beside `.well-known/`, catalogue text is escaped everywhere, and the pages'
//! own origin may call `/mcp`.

use crate::support::http::{modern_body, HttpServer};
use crate::support::{bin, fixture};
use serde_json::json;
use std::path::Path;
use std::process::Command;

const HTML: (&str, &str) = ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");

fn is_html(response: &crate::support::http::Response) -> bool {
    response
        .header("content-type")
        .is_some_and(|t| t == "text/html; charset=utf-8")
}

/// Every `<script…>` tag of a page: the only ones must be the page's own.
fn script_tags(page: &str) -> Vec<&str> {
    page.match_indices("<script")
        .map(|(at, _)| &page[at..at + page[at..].find('>').unwrap_or(0) + 1])
        .collect()
}

fn pack(skill: &str, out: &Path) {
    let run = Command::new(bin())
        .args([
            "--skill-dir",
            fixture(skill).to_str().unwrap(),
            "pack",
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn index_and_entry_pages_are_html_at_stable_paths() {
    let server = HttpServer::tiny(&[]);
    let root = server.send("GET", "/", &[HTML], b"");
    assert_eq!(root.status, 200);
    assert!(is_html(&root), "{:?}", root.headers);
    assert_eq!(root.header("vary"), Some("Accept"));
    let index = server.get("/index.html");
    assert!(is_html(&index));
    assert_eq!(index.text(), root.text(), "/ and /index.html are one page");
    let text = index.text();
    for link in [
        "href=\"patterns/alpha.html\"",
        "href=\"patterns/beta.html\"",
    ] {
        assert!(text.contains(link), "{link} missing from the index");
    }
    // What the plain-text root says is on the page too.
    let base = format!("http://{}", server.host());
    for expected in [
        format!("{base}/mcp"),
        format!("{base}/.well-known/agent-skills/index.json"),
        format!("{base}/healthz"),
    ] {
        assert!(text.contains(&expected), "{expected} missing");
    }

    let alpha = server.get("/patterns/alpha.html");
    assert_eq!(alpha.status, 200);
    assert!(is_html(&alpha));
    let alpha = alpha.text();
    assert!(alpha.contains("<h1>Alpha waits concurrently</h1>"));
    // Both variants of the snippet, each with the Python versions it is for.
    assert!(alpha.contains("snippet alpha · Python 3.11 and newer</figcaption>"));
    assert!(alpha.contains("snippet alpha · Python 3.9 and newer, before 3.11</figcaption>"));
    // Served, a demo entry can be run from the page.
    assert!(alpha.contains("id=\"run-button\""));
    assert!(alpha.contains("name=\"tasks\""));
    let beta = server.get("/patterns/beta.html").text();
    assert!(!beta.contains("run-button"), "beta has no demo");
    assert!(
        beta.contains("href=\"alpha.html\""),
        "related entries link by page"
    );

    // The script an entry page draws a result's lanes with: the shared web/timeline.js.
    assert!(alpha.contains("from \"../assets/timeline.js\""));
    let script = server.get("/assets/timeline.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("export function renderTimeline"));
    assert_eq!(server.get("/assets/other.js").status, 404);

    let head = server.send("HEAD", "/patterns/alpha.html", &[], b"");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(alpha.len().to_string().as_str())
    );
    assert_eq!(server.send("POST", "/index.html", &[], b"x").status, 405);
}

#[test]
fn unknown_pages_are_404_and_the_server_keeps_serving() {
    let server = HttpServer::tiny(&[]);
    for missing in [
        "/patterns/gamma.html",
        "/patterns/alpha",
        "/patterns/alpha.html/",
        "/patterns/../index.html",
        "/patterns/",
        "/alpha.html",
        "/index.htm",
    ] {
        let reply = server.send("GET", missing, &[HTML], b"");
        assert_eq!(reply.status, 404, "{missing}");
        assert!(
            reply.text().contains("index"),
            "{missing}: {}",
            reply.text()
        );
    }
    assert_eq!(server.get("/patterns/alpha.html").status, 200);
}

#[test]
fn catalogue_text_is_escaped_on_every_page() {
    let server = HttpServer::with_skill("html-skill", &[], &[]);
    let index = server.get("/index.html").text();
    let entry = server.get("/patterns/evil.html").text();
    for (name, page, own_scripts) in [
        ("index", &index, 2), // the search data and the search script
        ("entry", &entry, 1), // the Run demo script
    ] {
        assert!(
            !page.contains("<script>alert"),
            "{name} runs nothing from the skill"
        );
        assert_eq!(
            script_tags(page).len(),
            own_scripts,
            "{name}: {:?}",
            script_tags(page)
        );
        assert!(!page.contains("<img"), "{name}");
        assert!(!page.contains("<iframe"), "{name}");
        assert!(!page.contains("<i>tag"), "{name}");
    }
    // Shown, as text.
    assert!(entry.contains("&lt;script&gt;alert('title')&lt;/script&gt; &amp; friends"));
    assert!(entry.contains("&lt;script&gt;alert('body')&lt;/script&gt;"));
    assert!(entry.contains("&lt;/script&gt;&lt;script&gt;alert('code')"));
    assert!(entry.contains("&lt;em&gt;what&lt;/em&gt; to print"));
    assert!(!entry.contains("javascript:"), "script links are dropped");
    assert!(index.contains("\\u003c/script>\\u003cscript>alert('alias')"));
}

#[test]
fn the_pages_own_origin_may_call_mcp_and_others_may_not() {
    let server = HttpServer::tiny(&["--allow-host", "pages.test"]);
    let host = format!("pages.test:{}", server.port);
    let origin = format!("http://{host}");
    let call = modern_body(
        1,
        "tools/call",
        json!({"name": "get_pattern", "arguments": {"id": "alpha"}}),
    );
    let with =
        |origin: &str| server.modern_raw(&call, &[("Host", host.as_str()), ("Origin", origin)]);
    let reply = with(&origin);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["result"]["structuredContent"]["id"], "alpha");
    assert_eq!(with("http://elsewhere.test").status, 403);
    // The page itself is served under that name.
    let page = server.send(
        "GET",
        "/patterns/alpha.html",
        &[("Host", host.as_str())],
        b"",
    );
    assert_eq!(page.status, 200);
}

#[test]
fn pack_writes_the_pages_beside_well_known() {
    let tmp = tempfile::tempdir().unwrap();
    pack("tiny-skill", tmp.path());
    let read = |path: &str| {
        std::fs::read_to_string(tmp.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    assert!(tmp
        .path()
        .join(".well-known/agent-skills/index.json")
        .is_file());
    let index = read("index.html");
    assert!(index.contains("href=\"patterns/alpha.html\""));
    assert!(
        index.contains("href=\".well-known/agent-skills/index.json\""),
        "a pack links its registry files relative to itself"
    );
    let alpha = read("patterns/alpha.html");
    assert!(!alpha.contains("run-button"), "no /mcp behind a pack");
    assert!(alpha.contains("async-patterns run alpha"));
    assert!(alpha.contains("snippet alpha · Python 3.11 and newer</figcaption>"));

    // One renderer: an entry without a demo is the same page served and packed.
    let server = HttpServer::tiny(&[]);
    assert_eq!(
        server.get("/patterns/beta.html").text(),
        read("patterns/beta.html")
    );
}

#[test]
fn pack_escapes_catalogue_text_too() {
    let tmp = tempfile::tempdir().unwrap();
    pack("html-skill", tmp.path());
    for path in ["index.html", "patterns/evil.html"] {
        let page = std::fs::read_to_string(tmp.path().join(path)).unwrap();
        assert!(
            !page.contains("<script>alert"),
            "{path} runs nothing from the skill"
        );
        assert!(!page.contains("<img"), "{path}");
    }
}
