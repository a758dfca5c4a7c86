//! Facts about the functions a file defines, gathered before the rules run: which names
//! are coroutine functions (calling them only creates a coroutine), and which plain
//! functions start an event loop of their own (calling them from async code fails).

use super::calls::{blocking_advice, starts_event_loop};
use super::names::Imports;
use super::parse::Source;
use super::walk::Descendants;
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

pub fn is_async_def(node: Node<'_>) -> bool {
    node.kind() == "function_definition"
        && node.child(0).is_some_and(|first| first.kind() == "async")
}

#[derive(Default)]
pub struct Symbols {
    /// Functions defined outside class bodies, by name: true when `async def`.
    functions: HashMap<String, bool>,
    /// Names defined both ways somewhere: we cannot tell which one a call means.
    ambiguous: HashSet<String>,
    /// Class node id -> method name -> is async.
    methods: HashMap<usize, HashMap<String, bool>>,
    /// Plain functions that call `asyncio.run` (or `run_until_complete`) in their own
    /// body -> 1-based line of that call.
    pub loop_starters: HashMap<String, usize>,
    /// Plain functions whose own body makes a known blocking call -> (line, call name):
    /// a coroutine that calls such a helper blocks just the same.
    pub blocking_helpers: HashMap<String, (usize, String)>,
}

impl Symbols {
    pub fn collect(source: &Source<'_>, imports: &Imports) -> Self {
        let mut symbols = Self::default();
        // (node, the class whose body defines it directly, for methods): carried down
        // an explicit stack because `Node::parent` is slow on long blocks.
        let mut stack: Vec<(Node<'_>, Option<Node<'_>>)> = vec![(source.root(), None)];
        while let Some((node, owner)) = stack.pop() {
            if node.kind() == "function_definition" {
                symbols.add_function(source, imports, node, owner);
            }
            let class_body = match node.kind() {
                "class_definition" => node.child_by_field_name("body").map(|b| b.id()),
                _ => None,
            };
            let passes_owner = matches!(node.kind(), "block" | "decorated_definition");
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            for child in children.into_iter().rev() {
                let child_owner = if Some(child.id()) == class_body {
                    Some(node)
                } else if passes_owner
                    && matches!(child.kind(), "function_definition" | "decorated_definition")
                {
                    owner
                } else {
                    None
                };
                stack.push((child, child_owner));
            }
        }
        symbols
    }

    fn add_function(
        &mut self,
        source: &Source<'_>,
        imports: &Imports,
        node: Node<'_>,
        class: Option<Node<'_>>,
    ) {
        let Some(name) = node.child_by_field_name("name") else {
            return;
        };
        let name = source.text_of(name).to_string();
        let is_async = is_async_def(node);
        if let Some(class) = class {
            let methods = self.methods.entry(class.id()).or_default();
            if methods.insert(name.clone(), is_async) == Some(!is_async) {
                methods.insert(name, false);
            }
            return;
        }
        if self.functions.insert(name.clone(), is_async) == Some(!is_async) {
            self.ambiguous.insert(name.clone());
        }
        if !is_async {
            if let Some(line) = first_call_line(source, imports, node, starts_event_loop) {
                self.loop_starters.entry(name.clone()).or_insert(line.0);
            }
            let blocks = |q: &str| blocking_advice(q).is_some();
            if let Some(found) = first_call_line(source, imports, node, blocks) {
                self.blocking_helpers.entry(name).or_insert(found);
            }
        }
    }

    /// Is a call of `target` (the call's `function` node) certainly a call of a
    /// coroutine function defined in this file? `class` is the class the call sits in,
    /// for `self.method()`.
    pub fn is_local_coroutine_function(
        &self,
        source: &Source<'_>,
        target: Node<'_>,
        class: Option<Node<'_>>,
    ) -> bool {
        match target.kind() {
            "identifier" => {
                let name = source.text_of(target);
                !self.ambiguous.contains(name) && self.functions.get(name) == Some(&true)
            }
            "attribute" => {
                let (Some(object), Some(attr)) = (
                    target.child_by_field_name("object"),
                    target.child_by_field_name("attribute"),
                ) else {
                    return false;
                };
                if !matches!(source.text_of(object), "self" | "cls") {
                    return false;
                }
                class
                    .and_then(|class| self.methods.get(&class.id()))
                    .and_then(|methods| methods.get(source.text_of(attr)))
                    == Some(&true)
            }
            _ => false,
        }
    }

    /// Line of the `asyncio.run` inside the plain function `target` names, if it has one.
    pub fn loop_starter(&self, source: &Source<'_>, target: Node<'_>) -> Option<usize> {
        self.plain_function(source, target)
            .and_then(|name| self.loop_starters.get(name).copied())
    }

    /// The blocking call (line, name) inside the plain function `target` names, if any.
    pub fn blocking_helper(
        &self,
        source: &Source<'_>,
        target: Node<'_>,
    ) -> Option<&(usize, String)> {
        self.plain_function(source, target)
            .and_then(|name| self.blocking_helpers.get(name))
    }

    fn plain_function<'a>(&self, source: &Source<'a>, target: Node<'_>) -> Option<&'a str> {
        if target.kind() != "identifier" {
            return None;
        }
        let name = source.text_of(target);
        (!self.ambiguous.contains(name)).then_some(name)
    }
}

/// The first call in `def`'s own body whose resolved name satisfies `wanted`:
/// (1-based line, name).
fn first_call_line(
    source: &Source<'_>,
    imports: &Imports,
    def: Node<'_>,
    wanted: impl Fn(&str) -> bool,
) -> Option<(usize, String)> {
    let body = def.child_by_field_name("body")?;
    Descendants::same_scope(body)
        .filter(|n| n.kind() == "call")
        .find_map(|call| {
            let name = imports.resolve(source, call.child_by_field_name("function")?)?;
            wanted(&name).then(|| (source.position(call).0, name))
        })
}
