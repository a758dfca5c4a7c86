//! The frame every page shares: head, stylesheet, header and footer, and a
//! Content-Security-Policy that allows exactly the page's own inline stylesheet and
//! scripts (by hash), same-origin requests, and nothing from any other origin. Pages
//! are built with maud, which escapes every interpolated value.

use base64::Engine;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

const STYLESHEET: &str = include_str!("assets/site.css");

/// An inline script of the page.
pub enum Script {
    /// A classic script.
    Classic(&'static str),
    /// An ES module (may import same-origin modules).
    Module(&'static str),
}

impl Script {
    fn text(&self) -> &'static str {
        match self {
            Script::Classic(text) | Script::Module(text) => text,
        }
    }
}

pub struct Document<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// The link back to the index, relative to this page (`None` on the index itself).
    pub home: Option<&'a str>,
    pub main: Markup,
    /// JSON data for the scripts, as `(element id, JSON already safe inside <script>)`.
    pub data: Option<(&'a str, &'a str)>,
    pub scripts: &'a [Script],
}

fn hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The page's policy. Style attributes stay allowed for SVG drawn by scripts; style and
/// script elements only with their hash.
fn policy(scripts: &[Script]) -> String {
    let script_hashes: Vec<String> = scripts.iter().map(|s| hash(s.text())).collect();
    format!(
        "default-src 'none'; style-src-elem {}; style-src-attr 'unsafe-inline'; \
         script-src {}; connect-src 'self'; img-src 'self' data:; \
         base-uri 'none'; form-action 'self'",
        hash(STYLESHEET),
        if script_hashes.is_empty() {
            "'none'".to_string()
        } else {
            format!("'self' {}", script_hashes.join(" "))
        }
    )
}

pub fn render(doc: &Document<'_>) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(policy(doc.scripts));
                meta name="description" content=(doc.description);
                // No icon: without this line every page load asks for /favicon.ico.
                link rel="icon" href="data:,";
                title { (doc.title) }
                style { (PreEscaped(STYLESHEET)) }
            }
            body {
                header {
                    nav aria-label="Site" {
                        @match doc.home {
                            Some(home) => a href=(home) { "async-patterns catalogue" },
                            None => a href="index.html" aria-current="page" { "async-patterns catalogue" },
                        }
                    }
                }
                main id="main" { (doc.main) }
                footer {
                    p {
                        "async-patterns " (env!("CARGO_PKG_VERSION"))
                        ": async Python patterns as an Agent Skill, served over MCP."
                    }
                }
                @if let Some((id, json)) = doc.data {
                    script type="application/json" id=(id) { (PreEscaped(json)) }
                }
                @for script in doc.scripts {
                    @match script {
                        Script::Classic(text) => script { (PreEscaped(*text)) },
                        Script::Module(text) => script type="module" { (PreEscaped(*text)) },
                    }
                }
            }
        }
    };
    page.into_string()
}
