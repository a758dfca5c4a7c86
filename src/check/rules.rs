//! The rules. One pass over the tree carries whether the code runs in async context
//! (the body of an `async def`, not of a `def`, `lambda` or `class` nested in it), and
//! each node kind a rule cares about is judged where the walk meets it.

use super::calls::{blocking_advice, starts_event_loop, KNOWN_COROUTINE_FUNCTIONS};
use super::finding::{Pending, Rule};
use super::names::dotted_name;
use super::parse::Source;
use super::scope::{Library, Scopes, Target};
use super::symbols::{is_async_def, Calling, Symbols};
use super::walk::{field, kind, walk_scoped, Descendants, Inner, Visit};
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
    scopes: Scopes,
    symbols: Symbols,
    library: Library,
    /// A Python 2 statement the grammar accepted: the file is refused, not checked.
    python2: Option<Node<'s>>,
    comments: Vec<Node<'s>>,
    python: PyVersion,
    findings: Vec<Pending>,
    /// (scope id, variable) -> is the variable awaited or handed on somewhere in it.
    handed_on: HashMap<(usize, String), bool>,
    /// Scope id -> every identifier in it by name, with its parent and grandparent.
    identifiers: HashMap<usize, HashMap<&'a str, Vec<Visit<'s>>>>,
    /// Scope id -> dotted names the scope calls `.cancel()` on.
    cancelled: HashMap<usize, HashSet<String>>,
}

impl<'s, 'a> Checker<'s, 'a> {
    pub fn new(source: &'s Source<'a>, python: PyVersion) -> Self {
        let (scopes, found) = Scopes::collect(source);
        let symbols = Symbols::collect(source, &scopes, &found);
        let library = scopes.library();
        Self {
            source,
            scopes,
            symbols,
            library,
            python2: found.python2,
            comments: found.comments,
            python,
            findings: Vec::new(),
            handed_on: HashMap::new(),
            identifiers: HashMap::new(),
            cancelled: HashMap::new(),
        }
    }

