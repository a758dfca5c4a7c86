//! `# noqa` comments, as flake8 and ruff read them: a bare `# noqa` silences every
//! finding on its line, `# noqa: AP001, ASYNC251` only those codes. A finding's own code,
//! its rule id and ruff's code for the same pitfall all match, so one comment serves a
//! project that runs both linters.

use super::finding::{Pending, Rule};
use super::parse::Source;
use std::collections::HashMap;

enum Silence {
    All,
    Codes(Vec<String>),
}

#[derive(Default)]
pub struct Noqa {
    /// 0-based row -> what the comment on that row silences.
    rows: HashMap<usize, Silence>,
}

impl Noqa {
    /// From the file's comments (none are read unless the text mentions `noqa`).
    pub fn from_comments(source: &Source<'_>) -> Self {
        if !source.text.to_ascii_lowercase().contains("noqa") {
            return Self::default();
        }
        let rows = source
            .comments()
            .filter_map(|c| {
                let row = source.row_and_byte_column(c.start().to_usize()).0;
                Some((row, parse(source.text_of(c))?))
            })
            .collect();
        Self { rows }
    }

    pub fn silences(&self, finding: &Pending) -> bool {
        match self.rows.get(&finding.row) {
            None => false,
            Some(Silence::All) => true,
            Some(Silence::Codes(codes)) => codes.iter().any(|c| matches(finding.rule, c)),
        }
    }
}

fn matches(rule: Rule, code: &str) -> bool {
    code.eq_ignore_ascii_case(rule.code())
        || code.eq_ignore_ascii_case(rule.id())
        || rule
            .ruff_codes()
            .iter()
            .any(|r| code.eq_ignore_ascii_case(r))
}

/// `# noqa`, `# NOQA`, `# noqa: A, B`, also after other text (`# type: ignore # noqa`).
fn parse(comment: &str) -> Option<Silence> {
    let lower = comment.to_ascii_lowercase();
    let at = lower.find("noqa")?;
    let before = comment[..at].trim_end();
    if !before.ends_with('#') {
        return None;
    }
    let rest = &comment[at + 4..];
    let Some(list) = rest.strip_prefix(':') else {
        return Some(Silence::All);
    };
    let codes: Vec<String> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .take_while(|c| !c.starts_with('#'))
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    if codes.is_empty() {
        Some(Silence::All)
    } else {
        Some(Silence::Codes(codes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_and_listed_forms_are_read() {
        assert!(matches!(parse("# noqa"), Some(Silence::All)));
        assert!(matches!(parse("#NOQA"), Some(Silence::All)));
        let Some(Silence::Codes(codes)) = parse("# noqa: AP001, ASYNC251") else {
            panic!("codes expected");
        };
        assert_eq!(codes, ["AP001", "ASYNC251"]);
        assert!(parse("# this is not a noqa comment").is_none());
    }
}
