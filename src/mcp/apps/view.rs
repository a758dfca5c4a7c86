//! The view's single HTML document. Its parts live in `web/` as plain files (so the
//! drawing in `web/timeline.js` is the very file the catalogue pages use and editors see
//! real HTML and JavaScript); they are embedded in the binary and put together once, on
//! first use, never at start-up.

use std::sync::OnceLock;

const TEMPLATE: &str = include_str!("../../../web/demo-timeline.html");
/// Each `(marker, file)` pair: the marker in the template is replaced by the file.
const PARTS: &[(&str, &str)] = &[
    (
        "/*@include timeline.js*/",
        include_str!("../../../web/timeline.js"),
    ),
    ("/*@include view.js*/", include_str!("../../../web/view.js")),
];

/// The complete view, as `resources/read` serves it.
pub fn html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| {
        PARTS
            .iter()
            .fold(TEMPLATE.to_string(), |html, (marker, part)| {
                html.replacen(marker, part, 1)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_inlined_once() {
        let html = html();
        for (marker, part) in PARTS {
            assert!(!html.contains(marker), "{marker} left in the view");
            assert_eq!(html.matches(part).count(), 1, "{marker}");
        }
        // A `</script>` inside a part would end the inline script early.
        assert_eq!(html.matches("</script>").count(), 1);
    }

    /// The view shows progress against the deadline a call gets when it names none.
    #[test]
    fn the_views_default_deadline_is_run_demos() {
        let line = format!(
            "const DEFAULT_DEADLINE_MS = {};",
            crate::demo::DEFAULT_TIMEOUT_MS
        );
        assert!(html().contains(&line), "web/view.js should say `{line}`");
    }

    /// The view must work offline and under the strictest host policy (empty CSP domains):
    /// nothing in it may name an origin to load from or talk to.
    #[test]
    fn the_view_loads_and_calls_nothing_outside_itself() {
        let html = html();
        // The SVG namespace is a name, not an address anything is fetched from.
        let without_namespace = html.replace("http://www.w3.org/2000/svg", "");
        for forbidden in [
            "http://",
            "https://",
            "//cdn",
            "<link",
            " src=",
            "@import",
            "url(",
            "fetch(",
            "XMLHttpRequest",
            "WebSocket",
            "EventSource",
            "import(",
            "from \"",
        ] {
            assert!(
                !without_namespace.contains(forbidden),
                "the view contains `{forbidden}`"
            );
        }
    }
}
