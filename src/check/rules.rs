//! The rules. One pass over the tree carries whether the code runs in async context
//! (the body of an `async def`, not of a `def`, `lambda` or `class` nested in it), and
//! each node kind a rule cares about is judged where the walk meets it.

use super::calls::{blocking_advice, starts_event_loop, KNOWN_COROUTINE_FUNCTIONS};
use super::finding::{Finding, Rule};
use super::names::{dotted_name, Imports};
use super::parse::Source;
use super::symbols::{is_async_def, Symbols};
use super::walk::{Descendants, Visit};
use crate::catalog::PyVersion;
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// Functions that take their argument as a value without running or keeping it, so
/// handing them a coroutine does not count as passing it on.
const INSPECTORS: &[&str] = &["type", "bool", "print", "repr", "str", "id", "isinstance"];

/// The first Python where `asyncio.timeout` exists.
const TIMEOUT_CONTEXT_MANAGER: PyVersion = PyVersion::new(3, 11);

/// Where a node sits, carried down the walk (see walk.rs for why not `Node::parent`).
#[derive(Clone, Copy)]
struct Context<'t> {
    /// In the body of an `async def`, not inside a nested `def`, `lambda` or `class`.
    in_async: bool,
    /// The innermost function or lambda around the node, or the module.
    scope: Node<'t>,
    /// The innermost class around the node, for `self.method()`.
    class: Option<Node<'t>>,
}

pub struct Checker<'s, 'a> {
    source: &'s Source<'a>,
    imports: Imports,
    symbols: Symbols,
    python: PyVersion,
    findings: Vec<Finding>,
    /// (scope id, variable) -> is the variable awaited or handed on somewhere in it.
    handed_on: HashMap<(usize, String), bool>,
    /// Scope id -> every identifier in it by name, with its parent and grandparent.
    identifiers: HashMap<usize, HashMap<&'a str, Vec<Visit<'s>>>>,
    /// Scope id -> dotted names the scope calls `.cancel()` on.
    cancelled: HashMap<usize, HashSet<String>>,
}

impl<'s, 'a> Checker<'s, 'a> {
    pub fn new(source: &'s Source<'a>, python: PyVersion) -> Self {
        let imports = Imports::collect(source);
        let symbols = Symbols::collect(source, &imports);
        Self {
            source,
            imports,
            symbols,
            python,
            findings: Vec::new(),
            handed_on: HashMap::new(),
            identifiers: HashMap::new(),
            cancelled: HashMap::new(),
        }
    }

    pub fn run(mut self) -> Vec<Finding> {
        let root = self.source.root();
        let mut stack = vec![(
            root,
            Context {
                in_async: false,
                scope: root,
                class: None,
            },
        )];
        while let Some((node, ctx)) = stack.pop() {
            self.visit(node, ctx);
            let kind = node.kind();
            let body = match kind {
                "function_definition" | "class_definition" | "lambda" => {
                    node.child_by_field_name("body").map(|b| b.id())
                }
                _ => None,
            };
            let mut inner = ctx;
            match kind {
                "function_definition" => {
                    inner.in_async = is_async_def(node);
                    inner.scope = node;
                }
                "lambda" => {
                    inner.in_async = false;
                    inner.scope = node;
                }
                "class_definition" => {
                    inner.in_async = false;
                    inner.class = Some(node);
                }
                _ => {}
            }
            let mut cursor = node.walk();
            let children: Vec<Node<'s>> = node.children(&mut cursor).collect();
            for child in children.into_iter().rev() {
                let child_ctx = if Some(child.id()) == body { inner } else { ctx };
                stack.push((child, child_ctx));
            }
        }
        self.findings
    }

    fn add(&mut self, rule: Rule, node: Node<'_>, message: String) {
        let at = self.source.position(node);
        self.findings.push(Finding::new(rule, at, message));
    }

    fn resolve(&self, target: Node<'_>) -> Option<String> {
        self.imports.resolve(self.source, target)
    }

    fn visit(&mut self, node: Node<'s>, ctx: Context<'s>) {
        match node.kind() {
            "call" => self.call(node, ctx.in_async),
            "expression_statement" => self.expression_statement(node, ctx),
            "assignment" => self.assignment(node, ctx),
            "try_statement" if ctx.in_async => self.try_statement(node, ctx),
            _ => {}
        }
    }