    pub fn python2(&self) -> Option<Node<'s>> {
        self.python2
    }

    /// The file's comments, when it mentions `noqa` at all.
    pub fn comments(&self) -> &[Node<'s>] {
        &self.comments
    }

    pub fn run(mut self) -> Vec<Pending> {
        let root = self.source.root();
        let start = Context {
            in_async: false,
            scope: root,
            class: None,
        };
        walk_scoped(root, start, |node, ctx| {
            self.visit(node, ctx);
            let mut inner = ctx;
            match kind(node) {
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
                _ => return None,
            }
            Some(Inner {
                ctx: inner,
                parameters_too: false,
            })
        });
        self.findings
    }

    fn add(&mut self, rule: Rule, node: Node<'_>, message: String) {
        self.add_with_pattern(rule, node, message, rule.default_pattern());
    }

    fn add_with_pattern(&mut self, rule: Rule, node: Node<'_>, message: String, pattern: &str) {
        self.findings
            .push(Pending::new(rule, node, message, pattern.to_string()));
    }

    fn resolve(&self, target: Node<'_>, scope: Node<'_>) -> Target {
        self.scopes.resolve(self.source, target, scope.id())
    }

    fn asyncio(&self) -> bool {
        self.library == Library::Asyncio
    }

    fn visit(&mut self, node: Node<'s>, ctx: Context<'s>) {
        match kind(node) {
            "call" => self.call(node, ctx),
            "expression_statement" => self.expression_statement(node, ctx),
            "assignment" => self.assignment(node, ctx),
            "try_statement" if ctx.in_async && self.asyncio() => self.try_statement(node, ctx),
            _ => {}
        }
    }

    fn call(&mut self, call: Node<'s>, ctx: Context<'s>) {
        let Some(target) = call.child_by_field_id(field("function").get()) else {
            return;
        };
        if !self.asyncio() {
            // trio and anyio code: their own linters' rules apply (ruff's ASYNC rules),
            // and asyncio's advice would be wrong there.
            return;
        }
        let resolved = self.resolve(target, ctx.scope);
        let name = resolved.qualified().unwrap_or_default().to_string();
        if name == "asyncio.wait_for"
            && self.python >= TIMEOUT_CONTEXT_MANAGER
            && has_timeout(self.source, call)
        {
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
        if !ctx.in_async {
            return;
        }
        let called = self
            .symbols
            .called(&self.scopes, &resolved, self.source, target, ctx.class)
            .filter(|(_, facts)| facts.calling == Calling::Plain)
            .map(|(_, facts)| (facts.blocking.clone(), facts.loop_starter));
        if let Some(advice) = blocking_advice(&name) {
            self.add_with_pattern(advice.rule, call, advice.message, advice.pattern);
        } else if let Some((Some((line, blocking)), _)) = &called {
            let callee = self.source.text_of(target);
            let message = format!(
                "`{callee}()` makes the blocking call `{blocking}()` (line {line}) on the \
                 event loop's thread: `await asyncio.to_thread({callee}, ...)`"
            );
            self.add_with_pattern(Rule::BlockingCall, call, message, "to-thread");
        }
        if starts_event_loop(&resolved) {
            let spelled = resolved.spelling().unwrap_or_default();
            self.add(
                Rule::AsyncioRunInAsync,
                call,
                format!(
                    "`{spelled}()` inside a coroutine raises RuntimeError (a loop is already \
                     running): `await` the coroutine instead"
                ),
            );
        } else if let Some((_, Some(line))) = called {
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
                "inside a coroutine `asyncio.get_event_loop()` returns the running loop \
                 (no warning on any version), but `asyncio.get_running_loop()` says so and \
                 cannot create a second loop when the call is moved out of the coroutine, \
                 where 3.14 raises RuntimeError"
                    .into(),
            );
        }
    }

    /// A call whose result is a coroutine: a coroutine function of this file, or one
    /// of the standard library's.
    fn makes_coroutine(&self, call: Node<'_>, ctx: Context<'_>) -> Option<String> {
        let target = call.child_by_field_id(field("function").get())?;
        let resolved = self.resolve(target, ctx.scope);
        let local = self
            .symbols
            .called(&self.scopes, &resolved, self.source, target, ctx.class);
        if let Some((_, facts)) = local {
            return (facts.calling == Calling::Coroutine)
                .then(|| self.source.text_of(target).to_string());
        }
        let name = resolved.qualified()?;
        (self.asyncio() && KNOWN_COROUTINE_FUNCTIONS.contains(&name)).then(|| name.to_string())
    }

    fn expression_statement(&mut self, statement: Node<'s>, ctx: Context<'s>) {
        if statement.named_child_count() != 1 {
            return;
        }
        let Some(call) = statement.named_child(0).filter(|c| kind(c) == "call") else {
            return;
        };
        if let Some(name) = self.makes_coroutine(call, ctx) {
            self.add(
                Rule::UnawaitedCoroutine,
                call,
                format!(
                    "`{name}(...)` only creates a coroutine and its result is dropped, so \
                     its body never runs: `await` it (or keep the task from \
                     `asyncio.create_task`)"
                ),
            );
        } else if self.creates_unowned_task(call, ctx) {
            self.add(Rule::DanglingTask, call, DANGLING_TASK.into());
        }
    }

    /// `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or `loop.create_task(...)`;
    /// not `tg.create_task(...)`, whose TaskGroup owns the task.
    fn creates_unowned_task(&self, call: Node<'_>, ctx: Context<'_>) -> bool {
        if !self.asyncio() {
            return false;
        }
        let Some(target) = call.child_by_field_id(field("function").get()) else {
            return false;
        };
        if let Some(name) = self.resolve(target, ctx.scope).qualified() {
            if name == "asyncio.create_task" || name == "asyncio.ensure_future" {
                return true;
            }
        }
        let (Some(object), Some(attr)) = (
            target.child_by_field_id(field("object").get()),
            target.child_by_field_id(field("attribute").get()),
        ) else {
            return false;
        };
        if self.source.text_of(attr) != "create_task" {
            return false;
        }
        let is_loop_getter = |n: Node<'_>| {
            kind(n) == "call"
                && n.child_by_field_id(field("function").get())
                    .map(|f| self.resolve(f, ctx.scope))
                    .is_some_and(|t| {
                        matches!(
                            t.qualified(),
                            Some(
                                "asyncio.get_running_loop"
                                    | "asyncio.get_event_loop"
                                    | "asyncio.new_event_loop"
                            )
                        )
                    })
        };
        let names_a_loop = dotted_name(self.source, object)
            .and_then(|d| d.rsplit('.').next().map(str::to_ascii_lowercase))
            .is_some_and(|last| last.contains("loop"));
        names_a_loop || is_loop_getter(object)
    }

    /// `coro = make_coroutine()` where `coro` is then never awaited nor handed on, and
    /// `task = asyncio.create_task(...)` where `task` is never used again: a task kept
    /// only in a local nobody reads is as unowned as one never stored.
    fn assignment(&mut self, assignment: Node<'s>, ctx: Context<'s>) {
        let (Some(left), Some(right)) = (
            assignment.child_by_field_id(field("left").get()),
            assignment.child_by_field_id(field("right").get()),
        ) else {
            return;
        };
        if kind(left) != "identifier" || kind(right) != "call" {
            return;
        }
        let variable = self.source.text_of(left);
        if let Some(callee) = self.makes_coroutine(right, ctx) {
            if self.is_handed_on(ctx.scope, variable) {
                return;
            }
            self.add(
                Rule::UnawaitedCoroutine,
                right,
                format!(
                    "`{variable}` holds the coroutine from `{callee}(...)` but is never \
                     awaited or passed on, so its body never runs: \
                     `{variable} = await {callee}(...)`"
                ),
            );
        } else if ctx.in_async
            && self.creates_unowned_task(right, ctx)
            && self.uses_of(ctx.scope, variable) <= 1
        {
            self.add(Rule::DanglingTask, right, DANGLING_TASK.into());
        }
    }

    fn try_statement(&mut self, statement: Node<'s>, ctx: Context<'s>) {
        let Some(body) = statement.child_by_field_id(field("body").get()) else {
            return;
        };
        let awaits: Vec<Node<'_>> = Descendants::same_scope(body)
            .filter(|n| (n.is_named() && kind(n) == "await") || is_async_block(*n))
            .collect();
        if awaits.is_empty() || self.awaits_only_what_it_cancelled(ctx.scope, &awaits) {
            return;
        }
        let mut cursor = statement.walk();
        let clauses: Vec<Node<'s>> = statement
            .children(&mut cursor)
            .filter(|c| kind(c) == "except_clause")
            .collect();
        for clause in clauses {
            let Some(caught) = self.catches_cancellation(clause, ctx.scope) else {
                continue;
            };
            if self.reraises(clause, ctx.scope) || self.hands_on_exception(clause) {
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

    /// A `raise`, or a call that always raises (`pytest.fail`, `sys.exit`), in the
    /// handler's own scope.
    fn reraises(&self, clause: Node<'_>, scope: Node<'_>) -> bool {
        Descendants::same_scope(clause).any(|n| {
            kind(n) == "raise_statement"
                || (kind(n) == "call"
                    && n.child_by_field_id(field("function").get())
                        .is_some_and(|f| {
                            matches!(
                                self.resolve(f, scope).qualified(),
                                Some(
                                    "pytest.fail"
                                        | "pytest.skip"
                                        | "pytest.xfail"
                                        | "sys.exit"
                                        | "os._exit"
                                )
                            )
                        }))
        })
    }

    /// `except BaseException as exc:` that stores or passes `exc` on (a future's
    /// `set_exception(exc)`, a list of errors raised later, `exc_val = exc`): the
    /// cancellation travels to whoever reads it, as in asgiref's and anyio's
    /// task-to-future bridges. Only logging or printing it does not count.
    fn hands_on_exception(&self, clause: Node<'_>) -> bool {
        let alias = clause.child_by_field_id(field("alias").get()).or_else(|| {
            let mut cursor = clause.walk();
            let alias = clause
                .children_by_field_id(field("value"), &mut cursor)
                .find(|v| kind(v) == "as_pattern")
                .and_then(|v| v.child_by_field_id(field("alias").get()));
            alias
        });
        let Some(name) = alias.and_then(|a| Descendants::all(a).find(|n| kind(n) == "identifier"))
        else {
            return false;
        };
        let name_text = self.source.text_of(name);
        let mut cursor = clause.walk();
        let Some(body) = clause
            .named_children(&mut cursor)
            .find(|b| kind(b) == "block")
        else {
            return false;
        };
        let logging: Vec<std::ops::Range<usize>> = Descendants::same_scope(body)
            .filter(|n| kind(n) == "call")
            .filter(|call| {
                call.child_by_field_id(field("function").get())
                    .is_some_and(|f| {
                        let text = self.source.text_of(f);
                        let last = text.rsplit('.').next().unwrap_or(text);
                        LOGGING_CALLS.contains(&last)
                    })
            })
            .map(|call| call.byte_range())
            .collect();
        Descendants::same_scope(body).any(|n| {
            kind(n) == "identifier"
                && self.source.text_of(n) == name_text
                && !logging.iter().any(|r| r.contains(&n.start_byte()))
        })
    }

    /// How the clause catches cancellation (`bare except:`, `except BaseException`...),
    /// or `None` when it does not. `except X as name` and `except (X, Y)` are unwrapped.
    fn catches_cancellation(&self, clause: Node<'_>, scope: Node<'_>) -> Option<String> {
        let mut cursor = clause.walk();
        let values: Vec<Node<'_>> = clause
            .children_by_field_id(field("value"), &mut cursor)
            .collect();
        if values.is_empty() {
            return Some("a bare `except:`".into());
        }
        let mut types = Vec::new();
        let mut pending = values;
        while let Some(value) = pending.pop() {
            match kind(value) {
                "as_pattern" => pending.extend(value.named_child(0)),
                "tuple" | "parenthesized_expression" => {
                    let mut cursor = value.walk();
                    pending.extend(value.named_children(&mut cursor));
                }
                _ => types.push(value),
            }
        }
        types.into_iter().find_map(|t| {
            let resolved = self.resolve(t, scope);
            let cancels = matches!(
                resolved.qualified(),
                Some(
                    "BaseException"
                        | "asyncio.CancelledError"
                        | "asyncio.exceptions.CancelledError"
                        | "concurrent.futures.CancelledError"
                )
            );
            cancels.then(|| format!("`except {}`", self.source.text_of(t)))
        })
    }

    /// The canceller's idiom: `task.cancel()`, then `await task` (or
    /// `await asyncio.wait_for(task, t)`, `gather(task)`, `wait([task])`) in a try that
    /// catches the CancelledError it caused. Exempt only when *every* await in the try
    /// body is such an await: any other await could be the current task's own
    /// cancellation, and catching that swallows it.
    fn awaits_only_what_it_cancelled(&mut self, scope: Node<'s>, awaits: &[Node<'_>]) -> bool {
        let source = self.source;
        let cancelled = self.cancelled.entry(scope.id()).or_insert_with(|| {
            Descendants::all(scope)
                .filter(|n| kind(n) == "call")
                .filter_map(|call| call.child_by_field_id(field("function").get()))
                .filter(|f| kind(f) == "attribute")
                .filter(|f| {
                    f.child_by_field_id(field("attribute").get())
                        .is_some_and(|a| source.text_of(a) == "cancel")
                })
                .filter_map(|f| dotted_name(source, f.child_by_field_id(field("object").get())?))
                .collect()
        });
        if cancelled.is_empty() {
            return false;
        }
        awaits.iter().all(|n| {
            let tasks = match kind(n) {
                "await" => n
                    .named_child(0)
                    .map(|expr| awaited_tasks(source, expr))
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            !tasks.is_empty() && tasks.iter().all(|name| cancelled.contains(name))
        })
    }

    /// Every identifier in `scope` (nested scopes included, for closures) by name, with
    /// its parent and grandparent; built once per scope so many lookups stay linear.
    fn index(&mut self, scope: Node<'s>) -> &HashMap<&'a str, Vec<Visit<'s>>> {
        let source = self.source;
        self.identifiers.entry(scope.id()).or_insert_with(|| {
            let mut index: HashMap<&'a str, Vec<Visit<'s>>> = HashMap::new();
            for visit in Descendants::all(scope).visits() {
                if kind(visit.node) == "identifier" {
                    index
                        .entry(source.text_of(visit.node))
                        .or_default()
                        .push(visit);
                }
            }
            index
        })
    }

    /// How many times `variable` occurs in `scope` (its own binding included).
    fn uses_of(&mut self, scope: Node<'s>, variable: &str) -> usize {
        self.index(scope).get(variable).map_or(0, Vec::len)
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
        let index = self.index(scope);
        let used = index
            .get(variable)
            .is_some_and(|uses| uses.iter().any(|visit| hands_on(source, visit)));
        self.handed_on.insert(key, used);
        used
    }
}

/// Calls that only record an exception (its use there does not hand it on).
const LOGGING_CALLS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "print",
    "print_exc",
    "format_exc",
    "print_exception",
    "format_exception",
];

const DANGLING_TASK: &str = "the task is created and no reference to it is kept: the loop \
    keeps only a weak reference, so it can be garbage-collected mid-flight and its errors go \
    unseen; keep it (a set plus `add_done_callback(set.discard)`) or use a TaskGroup";

/// `wait_for(x)` / `wait_for(x, None)` / `wait_for(x, timeout=None)` set no deadline, so
/// there is nothing to move to `asyncio.timeout`.
fn has_timeout(source: &Source<'_>, call: Node<'_>) -> bool {
    let Some(args) = call.child_by_field_id(field("arguments").get()) else {
        return false;
    };
    let mut cursor = args.walk();
    let args: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    let keyword = args.iter().find_map(|a| {
        (kind(a) == "keyword_argument"
            && a.child_by_field_id(field("name").get())
                .is_some_and(|n| source.text_of(n) == "timeout"))
        .then(|| a.child_by_field_id(field("value").get()))
        .flatten()
    });
    let positional = args
        .iter()
        .filter(|a| kind(*a) != "keyword_argument")
        .nth(1)
        .copied();
    keyword
        .or(positional)
        .is_some_and(|timeout| kind(timeout) != "none")
}

/// The dotted names of the tasks an awaited expression waits for: `task`, or the task
/// arguments of `asyncio.wait_for(task, t)`, `asyncio.gather(a, b)`,
/// `asyncio.wait([a, b])`, `asyncio.shield(task)`.
fn awaited_tasks(source: &Source<'_>, expr: Node<'_>) -> Vec<String> {
    if let Some(name) = dotted_name(source, expr) {
        return vec![name];
    }
    if kind(expr) != "call" {
        return Vec::new();
    }
    let function = expr
        .child_by_field_id(field("function").get())
        .and_then(|f| dotted_name(source, f))
        .unwrap_or_default();
    let last = function.rsplit('.').next().unwrap_or_default();
    let Some(args) = expr.child_by_field_id(field("arguments").get()) else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    let positional: Vec<Node<'_>> = args
        .named_children(&mut cursor)
        .filter(|a| kind(a) != "keyword_argument")
        .collect();
    let tasks: Vec<Node<'_>> = match last {
        "wait_for" | "shield" => positional.into_iter().take(1).collect(),
        "gather" => positional,
        "wait" => positional
            .first()
            .filter(|a| matches!(kind(*a), "list" | "set" | "tuple"))
            .map(|a| {
                let mut cursor = a.walk();
                a.named_children(&mut cursor).collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let names: Vec<String> = tasks
        .iter()
        .filter_map(|t| dotted_name(source, *t))
        .collect();
    if names.len() == tasks.len() {
        names
    } else {
        Vec::new()
    }
}

fn is_async_block(node: Node<'_>) -> bool {
    matches!(kind(node), "with_statement" | "for_statement")
        && node.child(0).is_some_and(|c| kind(c) == "async")
}

/// Does this occurrence of a coroutine variable await, schedule, store or return it?
fn hands_on(source: &Source<'_>, visit: &Visit<'_>) -> bool {
    let (node, Some(parent)) = (visit.node, visit.parent) else {
        return false;
    };
    let is_field = |field: &str| parent.child_by_field_name(field) == Some(node);
    match kind(parent) {
        // `obj.variable` or `f(variable=...)`: another name that merely matches.
        "attribute" if is_field("attribute") => false,
        "keyword_argument" if is_field("name") => false,
        // Binding or rebinding drops the coroutine rather than using it.
        "assignment" if is_field("left") => false,
        "delete_statement" | "not_operator" | "boolean_operator" | "comparison_operator" => false,
        "if_statement" | "elif_clause" | "while_statement" if is_field("condition") => false,
        "expression_list" => visit
            .grandparent
            .is_none_or(|g| kind(g) != "delete_statement"),
        "argument_list" => !visit
            .grandparent
            .and_then(|call| call.child_by_field_id(field("function").get()))
            .is_some_and(|f| kind(f) == "identifier" && INSPECTORS.contains(&source.text_of(f))),
        _ => true,
    }
}
