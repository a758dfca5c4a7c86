//! Parsing with tree-sitter's Python grammar, and turning its error recovery into one
//! clear syntax error: the rules only ever see a tree without ERROR or MISSING nodes.

use super::walk::Descendants;
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
        let tree = parser
            .parse(text, None)
            .ok_or_else(|| CheckError::Parser("the parser returned no tree".into()))?;
        let source = Self { text, tree };
        source.first_syntax_error()?;
        Ok(source)
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
        let start = node.start_byte();
        let line_start = start.saturating_sub(point.column);
        let column = self
            .text
            .get(line_start..start)
            .map_or(point.column, |prefix| prefix.chars().count());
        (point.row + 1, column + 1)
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
            format!("expected `{}`", node.kind())
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
