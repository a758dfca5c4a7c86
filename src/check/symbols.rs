//! Facts about the functions a file defines, gathered before the rules run: what calling
//! each one does (create a coroutine, run its body, or something a decorator decided),
//! and which plain functions block or start an event loop of their own.

use super::calls::{blocking_advice, starts_event_loop};
use super::parse::Source;
use super::scope::{Binding, Scopes, Target};
use super::walk::{id, same_scope, Node, NodeId};
use ruff_python_ast::{Expr, StmtFunctionDef};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap as HashMap;

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
    functions: HashMap<NodeId, Facts>,
}

impl Symbols {
    pub fn collect(source: &Source<'_>, scopes: &Scopes, defs: &[&StmtFunctionDef]) -> Self {
        let functions = defs
            .iter()
            .map(|def| (id(*def), facts(source, scopes, def)))
            .collect();
        Self { functions }
    }

    /// What a call of `target` gives, when `target` is a function of this file: by
    /// name through the scopes, or `self.name` / `cls.name` inside `class`.
    pub fn called<'s>(
        &'s self,
        scopes: &Scopes,
        resolved: &Target,
        target: &Expr,
        class: Option<NodeId>,
    ) -> Option<(NodeId, &'s Facts)> {
        if let Target::Local(id) = resolved {
            return self.functions.get(id).map(|f| (*id, f));
        }
        let Expr::Attribute(attribute) = target else {
            return None;
        };
        let Expr::Name(object) = attribute.value.as_ref() else {
            return None;
        };
        if !matches!(object.id.as_str(), "self" | "cls") {
            return None;
        }
        match scopes.member(class?, attribute.attr.as_str())? {
            Binding::Function(id) => self.functions.get(id).map(|f| (*id, f)),
            _ => None,
        }
    }
}

fn facts(source: &Source<'_>, scopes: &Scopes, def: &StmtFunctionDef) -> Facts {
    let mut calling = if def.is_async {
        Calling::Coroutine
    } else {
        Calling::Plain
    };
    let enclosing = scopes.functions.get(&id(def)).map(|s| s.enclosing);
    for decorator in &def.decorator_list {
        let callee = match &decorator.expression {
            Expr::Call(call) => &call.func,
            other => other,
        };
        let name = enclosing.map(|scope| scopes.resolve(source, callee, scope));
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
    same_scope(&def.body, |node| match node {
        Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) => yields = true,
        Node::Expr(Expr::Call(call)) if calling == Calling::Plain => {
            let target = scopes.resolve(source, &call.func, id(def));
            let line = source.row_and_byte_column(call.start().to_usize()).0 + 1;
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
    });
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
