//! Facts about the functions a file defines, gathered before the rules run: what calling
//! each one does (create a coroutine, run its body, or something a decorator decided),
//! and which plain functions block or start an event loop of their own.

use super::calls::{blocking_advice, starts_event_loop};
use super::parse::Source;
use super::scope::{Binding, Found, Scopes, Target};
use super::walk::{field, kind, Descendants};
use std::collections::HashMap;
use tree_sitter::Node;

pub fn is_async_def(node: Node<'_>) -> bool {
    kind(node) == "function_definition" && node.child(0).is_some_and(|first| kind(first) == "async")
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
    pub fn collect(source: &Source<'_>, scopes: &Scopes, found: &Found<'_>) -> Self {
        let functions = found
            .defs
            .iter()
            .map(|def| {
                let decorators = found
                    .decorators
                    .get(&def.id())
                    .map_or(&[][..], Vec::as_slice);
                (def.id(), facts(source, scopes, *def, decorators))
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
        if kind(target) != "attribute" {
            return None;
        }
        let (object, attr) = (
            target.child_by_field_id(field("object").get())?,
            target.child_by_field_id(field("attribute").get())?,
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
    let mut calling = if is_async_def(def) {
        Calling::Coroutine
    } else {
        Calling::Plain
    };
    let enclosing = scopes.functions.get(&def.id()).map(|s| s.enclosing);
    for decorator in decorators {
        let callee = match kind(decorator) {
            "call" => decorator.child_by_field_id(field("function").get()),
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
    // One walk of the body's own scope finds the `yield`s and the first calls that
    // block or start a loop.
    let (mut yields, mut loop_starter, mut blocking) = (false, None, None);
    if let Some(body) = def.child_by_field_id(field("body").get()) {
        for node in Descendants::same_scope(body) {
            match kind(node) {
                "yield" => yields = true,
                "call" if calling == Calling::Plain => {
                    let Some(function) = node.child_by_field_id(field("function").get()) else {
                        continue;
                    };
                    let target = scopes.resolve(source, function, def.id());
                    let line = node.start_position().row + 1;
                    if loop_starter.is_none() && starts_event_loop(&target) {
                        loop_starter = Some(line);
                    }
                    if blocking.is_none() {
                        if let Some(name) = target.qualified() {
                            if blocking_advice(name).is_some() {
                                blocking = Some((line, name.to_string()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    calling = match (calling, yields) {
        (Calling::Coroutine, true) => Calling::AsyncGenerator,
        (Calling::Plain, true) => Calling::Generator,
        (other, _) => other,
    };
    if calling != Calling::Plain {
        (loop_starter, blocking) = (None, None);
    }
    Facts {
        calling,
        loop_starter,
        blocking,
    }
}
