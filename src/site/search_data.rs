//! The index page's search data: per entry, the fields `search_patterns` weighs most
//! (title, aliases with the error texts people paste, tags, summary), as JSON the page's
//! script filters. The entries' long bodies stay out, so the page stays small; a pasted
//! error message is found through the aliases, which exist for exactly that.

use crate::catalog::Entry;
use serde::Serialize;

#[derive(Serialize)]
struct SearchRecord<'a> {
    id: &'a str,
    title: &'a str,
    summary: &'a str,
    tags: &'a [String],
    aliases: &'a [String],
}

/// The records as JSON safe to put inside a `<script>` element: `<` is written as
/// `\u003c`, so no text in the catalogue can close the element.
pub fn json(entries: &[Entry]) -> String {
    let records: Vec<SearchRecord<'_>> = entries
        .iter()
        .map(|entry| SearchRecord {
            id: &entry.id,
            title: &entry.title,
            summary: &entry.summary,
            tags: &entry.tags,
            aliases: &entry.aliases,
        })
        .collect();
    // Serializing plain strings and slices cannot fail.
    let text = serde_json::to_string(&records).unwrap_or_else(|_| "[]".to_string());
    text.replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_text_cannot_close_the_script_element() {
        let text = "---\nid: x\ntitle: \"</script><script>alert(1)</script>\"\n\
                    category: pattern\nsummary: s\naliases: [\"<!-- a\"]\nmin_python: \"3.9\"\n---\n\
                    # X\n\n```python snippet=x\npass\n```\n";
        let catalog = crate::site::tests::catalog_with(text);
        let json = json(&catalog.entries);
        assert!(!json.contains('<'), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0]["title"], "</script><script>alert(1)</script>");
        assert_eq!(back[0]["aliases"][0], "<!-- a");
    }
}
