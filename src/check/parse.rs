//! Parsing with tree-sitter's Python grammar, and turning its error recovery into one
//! clear syntax error: the rules only ever see a tree without ERROR or MISSING nodes.

use super::walk::{kind, Descendants};
use super::CheckError;
use tree_sitter::{Node, Parser, Tree};

pub struct Source<'a> {
    pub text: &'a str,
    pub tree: Tree,
}

impl<'a> Source<'a> {
    pub fn parse(text: &'a str) -> Result<Self, CheckError> {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .map_err(|e| CheckError::Parser(e.to_string()))?;
        let mut parse = |code: &str| {
            parser
                .parse(code, None)
                .ok_or_else(|| CheckError::Parser("the parser returned no tree".into()))
        };
        let tree = parse(text)?;
        let source = Self { text, tree };
        let Err(error) = source.first_syntax_error() else {
            // The grammar accepts deeper nesting than CPython does.
            return match too_deep(text) {
                Some(error) => Err(error),
                None => Ok(source),
            };
        };
        // The grammar predates PEP 696 (`def f[T = int]()`, valid since 3.13): with the
        // defaults blanked out, byte for byte, the rest of the file parses and every
        // position still points into the real text.
        if let Some(blanked) = blank_type_parameter_defaults(text) {
            let tree = parse(&blanked)?;
            let retry = Self { text, tree };
            if retry.first_syntax_error().is_ok() {
                return Ok(retry);
            }
        }
        Err(match error {
            CheckError::Syntax {
                line: 1, column: 1, ..
            } => too_deep(text).unwrap_or(error),
            other => other,
        })
    }

    /// Python 2 statements the grammar still accepts (`print "x"`, `exec code`): such a
    /// file is not Python 3 and would otherwise come out "clean".
    pub fn python2_error(&self, node: Node<'_>) -> CheckError {
        let (line, column) = self.position(node);
        let statement = kind(node).trim_end_matches("_statement");
        CheckError::Syntax {
            line,
            column,
            message: format!(
                "Python 2 `{statement}` statement: this is not Python 3 code \
                 (`{statement}(...)` is a function call since Python 3.0)"
            ),
        }
    }

    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    pub fn text_of(&self, node: Node<'_>) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or_default()
    }

    /// 1-based line and 1-based column counted in characters, as editors show them
    /// (tree-sitter counts columns in bytes).
    pub fn position(&self, node: Node<'_>) -> (usize, usize) {
        let point = node.start_position();
        (point.row + 1, self.column(node.start_byte(), point.column))
    }

    /// The 1-based character column of `start`, `byte_column` bytes into its line. Costs
    /// the length of the line: call it for reported places only.
    pub fn column(&self, start: usize, byte_column: usize) -> usize {
        let line_start = start.saturating_sub(byte_column);
        let column = self
            .text
            .get(line_start..start)
            .map_or(byte_column, |prefix| prefix.chars().count());
        column + 1
    }

    fn first_syntax_error(&self) -> Result<(), CheckError> {
        let root = self.root();
        if !root.has_error() {
            return Ok(());
        }
        // Document order, so the reported place is the first one a reader reaches.
        let broken = Descendants::all(root).find(|n| n.is_error() || n.is_missing());
        let Some(node) = broken else {
            return Err(CheckError::Syntax {
                line: 1,
                column: 1,
                message: "invalid syntax".into(),
            });
        };
        let (line, column) = self.position(node);
        let message = if node.is_missing() {
            format!("expected `{}`", kind(node))
        } else {
            let near: String = self
                .text_of(node)
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(40)
                .collect();
            if near.trim().is_empty() {
                "invalid syntax".to_string()
            } else {
                format!("invalid syntax near `{}`", near.trim())
            }
        };
        Err(CheckError::Syntax {
            line,
            column,
            message,
        })
    }
}

/// CPython refuses more than 100 levels of indentation; the grammar gives up on such a
/// file as a whole, which would point at line 1. Find the line CPython names instead.
fn too_deep(text: &str) -> Option<CheckError> {
    const MAX_INDENT_LEVELS: usize = 100;
    let mut stack: Vec<usize> = vec![0];
    for (row, line) in text.lines().enumerate() {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        while stack.last().is_some_and(|&top| indent < top) {
            stack.pop();
        }
        if stack.last().is_some_and(|&top| indent > top) {
            stack.push(indent);
        }
        if stack.len() > MAX_INDENT_LEVELS {
            return Some(CheckError::Syntax {
                line: row + 1,
                column: indent + 1,
                message: "too many levels of indentation (CPython allows 100)".into(),
            });
        }
    }
    None
}

/// `text` with every PEP 696 type-parameter default (`[T = int]` after `def NAME`,
/// `class NAME` or `type NAME`) replaced by spaces of the same length, or `None` when
/// there is none.
fn blank_type_parameter_defaults(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        let Some(open) = type_parameter_list_at(bytes, i) else {
            i += 1;
            continue;
        };
        // Walk the bracket list; at depth 1, blank from `=` to the next `,` or `]`.
        let (mut depth, mut j, mut blanking) = (0usize, open, false);
        while j < bytes.len() {
            let c = bytes[j];
            match c {
                b'[' | b'(' | b'{' => depth += 1,
                b']' | b')' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                b',' if depth == 1 => blanking = false,
                b'=' if depth == 1
                    && !matches!(bytes.get(j + 1), Some(b'='))
                    && !matches!(bytes[j - 1], b'=' | b'!' | b'<' | b'>' | b':') =>
                {
                    blanking = true;
                    changed = true;
                }
                _ => {}
            }
            if blanking && !matches!(c, b'\n' | b'\r') {
                out[j] = b' ';
            }
            j += 1;
        }
        i = j.max(i + 1);
    }
    // Only ASCII bytes were replaced by spaces, so the text is still UTF-8 unless a
    // default held non-ASCII characters; then give up rather than guess.
    changed.then(|| String::from_utf8(out).ok()).flatten()
}

/// If a `def`, `class` or `type` statement starts at `at`, the index of the `[` that
/// opens its type-parameter list.
fn type_parameter_list_at(bytes: &[u8], at: usize) -> Option<usize> {
    let starts_word = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
    if !starts_word {
        return None;
    }
    let keyword = [&b"def "[..], b"class ", b"type "]
        .into_iter()
        .find(|k| bytes[at..].starts_with(k))?;
    let mut j = at + keyword.len();
    while bytes.get(j) == Some(&b' ') {
        j += 1;
    }
    let name_start = j;
    while bytes
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        j += 1;
    }
    (j > name_start && bytes.get(j) == Some(&b'[')).then_some(j)
}
