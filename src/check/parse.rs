//! Parsing with ruff's own Python parser (`ruff_python_parser`, Astral's, the one ruff
//! lints with): a typed syntax tree of CPython's grammar, so strings and comments never
//! match, PEP 696 defaults and every newer construct parse, and any syntax error refuses
//! the file with the first place the parser names. Input that would nest deeper than our
//! passes can walk is refused before parsing (depth.rs).

use super::depth;
use super::CheckError;
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{ModModule, Stmt};
use ruff_python_parser::{ParseError, Parsed};
use ruff_text_size::{Ranged, TextRange};

pub struct Source<'a> {
    pub text: &'a str,
    parsed: Parsed<ModModule>,
    lines: Lines<'a>,
}

/// Where lines start, to turn byte offsets into the line:column users see.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset where each line starts (lines end at `\n`).
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn parse(text: &'a str) -> Result<Self, CheckError> {
        depth::check(text)?;
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        let lines = Lines { text, line_starts };
        match ruff_python_parser::parse_module(text) {
            Ok(parsed) => Ok(Self {
                text,
                parsed,
                lines,
            }),
            Err(error) => Err(lines.syntax_error(&error)),
        }
    }

    pub fn body(&self) -> &[Stmt] {
        &self.parsed.syntax().body
    }

    pub fn text_of(&self, node: impl Ranged) -> &'a str {
        self.text
            .get(node.range().to_std_range())
            .unwrap_or_default()
    }

    /// 0-based row and byte column of a byte offset.
    pub fn row_and_byte_column(&self, offset: usize) -> (usize, usize) {
        self.lines.row_and_byte_column(offset)
    }

    /// The 1-based character column of `start`, `byte_column` bytes into its line.
    pub fn column(&self, start: usize, byte_column: usize) -> usize {
        self.lines.column(start, byte_column)
    }

    /// `print >>f, x` parses as Python 3 (a shift in a tuple) but is a Python 2
    /// statement: the file is refused as such.
    pub fn python2_print_error(&self, offset: usize) -> CheckError {
        self.lines.python2_error(offset, "print")
    }

    /// The comments' ranges, in document order.
    pub fn comments(&self) -> impl Iterator<Item = TextRange> + '_ {
        self.parsed
            .tokens()
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment)
            .map(Ranged::range)
    }
}

impl Lines<'_> {
    /// 0-based row and byte column of a byte offset.
    pub fn row_and_byte_column(&self, offset: usize) -> (usize, usize) {
        let row = self.line_starts.partition_point(|&start| start <= offset) - 1;
        (row, offset - self.line_starts[row])
    }

    /// 1-based line and 1-based column counted in characters, as editors show them.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let (row, byte_column) = self.row_and_byte_column(offset);
        (row + 1, self.column(offset, byte_column))
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

    fn python2_error(&self, offset: usize, statement: &str) -> CheckError {
        let (line, column) = self.position(offset);
        CheckError::Syntax {
            line,
            column,
            message: format!(
                "Python 2 `{statement}` statement: this is not Python 3 code \
                 (`{statement}(...)` is a function call since Python 3.0)"
            ),
        }
    }

    /// The first error the parser names, as one syntax error; a Python 2 `print` or
    /// `exec` statement is named as such (it is not Python 3 code at all).
    fn syntax_error(&self, error: &ParseError) -> CheckError {
        let offset = error.location.start().to_usize().min(self.text.len());
        let (row, _) = self.row_and_byte_column(offset);
        let line_start = self.line_starts[row];
        let line = &self.text[line_start..];
        let line = line.split('\n').next().unwrap_or_default();
        let indent = line.len() - line.trim_start().len();
        if let Some(statement) = python2_statement(line.trim_start()) {
            return self.python2_error(line_start + indent, statement);
        }
        let (line, column) = self.position(offset);
        CheckError::Syntax {
            line,
            column,
            message: error.error.to_string(),
        }
    }
}

/// `print "x"`, `print >>f, x`, `exec code`: a line that starts with the Python 2
/// statement keyword followed by something other than a call, an assignment or an
/// attribute.
fn python2_statement(line: &str) -> Option<&'static str> {
    ["print", "exec"].into_iter().find(|keyword| {
        line.strip_prefix(keyword).is_some_and(|rest| {
            rest.starts_with([' ', '\t', '"', '\''])
                && !rest
                    .trim_start()
                    .starts_with(['(', '=', '.', ',', ')', ';', ':', '['])
                && !rest.trim_start().is_empty()
        })
    })
}