    fn call(&mut self, call: Node<'s>, in_async: bool) {
        let Some(target) = call.child_by_field_name("function") else {
            return;
        };
        let qualified = self.resolve(target);
        let name = qualified.as_deref().unwrap_or_default();
        if name == "asyncio.wait_for" && self.python >= TIMEOUT_CONTEXT_MANAGER {
            self.add(
                Rule::WaitForTimeout,
                call,
                format!(
                    "on Python {} `async with asyncio.timeout(delay):` around the awaits \
                     reads better than `asyncio.wait_for(...)` and needs no extra task",
                    self.python
                ),
            );
        }
        if !in_async {
            return;
        }
        if let Some((pattern, message)) = blocking_advice(name) {
            let at = self.source.position(call);
            self.findings.push(Finding::with_pattern(
                Rule::BlockingCall,
                at,
                message,
                pattern,
            ));
        } else if self.reads_whole_file(call, target) {
            let at = self.source.position(call);
            self.findings.push(Finding::with_pattern(
                Rule::BlockingCall,
                at,
                "`open(...).read()` reads the whole file on the event loop's thread; \
                 use `await asyncio.to_thread(path.read_text)` or read in bounded chunks"
                    .into(),
                "to-thread",
            ));
        } else if let Some((line, blocking)) = self.symbols.blocking_helper(self.source, target) {
            let callee = self.source.text_of(target);
            let message = format!(
                "`{callee}()` makes the blocking call `{blocking}()` (line {line}) on the \
                 event loop's thread: `await asyncio.to_thread({callee}, ...)`"
            );
            let at = self.source.position(call);
            self.findings.push(Finding::with_pattern(
                Rule::BlockingCall,
                at,
                message,
                "to-thread",
            ));
        }
        if starts_event_loop(name) {
            self.add(
                Rule::AsyncioRunInAsync,
                call,
                format!(
                    "`{name}()` inside a coroutine raises RuntimeError (a loop is already \
                     running): `await` the coroutine instead"
                ),
            );
        } else if let Some(line) = self.symbols.loop_starter(self.source, target) {
            let callee = self.source.text_of(target);
            self.add(
                Rule::AsyncioRunInAsync,
                call,
                format!(
                    "`{callee}()` calls asyncio.run() (line {line}), which raises \
                     RuntimeError when called from a coroutine: await the coroutine it wraps"
                ),
            );
        }
        if name == "asyncio.get_event_loop" {
            self.add(
                Rule::GetEventLoopInAsync,
                call,
                "inside a coroutine use `asyncio.get_running_loop()`: \
                 `get_event_loop()` is deprecated for this and may create a second loop"
                    .into(),
            );
        }
    }

    /// `open(...).read()` with no size: the size is whatever the file is.
    fn reads_whole_file(&self, call: Node<'_>, target: Node<'_>) -> bool {
        let Some(attr) = target.child_by_field_name("attribute") else {
            return false;
        };
        if !matches!(self.source.text_of(attr), "read" | "readlines") {
            return false;
        }
        let Some(object) = target.child_by_field_name("object") else {
            return false;
        };
        let opens = object.kind() == "call"
            && object
                .child_by_field_name("function")
                .and_then(|f| self.resolve(f))
                .is_some_and(|q| q == "open" || q == "io.open");
        let no_size = call
            .child_by_field_name("arguments")
            .is_some_and(|args| args.named_child_count() == 0);
        opens && no_size
    }

    /// A call whose result is a coroutine: a coroutine function of this file, or one
    /// of the standard library's.
    fn makes_coroutine(&self, call: Node<'_>, class: Option<Node<'_>>) -> Option<String> {
        let target = call.child_by_field_name("function")?;
        if self
            .symbols
            .is_local_coroutine_function(self.source, target, class)
        {
            return Some(self.source.text_of(target).to_string());
        }
        let name = self.resolve(target)?;
        KNOWN_COROUTINE_FUNCTIONS
            .contains(&name.as_str())
            .then_some(name)
    }

