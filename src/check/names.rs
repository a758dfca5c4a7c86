//! Dotted names as written (`a.b.c`); what they stand for is scope.rs's business.

use super::parse::Source;
use super::walk::{field, kind};
use tree_sitter::Node;

/// `a.b.c` as text when the expression is only identifiers and attribute accesses.
/// Iterative: attribute chains can be arbitrarily long.
pub fn dotted_name(source: &Source<'_>, node: Node<'_>) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = node;
    loop {
        match kind(current) {
            "identifier" => {
                parts.push(source.text_of(current));
                break;
            }
            "attribute" => {
                parts.push(source.text_of(current.child_by_field_id(field("attribute").get())?));
                current = current.child_by_field_id(field("object").get())?;
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}
