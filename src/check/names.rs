//! Dotted names as written (`a.b.c`); what they stand for is scope.rs's business.

use ruff_python_ast::Expr;

/// `a.b.c` as text when the expression is only names and attribute accesses.
/// Iterative: attribute chains can be long.
pub fn dotted_name(expr: &Expr) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::Name(name) => {
                parts.push(name.id.as_str());
                break;
            }
            Expr::Attribute(attribute) => {
                parts.push(attribute.attr.as_str());
                current = &attribute.value;
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}