    fn expression_statement(&mut self, statement: Node<'s>, ctx: Context<'s>) {
        if statement.named_child_count() != 1 {
            return;
        }
        let Some(call) = statement.named_child(0).filter(|c| c.kind() == "call") else {
            return;
        };
        if let Some(name) = self.makes_coroutine(call, ctx.class) {
            self.add(
                Rule::UnawaitedCoroutine,
                call,
                format!(
                    "`{name}(...)` only creates a coroutine and its result is dropped, so \
                     its body never runs: `await` it (or keep the task from \
                     `asyncio.create_task`)"
                ),
            );
        } else if self.creates_unowned_task(call) {
            self.add(
                Rule::DanglingTask,
                call,
                "the task is created and its reference dropped: the loop keeps only a \
                 weak reference, so it can be garbage-collected mid-flight and its errors \
                 go unseen; keep it (a set plus `add_done_callback(set.discard)`) or use a \
                 TaskGroup"
                    .into(),
            );
        }
    }

    /// `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or `loop.create_task(...)`;
    /// not `tg.create_task(...)`, whose TaskGroup owns the task.
    fn creates_unowned_task(&self, call: Node<'_>) -> bool {
        let Some(target) = call.child_by_field_name("function") else {
            return false;
        };
        if let Some(name) = self.resolve(target) {
            if name == "asyncio.create_task" || name == "asyncio.ensure_future" {
                return true;
            }
        }
        let (Some(object), Some(attr)) = (
            target.child_by_field_name("object"),
            target.child_by_field_name("attribute"),
        ) else {
            return false;
        };
        if self.source.text_of(attr) != "create_task" {
            return false;
        }
        let is_loop_getter = |n: Node<'_>| {
            n.kind() == "call"
                && n.child_by_field_name("function")
                    .and_then(|f| self.resolve(f))
                    .is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "asyncio.get_running_loop"
                                | "asyncio.get_event_loop"
                                | "asyncio.new_event_loop"
                        )
                    })
        };
        let names_a_loop = dotted_name(self.source, object)
            .and_then(|d| d.rsplit('.').next().map(str::to_ascii_lowercase))
            .is_some_and(|last| last.contains("loop"));
        names_a_loop || is_loop_getter(object)
    }

    /// `coro = make_coroutine()` where `coro` is then never awaited nor handed on.
    fn assignment(&mut self, assignment: Node<'s>, ctx: Context<'s>) {
        let (Some(left), Some(right)) = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("right"),
        ) else {
            return;
        };
        if left.kind() != "identifier" || right.kind() != "call" {
            return;
        }
        let Some(callee) = self.makes_coroutine(right, ctx.class) else {
            return;
        };
        let variable = self.source.text_of(left);
        if self.is_handed_on(ctx.scope, variable) {
            return;
        }
        self.add(
            Rule::UnawaitedCoroutine,
            right,
            format!(
                "`{variable}` holds the coroutine from `{callee}(...)` but is never awaited \
                 or passed on, so its body never runs: `{variable} = await {callee}(...)`"
            ),
        );
    }

    fn try_statement(&mut self, statement: Node<'s>, ctx: Context<'s>) {
        let Some(body) = statement.child_by_field_name("body") else {
            return;
        };
        let awaits: Vec<Node<'_>> = Descendants::same_scope(body)
            .filter(|n| n.kind() == "await" || is_async_block(*n))
            .collect();
        if awaits.is_empty() || self.awaits_what_it_cancelled(ctx.scope, &awaits) {
            return;
        }
        let mut cursor = statement.walk();
        let clauses: Vec<Node<'s>> = statement
            .children(&mut cursor)
            .filter(|c| c.kind() == "except_clause")
            .collect();
        for clause in clauses {
            let Some(caught) = self.catches_cancellation(clause) else {
                continue;
            };
            let reraises = Descendants::same_scope(clause).any(|n| n.kind() == "raise_statement");
            if reraises {
                continue;
            }
            self.add(
                Rule::SwallowedCancellation,
                clause,
                format!(
                    "{caught} around an await catches asyncio.CancelledError and does not \
                     re-raise it, so the task cannot be cancelled (timeouts and shutdown \
                     hang): clean up, then `raise`, or catch `Exception`"
                ),
            );
        }
    }

    /// How the clause catches cancellation (`bare except:`, `except BaseException`...),
    /// or `None` when it does not.
    fn catches_cancellation(&self, clause: Node<'_>) -> Option<String> {
        let Some(value) = clause.child_by_field_name("value") else {
            return Some("a bare `except:`".into());
        };
        let types: Vec<Node<'_>> = match value.kind() {
            "tuple" | "parenthesized_expression" => {
                let mut cursor = value.walk();
                value.named_children(&mut cursor).collect()
            }
            _ => vec![value],
        };
        types.into_iter().find_map(|t| {
            let name = self.resolve(t)?;
            let cancels = matches!(
                name.as_str(),
                "BaseException"
                    | "CancelledError"
                    | "asyncio.CancelledError"
                    | "asyncio.exceptions.CancelledError"
            );
            cancels.then(|| format!("`except {}`", self.source.text_of(t)))
        })
    }

    /// The canceller's idiom `task.cancel(); try: await task; except CancelledError:`
    /// expects the error it caused; that is not swallowing.
    fn awaits_what_it_cancelled(&mut self, scope: Node<'s>, awaits: &[Node<'_>]) -> bool {
        let source = self.source;
        let cancelled = self.cancelled.entry(scope.id()).or_insert_with(|| {
            Descendants::all(scope)
                .filter(|n| n.kind() == "call")
                .filter_map(|call| call.child_by_field_name("function"))
                .filter(|f| f.kind() == "attribute")
                .filter(|f| {
                    f.child_by_field_name("attribute")
                        .is_some_and(|a| source.text_of(a) == "cancel")
                })
                .filter_map(|f| dotted_name(source, f.child_by_field_name("object")?))
                .collect()
        });
        awaits
            .iter()
            .filter(|n| n.kind() == "await")
            .filter_map(|n| n.named_child(0))
            .filter_map(|expr| dotted_name(source, expr))
            .any(|name| cancelled.contains(&name))
    }

    /// Is the variable used anywhere in `scope` in a way that could await, schedule,
    /// store or return it? Only looking at it (`type(x)`, `if x:`, `del x`) does not
    /// count. Cached per scope and name, over one index of the scope's identifiers, so
    /// many such assignments stay linear.
    fn is_handed_on(&mut self, scope: Node<'s>, variable: &str) -> bool {
        let key = (scope.id(), variable.to_string());
        if let Some(&known) = self.handed_on.get(&key) {
            return known;
        }
        let source = self.source;
        let index = self.identifiers.entry(scope.id()).or_insert_with(|| {
            let mut index: HashMap<&'a str, Vec<Visit<'s>>> = HashMap::new();
            for visit in Descendants::all(scope).visits() {
                if visit.node.kind() == "identifier" {
                    index
                        .entry(source.text_of(visit.node))
                        .or_default()
                        .push(visit);
                }
            }
            index
        });
        let used = index
            .get(variable)
            .is_some_and(|uses| uses.iter().any(|visit| hands_on(source, visit)));
        self.handed_on.insert(key, used);
        used
    }
}

