//! What a call's target is called once imports are undone: `aio.sleep`, `sleep` after
//! `from asyncio import sleep`, and `asyncio.sleep` all become `asyncio.sleep`, so each
//! rule matches one spelling. Imports are collected file-wide; a name rebound to
//! something else is rare enough in async code that the simplification is worth it.

use super::parse::Source;
use super::walk::Descendants;
use std::collections::HashMap;
use tree_sitter::Node;

pub struct Imports {
    /// Local name -> the dotted name it stands for.
    bound: HashMap<String, String>,
}

impl Imports {
    pub fn collect(source: &Source<'_>) -> Self {
        let mut bound = HashMap::new();
        for node in Descendants::all(source.root()) {
            match node.kind() {
                "import_statement" => {
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        if let Some((local, target)) = binding(source, name, None) {
                            bound.insert(local, target);
                        }
                    }
                }
                "import_from_statement" => {
                    let Some(module) = node.child_by_field_name("module_name") else {
                        continue;
                    };
                    let module = source.text_of(module);
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        if let Some((local, target)) = binding(source, name, Some(module)) {
                            bound.insert(local, target);
                        }
                    }
                }
                _ => {}
            }
        }
        Self { bound }
    }

    /// The dotted name a call's target stands for, or `None` when it is not a plain
    /// chain of names (`open(p).read`, `xs[0].get`).
    pub fn resolve(&self, source: &Source<'_>, target: Node<'_>) -> Option<String> {
        let dotted = dotted_name(source, target)?;
        let (first, rest) = match dotted.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (dotted.as_str(), None),
        };
        let base = self.bound.get(first).map_or(first, String::as_str);
        Some(match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base.to_string(),
        })
    }
}

/// `import a.b` binds `a` to `a`; `import a.b as c` binds `c` to `a.b`;
/// `from a import b as c` binds `c` to `a.b`.
fn binding(source: &Source<'_>, name: Node<'_>, module: Option<&str>) -> Option<(String, String)> {
    let (dotted, alias) = match name.kind() {
        "aliased_import" => (
            source.text_of(name.child_by_field_name("name")?),
            Some(source.text_of(name.child_by_field_name("alias")?)),
        ),
        "dotted_name" => (source.text_of(name), None),
        _ => return None,
    };
    let full = match module {
        Some(module) => format!("{module}.{dotted}"),
        None => dotted.to_string(),
    };
    let local = match (alias, module) {
        (Some(alias), _) => alias.to_string(),
        (None, Some(_)) => dotted.to_string(),
        (None, None) => dotted.split('.').next().unwrap_or(dotted).to_string(),
    };
    let target = match (alias, module) {
        (None, None) => local.clone(),
        _ => full,
    };
    Some((local, target))
}

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
