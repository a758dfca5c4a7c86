//! An entry's reference text as HTML, with pulldown-cmark. The reference files are
//! trusted less than the page around them (`--skill-dir` serves any folder), so raw HTML
//! in them is shown as text, and links keep only schemes that cannot run script.
//!
//! Python code blocks get a caption naming the snippet and the Python versions its
//! variant is for, so an entry with version-specific code reads as "this for 3.11 and
//! newer, this before": the same choice `get_snippet`'s `python` argument makes.

use crate::catalog::PyVersion;
use maud::html;
use pulldown_cmark::{
    html, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

/// What the renderer needs to know about the entry's snippets.
pub trait SnippetVersions {
    /// Every variant's `min_python` of snippet `id`, newest first (empty when unknown).
    fn variants(&self, id: &str) -> Vec<PyVersion>;
    /// Whether `id` (a reference file's stem) names an entry with a page.
    fn is_entry(&self, id: &str) -> bool;
}

/// The body of a reference file as HTML. The leading `# Title` is dropped: the page
/// prints the entry's title as its only `h1`.
pub fn to_html(body: &str, entry_min_python: PyVersion, known: &dyn SnippetVersions) -> String {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut parser = Parser::new_ext(body, Options::ENABLE_TABLES).peekable();
    // Skip a first-level heading at the very start.
    if matches!(
        parser.peek(),
        Some(Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }))
    ) {
        for event in parser.by_ref() {
            if matches!(event, Event::End(TagEnd::Heading(HeadingLevel::H1))) {
                break;
            }
        }
    }
    let mut code: Option<(String, String)> = None;
    for event in parser {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, String::new()));
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, buffer)) = code.as_mut() {
                    buffer.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, text)) = code.take() {
                    let block = code_block(&info, &text, entry_min_python, known);
                    events.push(Event::Html(CowStr::from(block)));
                }
            }
            // Raw HTML in a reference is shown, never interpreted.
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => events.push(Event::Start(Tag::Link {
                link_type,
                dest_url: CowStr::from(link_target(&dest_url, link_type, known)),
                title,
                id,
            })),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => events.push(Event::Start(Tag::Image {
                link_type,
                dest_url: CowStr::from(link_target(&dest_url, link_type, known)),
                title,
                id,
            })),
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// A link as the page should carry it: `other-entry.md` becomes that entry's page,
/// script-bearing schemes become an inert `#`.
fn link_target(dest: &str, link_type: LinkType, known: &dyn SnippetVersions) -> String {
    if matches!(link_type, LinkType::Email) {
        return format!("mailto:{dest}");
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (dest, None),
    };
    let stem = path
        .strip_prefix("references/")
        .or_else(|| path.strip_prefix("./"))
        .unwrap_or(path)
        .strip_suffix(".md");
    if let Some(stem) = stem.filter(|s| known.is_entry(s)) {
        return match anchor {
            Some(anchor) => format!("{stem}.html#{anchor}"),
            None => format!("{stem}.html"),
        };
    }
    let lower = dest.trim().to_ascii_lowercase();
    let scheme = lower
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|scheme| !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#'));
    match scheme {
        None | Some("http" | "https" | "mailto") => dest.to_string(),
        Some(_) => "#".to_string(),
    }
}

/// A fenced block; Python snippets get a caption with their Python versions.
fn code_block(
    info: &str,
    text: &str,
    entry_min_python: PyVersion,
    known: &dyn SnippetVersions,
) -> String {
    let mut words = info.split_whitespace();
    let language = words.next().unwrap_or("");
    let mut snippet = None;
    let mut min_python = entry_min_python;
    let mut fragment = false;
    if language == "python" {
        for attr in words {
            match attr.split_once('=') {
                Some(("snippet", id)) => snippet = Some(id),
                Some(("min_python", v)) => min_python = v.parse().unwrap_or(min_python),
                None if attr == "fragment" => fragment = true,
                _ => {}
            }
        }
    }
    let caption = snippet.map(|id| caption(id, min_python, fragment, &known.variants(id)));
    let class = (!language.is_empty()).then(|| format!("language-{language}"));
    // Focusable, so that a keyboard can scroll a long line into view.
    let pre = html! { pre tabindex="0" { code class=[class] { (text) } } };
    let block = match caption {
        Some(caption) => html! { figure class="snippet" { figcaption { (caption) } (pre) } },
        None => pre,
    };
    block.into_string() + "\n"
}

/// "snippet `gather` · Python 3.11 and newer", or for an older variant "… · Python 3.9
/// and newer, before 3.11".
fn caption(id: &str, min_python: PyVersion, fragment: bool, variants: &[PyVersion]) -> String {
    let newer = variants
        .iter()
        .filter(|v| **v > min_python)
        .min()
        .map(|next| format!(", before {next}"))
        .unwrap_or_default();
    let fragment = if fragment {
        " · fragment (needs surrounding code)"
    } else {
        ""
    };
    format!("snippet {id} · Python {min_python} and newer{newer}{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Known;
    impl SnippetVersions for Known {
        fn variants(&self, id: &str) -> Vec<PyVersion> {
            match id {
                "alpha" => vec![PyVersion::new(3, 11), PyVersion::new(3, 9)],
                _ => vec![PyVersion::new(3, 9)],
            }
        }
        fn is_entry(&self, id: &str) -> bool {
            id == "beta"
        }
    }

    fn render(md: &str) -> String {
        to_html(md, PyVersion::new(3, 9), &Known)
    }

    #[test]
    fn raw_html_in_a_reference_is_shown_as_text() {
        let html = render("Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn links_to_entries_become_pages_and_script_schemes_are_dropped() {
        let html = render(
            "[b](beta.md) [c](references/beta.md#fix) [x](javascript:alert(1)) \
             [d](data:text/html,hi) [w](https://docs.python.org/3/) [o](other.md)",
        );
        assert!(html.contains("href=\"beta.html\""), "{html}");
        assert!(html.contains("href=\"beta.html#fix\""), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(
            html.contains("href=\"https://docs.python.org/3/\""),
            "{html}"
        );
        assert!(html.contains("href=\"other.md\""), "{html}");
    }

    #[test]
    fn python_variants_are_captioned_with_their_versions() {
        let html = render(
            "# Title\n\n```python snippet=alpha min_python=3.11\nx = 1 < 2\n```\n\n\
             ```python snippet=alpha\ny = 2\n```\n",
        );
        assert!(!html.contains("<h1"), "the page has its own h1: {html}");
        assert!(
            html.contains("snippet alpha · Python 3.11 and newer</figcaption>"),
            "{html}"
        );
        assert!(
            html.contains("snippet alpha · Python 3.9 and newer, before 3.11</figcaption>"),
            "{html}"
        );
        assert!(html.contains("x = 1 &lt; 2"), "{html}");
    }
}
