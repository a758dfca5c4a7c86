//! The rules. One pass over the tree carries whether the code runs in async context
//! (the body of an `async def`, not of a `def`, `lambda` or `class` nested in it), and
//! each node kind a rule cares about is judged where the walk meets it.

use super::calls::{blocking_advice, starts_event_loop, KNOWN_COROUTINE_FUNCTIONS};
use super::finding::{Pending, Rule};
use super::names::dotted_name;
use super::parse::Source;
use super::scope::{Library, Scopes, Target};
use super::symbols::{Calling, Symbols};
use super::walk::{id, same_scope, same_scope_handler, Node, NodeId, MODULE};
use crate::catalog::PyVersion;
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{
    ExceptHandler, ExceptHandlerExceptHandler, Expr, ExprCall, ExprLambda, Identifier, Keyword,
    Stmt, StmtFunctionDef, StmtTry,
};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Functions that take their argument as a value without running or keeping it, so
/// handing them a coroutine does not count as passing it on.
const INSPECTORS: &[&str] = &["type", "bool", "print", "repr", "str", "id", "isinstance"];

/// The first Python where `asyncio.timeout` exists.
const TIMEOUT_CONTEXT_MANAGER: PyVersion = PyVersion::new(3, 11);

/// The function, lambda or module whose scope code runs in.
#[derive(Clone, Copy)]
enum ScopeNode<'t> {
    Module(&'t [Stmt]),
    Function(&'t StmtFunctionDef),
    Lambda(&'t ExprLambda),
}

impl ScopeNode<'_> {
    fn id(self) -> NodeId {
        match self {
            ScopeNode::Module(_) => MODULE,
            ScopeNode::Function(def) => id(def),
            ScopeNode::Lambda(lambda) => id(lambda),
        }
    }
}

/// Where a node sits, carried down the walk.
#[derive(Clone, Copy)]
struct Context<'t> {
    /// In the body of an `async def`, not inside a nested `def`, `lambda` or `class`.
    in_async: bool,
    /// The innermost function or lambda around the node, or the module.
    scope: ScopeNode<'t>,
    /// The innermost class around the node, for `self.method()`.
    class: Option<NodeId>,
}

/// What one scope's code (nested scopes included, for closures) does with names: built
/// once per scope, on first need, so many look-ups stay linear.
#[derive(Default)]
struct ScopeIndex {
    /// Name -> how many identifiers spell it, and whether one of them awaits, schedules,
    /// stores or returns what it holds.
    names: HashMap<String, (usize, bool)>,
    /// Dotted names the scope calls `.cancel()` on.
    cancelled: HashSet<String>,
}

pub struct Checker<'s, 'a> {
    source: &'s Source<'a>,
    scopes: Scopes,
    symbols: Symbols,
    library: Library,
    python: PyVersion,
    python2_print: Option<usize>,
    findings: Vec<Pending>,
    indexes: HashMap<NodeId, ScopeIndex>,
}

impl<'s, 'a> Checker<'s, 'a> {
    pub fn new(source: &'s Source<'a>, python: PyVersion) -> Self {
        let (scopes, found) = Scopes::collect(source, source.body());
        let symbols = Symbols::collect(source, &scopes, &found.defs);
        let library = scopes.library();
        Self {
            source,
            scopes,
            symbols,
            library,
            python,
            python2_print: found.python2_print,
            findings: Vec::new(),
            indexes: HashMap::default(),
        }
    }

    /// Where a Python 2 `print >>f, x` statement starts: the file is refused, not checked.
    pub fn python2_print(&self) -> Option<usize> {
        self.python2_print
    }

    pub fn run(self) -> Vec<Pending> {
        let source = self.source;
        let mut walk = RuleWalk {
            checker: self,
            ctx: Context {
                in_async: false,
                scope: ScopeNode::Module(source.body()),
                class: None,
            },
        };
        walk.visit_body(source.body());
        walk.checker.findings
    }

    fn add(&mut self, rule: Rule, at: impl Ranged, message: String) {
        self.add_with_pattern(rule, at, message, rule.default_pattern());
    }

    fn add_with_pattern(&mut self, rule: Rule, at: impl Ranged, message: String, pattern: &str) {
        let offset = at.start().to_usize();
        self.findings.push(Pending::new(
            rule,
            self.source,
            offset,
            message,
            pattern.to_string(),
        ));
    }

