//! Facts about the functions a file defines, gathered before the rules run: what calling
//! each one does (create a coroutine, run its body, or something a decorator decided),
//! and which plain functions block or start an event loop of their own.

use super::calls::{blocking_advice, starts_event_loop};
use super::parse::Source;
use super::scope::{Binding, Scopes, Target};
use super::walk::Descendants;
use std::collections::HashMap;
use tree_sitter::Node;

pub fn is_async_def(node: Node<'_>) -> bool {
    node.kind() == "function_definition"
        && node.child(0).is_some_and(|first| first.kind() == "async")
}

/// What a call of the function gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calling {
    /// `async def` without `yield`: a coroutine that runs nothing until awaited.
    Coroutine,
    /// `async def` with `yield`: an async generator, iterated with `async for`.
    AsyncGenerator,
    /// `def` with `yield`: a generator; the body runs only when iterated.
    Generator,
    /// `def`: the body runs now.
    Plain,
    /// A decorator we do not know wraps it: it may run it, defer it, or wrap it in
    /// `asyncio.run`; no rule judges its calls.
    Unknown,
}

/// Decorators that return the function itself (or an equivalent wrapper), so a call
/// still does what the `def` says.
const TRANSPARENT_DECORATORS: &[&str] = &[
    "staticmethod",
    "classmethod",
    "property",
    "functools.wraps",
    "abc.abstractmethod",
    "typing.override",
    "typing_extensions.override",
    "typing.final",
    "typing.no_type_check",
];

/// Prefixes of decorator names that only register or mark the function (test markers):
/// the call still does what the `def` says.
const MARKING_DECORATORS: &[&str] = &["pytest.mark."];

pub struct Facts {
    pub calling: Calling,
    /// A plain function that calls `asyncio.run` (or `run_until_complete`) in its own
    /// body: 1-based line of that call.
    pub loop_starter: Option<usize>,
    /// A plain function whose own body makes a known blocking call: (line, call name).
    /// A coroutine that calls such a helper blocks just the same.
    pub blocking: Option<(usize, String)>,
}

pub struct Symbols {
    /// `def` node id -> what calling it does.
    functions: HashMap<usize, Facts>,
}

impl Symbols {
    pub fn collect(source: &Source<'_>, scopes: &Scopes) -> Self {
        let mut decorated: HashMap<usize, Vec<Node<'_>>> = HashMap::new();
        let mut defs = Vec::new();
        for node in Descendants::all(source.root()) {
            match node.kind() {
                "function_definition" => defs.push(node),
                "decorated_definition" => {
                    let Some(definition) = node.child_by_field_name("definition") else {
                        continue;
                    };
                    let mut cursor = node.walk();
                    let decorators = node
                        .named_children(&mut cursor)
                        .filter(|c| c.kind() == "decorator")
                        .filter_map(|d| d.named_child(0))
                        .collect();
                    decorated.insert(definition.id(), decorators);
                }
                _ => {}
            }
        }
        let functions = defs
            .into_iter()
            .map(|def| {
                let decorators = decorated.get(&def.id()).map_or(&[][..], Vec::as_slice);
                (def.id(), facts(source, scopes, def, decorators))
            })
            .collect();
        Self { functions }
    }

    /// What a call of `target` gives, when `target` is a function of this file: by
    /// name through the scopes, or `self.name` / `cls.name` inside `class`.
    pub fn called<'s>(
        &'s self,
        scopes: &Scopes,
        resolved: &Target,
        source: &Source<'_>,
        target: Node<'_>,
        class: Option<Node<'_>>,
    ) -> Option<(usize, &'s Facts)> {
        if let Target::Local(id) = resolved {
            return self.functions.get(id).map(|f| (*id, f));
        }
        if target.kind() != "attribute" {
            return None;
        }
        let (object, attr) = (
            target.child_by_field_name("object")?,
            target.child_by_field_name("attribute")?,
        );
        if !matches!(source.text_of(object), "self" | "cls") {
            return None;
        }
        match scopes.member(class?.id(), source.text_of(attr))? {
            Binding::Function(id) => self.functions.get(id).map(|f| (*id, f)),
            _ => None,
        }
    }
}

fn facts(source: &Source<'_>, scopes: &Scopes, def: Node<'_>, decorators: &[Node<'_>]) -> Facts {
    let body = def.child_by_field_name("body");
    let yields = body.is_some_and(|b| Descendants::same_scope(b).any(|n| n.kind() == "yield"));
    let mut calling = match (is_async_def(def), yields) {
        (true, false) => Calling::Coroutine,
        (true, true) => Calling::AsyncGenerator,
        (false, true) => Calling::Generator,
        (false, false) => Calling::Plain,
    };
    let enclosing = scopes.functions.get(&def.id()).map(|s| s.enclosing);
    for decorator in decorators {
        let callee = match decorator.kind() {
            "call" => decorator.child_by_field_name("function"),
            _ => Some(*decorator),
        };
        let name = callee
            .zip(enclosing)
            .map(|(callee, scope)| scopes.resolve(source, callee, scope));
        let known = name
            .as_ref()
            .and_then(Target::qualified)
            .is_some_and(|name| {
                TRANSPARENT_DECORATORS.contains(&name)
                    || MARKING_DECORATORS.iter().any(|p| name.starts_with(p))
            });
        if !known {
            calling = Calling::Unknown;
        }
    }
    let (loop_starter, blocking) = if calling == Calling::Plain {
        (
            first_call(source, scopes, def, starts_event_loop).map(|(line, _)| line),
            first_call(source, scopes, def, |t| {
                t.qualified().is_some_and(|q| blocking_advice(q).is_some())
            }),
        )
    } else {
        (None, None)
    };
    Facts {
        calling,
        loop_starter,
        blocking,
    }
}

/// The first call in `def`'s own body whose target's name satisfies `wanted`:
/// (1-based line, name). Names are resolved in the function's own scope, so a
/// parameter that shadows an import is not mistaken for it.
fn first_call(
    source: &Source<'_>,
    scopes: &Scopes,
    def: Node<'_>,
    wanted: impl Fn(&Target) -> bool,
) -> Option<(usize, String)> {
    let body = def.child_by_field_name("body")?;
    Descendants::same_scope(body)
        .filter(|n| n.kind() == "call")
        .find_map(|call| {
            let target = scopes.resolve(source, call.child_by_field_name("function")?, def.id());
            let name = target.spelling()?.to_string();
            wanted(&target).then(|| (source.position(call).0, name))
        })
}
