//! Splits a Markdown file into its YAML frontmatter and body, keeping line numbers so that
//! errors point at the right line of the original file.

use super::CatalogError;

/// A file cut at its frontmatter fences.
pub struct Split<'a> {
    /// The YAML between the `---` fences (without them).
    pub yaml: &'a str,
    /// 1-based line of the first YAML line in the file.
    pub yaml_line: usize,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// 1-based line of the first body line in the file.
    pub body_line: usize,
}

pub fn split<'a>(file: &str, text: &'a str) -> Result<Split<'a>, CatalogError> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| {
            CatalogError::new(
                file,
                Some(1),
                "expected YAML frontmatter starting with `---`",
            )
        })?;
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            return Ok(Split {
                yaml: &rest[..offset],
                yaml_line: 2,
                body: &rest[offset + line.len()..],
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(CatalogError::new(
        file,
        Some(1),
        "frontmatter is not closed by a `---` line",
    ))
}

/// Turns a YAML error into a catalogue error at the right line of the file.
pub fn yaml_error(file: &str, yaml_line: usize, err: serde_yaml_ng::Error) -> CatalogError {
    let line = err.location().map(|loc| loc.line() + yaml_line - 1);
    let text = err.to_string();
    // serde_yaml_ng appends " at line N column M"; our own line number replaces it.
    let message = match text.find(" at line ") {
        Some(cut) if line.is_some() => text[..cut].to_string(),
        _ => text,
    };
    CatalogError::new(file, line.or(Some(yaml_line)), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_line_counts_the_fences() {
        let s = split("x.md", "---\na: 1\nb: 2\n---\n# Title\n").unwrap();
        assert_eq!(s.yaml, "a: 1\nb: 2\n");
        assert_eq!(s.body, "# Title\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn missing_frontmatter_is_an_error_at_line_one() {
        let err = split("x.md", "# no frontmatter\n").err().unwrap();
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn unclosed_frontmatter_is_an_error() {
        assert!(split("x.md", "---\na: 1\n").is_err());
    }
}