fn is_async_block(node: Node<'_>) -> bool {
    matches!(node.kind(), "with_statement" | "for_statement")
        && node.child(0).is_some_and(|c| c.kind() == "async")
}

/// Does this occurrence of a coroutine variable await, schedule, store or return it?
fn hands_on(source: &Source<'_>, visit: &Visit<'_>) -> bool {
    let (node, Some(parent)) = (visit.node, visit.parent) else {
        return false;
    };
    let is_field = |field: &str| parent.child_by_field_name(field) == Some(node);
    match parent.kind() {
        // `obj.variable` or `f(variable=...)`: another name that merely matches.
        "attribute" if is_field("attribute") => false,
        "keyword_argument" if is_field("name") => false,
        // Binding or rebinding drops the coroutine rather than using it.
        "assignment" if is_field("left") => false,
        "delete_statement" | "not_operator" | "boolean_operator" | "comparison_operator" => false,
        "if_statement" | "elif_clause" | "while_statement" if is_field("condition") => false,
        "expression_list" => visit
            .grandparent
            .is_none_or(|g| g.kind() != "delete_statement"),
        "argument_list" => !visit
            .grandparent
            .and_then(|call| call.child_by_field_name("function"))
            .is_some_and(|f| f.kind() == "identifier" && INSPECTORS.contains(&source.text_of(f))),
        _ => true,
    }
}
