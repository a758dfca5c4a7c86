//! Dotted names as written (`a.b.c`); what they stand for is scope.rs's business.

use super::parse::Source;
use tree_sitter::Node;

/// `a.b.c` as text when the expression is only identifiers and attribute accesses.
/// Iterative: attribute chains can be arbitrarily long.
pub fn dotted_name(source: &Source<'_>, node: Node<'_>) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = node;
    loop {
        match current.kind() {
            "identifier" => {
                parts.push(source.text_of(current));
                break;
            }
            "attribute" => {
                parts.push(source.text_of(current.child_by_field_name("attribute")?));
                current = current.child_by_field_name("object")?;
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}