    fn resolve(&self, target: &Expr, scope: ScopeNode<'_>) -> Target {
        self.scopes.resolve(self.source, target, scope.id())
    }

    fn asyncio(&self) -> bool {
        self.library == Library::Asyncio
    }

    fn visit_stmt(&mut self, stmt: &'s Stmt, ctx: Context<'s>) {
        match stmt {
            Stmt::Expr(statement) => {
                if let Expr::Call(call) = statement.value.as_ref() {
                    self.expression_statement(call, ctx);
                }
            }
            // `a = b = f()`: the target nearest the value holds it.
            Stmt::Assign(assign) => {
                if let Some(target) = assign.targets.last() {
                    self.assignment(target, &assign.value, ctx);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.assignment(&assign.target, value, ctx);
                }
            }
            // `except*` groups are left alone: their handlers see an ExceptionGroup.
            Stmt::Try(statement) if ctx.in_async && self.asyncio() && !statement.is_star => {
                self.try_statement(statement, ctx);
            }
            _ => {}
        }
    }

    fn call(&mut self, call: &'s ExprCall, ctx: Context<'s>) {
        if !self.asyncio() {
            // trio and anyio code: their own linters' rules apply (ruff's ASYNC rules),
            // and asyncio's advice would be wrong there.
            return;
        }
        let target = call.func.as_ref();
        let resolved = self.resolve(target, ctx.scope);
        let name = resolved.qualified().unwrap_or_default().to_string();
        if name == "asyncio.wait_for" && self.python >= TIMEOUT_CONTEXT_MANAGER && has_timeout(call)
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
            .called(&self.scopes, &resolved, target, ctx.class)
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
    fn makes_coroutine(&self, call: &ExprCall, ctx: Context<'_>) -> Option<String> {
        let target = call.func.as_ref();
        let resolved = self.resolve(target, ctx.scope);
        let local = self
            .symbols
            .called(&self.scopes, &resolved, target, ctx.class);
        if let Some((_, facts)) = local {
            return (facts.calling == Calling::Coroutine)
                .then(|| self.source.text_of(target).to_string());
        }
        let name = resolved.qualified()?;
        (self.asyncio() && KNOWN_COROUTINE_FUNCTIONS.contains(&name)).then(|| name.to_string())
    }

    fn expression_statement(&mut self, call: &ExprCall, ctx: Context<'s>) {
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
    fn creates_unowned_task(&self, call: &ExprCall, ctx: Context<'_>) -> bool {
        if !self.asyncio() {
            return false;
        }
        let target = call.func.as_ref();
        if let Some(name) = self.resolve(target, ctx.scope).qualified() {
            if name == "asyncio.create_task" || name == "asyncio.ensure_future" {
                return true;
            }
        }
        let Expr::Attribute(attribute) = target else {
            return false;
        };
        if attribute.attr.as_str() != "create_task" {
            return false;
        }
        let object = attribute.value.as_ref();
        let is_loop_getter = match object {
            Expr::Call(getter) => matches!(
                self.resolve(&getter.func, ctx.scope).qualified(),
                Some(
                    "asyncio.get_running_loop"
                        | "asyncio.get_event_loop"
                        | "asyncio.new_event_loop"
                )
            ),
            _ => false,
        };
        let names_a_loop = dotted_name(object)
            .and_then(|d| d.rsplit('.').next().map(str::to_ascii_lowercase))
            .is_some_and(|last| last.contains("loop"));
        names_a_loop || is_loop_getter
    }

    /// `coro = make_coroutine()` where `coro` is then never awaited nor handed on, and
    /// `task = asyncio.create_task(...)` where `task` is never used again: a task kept
    /// only in a local nobody reads is as unowned as one never stored.
    fn assignment(&mut self, target: &Expr, value: &Expr, ctx: Context<'s>) {
        let (Expr::Name(variable), Expr::Call(call)) = (target, value) else {
            return;
        };
        let variable = variable.id.as_str();
        if let Some(callee) = self.makes_coroutine(call, ctx) {
            if self
                .index(ctx.scope)
                .names
                .get(variable)
                .is_some_and(|n| n.1)
            {
                return;
            }
            self.add(
                Rule::UnawaitedCoroutine,
                call,
                format!(
                    "`{variable}` holds the coroutine from `{callee}(...)` but is never \
                     awaited or passed on, so its body never runs: \
                     `{variable} = await {callee}(...)`"
                ),
            );
        } else if ctx.in_async
            && self.creates_unowned_task(call, ctx)
            && self.index(ctx.scope).names.get(variable).map_or(0, |n| n.0) <= 1
        {
            self.add(Rule::DanglingTask, call, DANGLING_TASK.into());
        }
    }

    fn try_statement(&mut self, statement: &'s StmtTry, ctx: Context<'s>) {
        // `Some(awaited)` for an `await`, `None` for an `async with` or `async for`.
        let mut awaits: Vec<Option<&Expr>> = Vec::new();
        same_scope(&statement.body, |node| match node {
            Node::Expr(Expr::Await(await_)) => awaits.push(Some(&await_.value)),
            Node::Stmt(Stmt::With(with)) if with.is_async => awaits.push(None),
            Node::Stmt(Stmt::For(for_)) if for_.is_async => awaits.push(None),
            _ => {}
        });
        if awaits.is_empty() || self.awaits_only_what_it_cancelled(ctx.scope, &awaits) {
            return;
        }
        for handler in &statement.handlers {
            let ExceptHandler::ExceptHandler(clause) = handler;
            let Some(caught) = self.catches_cancellation(clause, ctx.scope) else {
                continue;
            };
            if self.reraises(handler, ctx.scope) || self.hands_on_exception(clause) {
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
    fn reraises(&self, handler: &ExceptHandler, scope: ScopeNode<'_>) -> bool {
        let mut found = false;
        same_scope_handler(handler, |node| match node {
            Node::Stmt(Stmt::Raise(_)) => found = true,
            Node::Expr(Expr::Call(call)) if !found => {
                found = matches!(
                    self.resolve(&call.func, scope).qualified(),
                    Some("pytest.fail" | "pytest.skip" | "pytest.xfail" | "sys.exit" | "os._exit")
                );
            }
            _ => {}
        });
        found
    }

    /// `except BaseException as exc:` that stores or passes `exc` on (a future's
    /// `set_exception(exc)`, a list of errors raised later, `exc_val = exc`): the
    /// cancellation travels to whoever reads it, as in asgiref's and anyio's
    /// task-to-future bridges. Only logging or printing it does not count.
    fn hands_on_exception(&self, clause: &ExceptHandlerExceptHandler) -> bool {
        let Some(name) = &clause.name else {
            return false;
        };
        let name = name.as_str();
        let source = self.source;
        let mut logging: Vec<TextRange> = Vec::new();
        let mut uses: Vec<TextRange> = Vec::new();
        same_scope(&clause.body, |node| match node {
            Node::Expr(Expr::Call(call)) => {
                let text = source.text_of(call.func.as_ref());
                let last = text.rsplit('.').next().unwrap_or(text);
                if LOGGING_CALLS.contains(&last) {
                    logging.push(call.range());
                }
                let keywords = call.arguments.keywords.iter();
                uses.extend(keywords.filter_map(|k| named(k.arg.as_ref(), name)));
            }
            Node::Expr(Expr::Name(n)) if n.id.as_str() == name => uses.push(n.range),
            Node::Expr(Expr::Attribute(a)) => uses.extend(named(Some(&a.attr), name)),
            _ => {}
        });
        uses.iter()
            .any(|u| !logging.iter().any(|l| l.contains_range(*u)))
    }

    /// How the clause catches cancellation (`bare except:`, `except BaseException`...),
    /// or `None` when it does not. `except (X, Y)` is unwrapped.
    fn catches_cancellation(
        &self,
        clause: &ExceptHandlerExceptHandler,
        scope: ScopeNode<'_>,
    ) -> Option<String> {
        let Some(caught) = &clause.type_ else {
            return Some("a bare `except:`".into());
        };
        let mut types = Vec::new();
        let mut pending = vec![caught.as_ref()];
        while let Some(value) = pending.pop() {
            match value {
                Expr::Tuple(tuple) => pending.extend(tuple.elts.iter()),
                other => types.push(other),
            }
        }
        types.into_iter().find_map(|t| {
            let cancels = matches!(
                self.resolve(t, scope).qualified(),
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
    fn awaits_only_what_it_cancelled(
        &mut self,
        scope: ScopeNode<'s>,
        awaits: &[Option<&Expr>],
    ) -> bool {
        let cancelled = &self.index(scope).cancelled;
        if cancelled.is_empty() {
            return false;
        }
        awaits.iter().all(|awaited| {
            let tasks = awaited.map(awaited_tasks).unwrap_or_default();
            !tasks.is_empty() && tasks.iter().all(|name| cancelled.contains(name))
        })
    }

    fn index(&mut self, scope: ScopeNode<'s>) -> &ScopeIndex {
        self.indexes.entry(scope.id()).or_insert_with(|| {
            let mut walk = IndexWalk::default();
            match scope {
                ScopeNode::Module(body) => walk.visit_body(body),
                ScopeNode::Function(def) => {
                    walk.visit_identifier(&def.name);
                    if let Some(type_params) = &def.type_params {
                        walk.visit_type_params(type_params);
                    }
                    walk.visit_parameters(&def.parameters);
                    if let Some(returns) = &def.returns {
                        walk.visit_annotation(returns);
                    }
                    walk.visit_body(&def.body);
                }
                ScopeNode::Lambda(lambda) => {
                    if let Some(parameters) = &lambda.parameters {
                        walk.visit_parameters(parameters);
                    }
                    walk.visit_expr(&lambda.body);
                }
            }
            walk.index
        })
    }
}

/// The rule pass: the checker's judgements at each node, with the context it runs in.
struct RuleWalk<'s, 'a> {
    checker: Checker<'s, 'a>,
    ctx: Context<'s>,
}

impl<'s> RuleWalk<'s, '_> {
    fn within(&mut self, ctx: Context<'s>, inner: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.ctx, ctx);
        inner(self);
        self.ctx = outer;
    }
}

impl<'s> SourceOrderVisitor<'s> for RuleWalk<'s, '_> {
    fn visit_stmt(&mut self, stmt: &'s Stmt) {
        self.checker.visit_stmt(stmt, self.ctx);
        match stmt {
            // Decorators, defaults, annotations and bases run where the statement is;
            // only the body runs in the new context.
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = &def.type_params {
                    self.visit_type_params(type_params);
                }
                self.visit_parameters(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                let inner = Context {
                    in_async: def.is_async,
                    scope: ScopeNode::Function(def),
                    ..self.ctx
                };
                self.within(inner, |walk| walk.visit_body(&def.body));
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = &class.type_params {
                    self.visit_type_params(type_params);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                let inner = Context {
                    in_async: false,
                    class: Some(id(class)),
                    ..self.ctx
                };
                self.within(inner, |walk| walk.visit_body(&class.body));
            }
            _ => source_order::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'s Expr) {
        match expr {
            Expr::Call(call) => self.checker.call(call, self.ctx),
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters(parameters);
                }
                let inner = Context {
                    in_async: false,
                    scope: ScopeNode::Lambda(lambda),
                    ..self.ctx
                };
                self.within(inner, |walk| walk.visit_expr(&lambda.body));
                return;
            }
            _ => {}
        }
        source_order::walk_expr(self, expr);
    }
}

/// Builds a [`ScopeIndex`]: every identifier, and whether its place hands on what it
/// names. Names in places that only look at the value (`if x:`, `not x`, `del x`,
/// `print(x)`) or rebind it (`x = ...`), and attribute or keyword names that merely
/// spell the same, do not.
#[derive(Default)]
struct IndexWalk {
    index: ScopeIndex,
    /// Name expressions whose place only looks at or rebinds the value.
    quiet: HashSet<NodeId>,
}

impl IndexWalk {
    fn record(&mut self, name: &str, hands_on: bool) {
        let entry = self.index.names.entry(name.to_string()).or_default();
        entry.0 += 1;
        entry.1 |= hands_on;
    }

    fn quiet<'e>(&mut self, exprs: impl IntoIterator<Item = &'e Expr>) {
        for expr in exprs {
            if expr.is_name_expr() {
                self.quiet.insert(id(expr));
            }
        }
    }
}

impl<'t> SourceOrderVisitor<'t> for IndexWalk {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        match stmt {
            Stmt::Assign(assign) => self.quiet(&assign.targets),
            Stmt::AnnAssign(assign) => self.quiet([assign.target.as_ref()]),
            Stmt::Delete(delete) => self.quiet(&delete.targets),
            Stmt::If(statement) => {
                self.quiet([statement.test.as_ref()]);
                self.quiet(
                    statement
                        .elif_else_clauses
                        .iter()
                        .filter_map(|c| c.test.as_ref()),
                );
            }
            Stmt::While(statement) => self.quiet([statement.test.as_ref()]),
            _ => {}
        }
        source_order::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        match expr {
            Expr::Name(name) => {
                let hands_on = !self.quiet.contains(&id(expr));
                self.record(name.id.as_str(), hands_on);
                return;
            }
            Expr::Attribute(attribute) => {
                self.visit_expr(&attribute.value);
                self.record(attribute.attr.as_str(), false);
                return;
            }
            Expr::UnaryOp(unary) if unary.op.is_not() => self.quiet([unary.operand.as_ref()]),
            Expr::BoolOp(boolean) => self.quiet(&boolean.values),
            Expr::Compare(compare) => {
                self.quiet([compare.left.as_ref()]);
                self.quiet(&compare.comparators);
            }
            Expr::Call(call) => {
                if let Expr::Attribute(attribute) = call.func.as_ref() {
                    if attribute.attr.as_str() == "cancel" {
                        if let Some(task) = dotted_name(&attribute.value) {
                            self.index.cancelled.insert(task);
                        }
                    }
                }
                let inspects = matches!(
                    call.func.as_ref(),
                    Expr::Name(f) if INSPECTORS.contains(&f.id.as_str())
                );
                if inspects {
                    self.quiet(&call.arguments.args);
                }
            }
            _ => {}
        }
        source_order::walk_expr(self, expr);
    }

    fn visit_keyword(&mut self, keyword: &'t Keyword) {
        if let Some(arg) = &keyword.arg {
            self.record(arg.as_str(), false);
        }
        self.visit_expr(&keyword.value);
    }

    fn visit_identifier(&mut self, identifier: &'t Identifier) {
        // `import a.b` spells two names.
        for part in identifier.as_str().split('.') {
            self.record(part, true);
        }
    }
}

fn named(identifier: Option<&Identifier>, name: &str) -> Option<TextRange> {
    identifier.filter(|i| i.as_str() == name).map(|i| i.range)
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
fn has_timeout(call: &ExprCall) -> bool {
    let arguments = &call.arguments;
    let keyword = arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "timeout"))
        .map(|k| &k.value);
    // Positional in source order; a `**kwargs` may hold the timeout too.
    let mut positional: Vec<&Expr> = arguments.args.iter().collect();
    positional.extend(
        arguments
            .keywords
            .iter()
            .filter(|k| k.arg.is_none())
            .map(|k| &k.value),
    );
    positional.sort_by_key(|e| e.start());
    keyword
        .or(positional.get(1).copied())
        .is_some_and(|timeout| !timeout.is_none_literal_expr())
}

/// The dotted names of the tasks an awaited expression waits for: `task`, or the task
/// arguments of `asyncio.wait_for(task, t)`, `asyncio.gather(a, b)`,
/// `asyncio.wait([a, b])`, `asyncio.shield(task)`.
fn awaited_tasks(expr: &Expr) -> Vec<String> {
    if let Some(name) = dotted_name(expr) {
        return vec![name];
    }
    let Expr::Call(call) = expr else {
        return Vec::new();
    };
    let function = dotted_name(&call.func).unwrap_or_default();
    let last = function.rsplit('.').next().unwrap_or_default();
    let positional = &call.arguments.args;
    let splats = call.arguments.keywords.iter().filter(|k| k.arg.is_none());
    let tasks: Vec<&Expr> = match last {
        "wait_for" | "shield" => positional.iter().take(1).collect(),
        "gather" => positional.iter().chain(splats.map(|k| &k.value)).collect(),
        "wait" => match positional.first() {
            Some(Expr::List(list)) => list.elts.iter().collect(),
            Some(Expr::Set(set)) => set.elts.iter().collect(),
            Some(Expr::Tuple(tuple)) => tuple.elts.iter().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let names: Vec<String> = tasks.iter().filter_map(|t| dotted_name(t)).collect();
    if names.len() == tasks.len() {
        names
    } else {
        Vec::new()
    }
}
