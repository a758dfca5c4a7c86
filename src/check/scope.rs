//! What a name means where it is used. Python resolves a name in the innermost function
//! that binds it, then in the enclosing functions, then in the module (class bodies are
//! skipped), so a parameter called `fetch` hides a module-level `def fetch():`, and an
//! import inside a function binds only there. Rules that judged every `fetch(...)` by the
//! module-level function reported the pytest-fixture pattern
//! (`def test(fetch): fetch()`) as a blocking call; resolving by scope removes that
//! whole family of false positives.
//!
//! Each scope records how its names are bound: by an import (we know the dotted name),
//! by a `def` (we know the function), by a call of a constructor we know the blocking
//! methods of (`requests.Session()`), or any other way (a parameter, an assignment, a
//! loop variable: we know nothing about the value).

use super::names::dotted_name;
use super::parse::Source;
use super::walk::{id, NodeId, MODULE};
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{
    Comprehension, ExceptHandler, Expr, Identifier, Operator, Parameters, Stmt, StmtFunctionDef,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Constructors whose instances make blocking calls: `requests.Session().get(...)` waits
/// for the network just as `requests.get(...)` does.
const BLOCKING_CLIENTS: &[&str] = &[
    "requests.Session",
    "requests.session",
    "requests.sessions.Session",
    "httpx.Client",
    "urllib3.PoolManager",
    "pathlib.Path",
    "pathlib.PurePath",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `import a.b as c`, `from a import b as c`: the dotted name it stands for.
    Import(String),
    /// `def` or `async def` in this scope: the definition node's id.
    Function(NodeId),
    /// Assigned from a call of one of [`BLOCKING_CLIENTS`] (or used as its `with` target):
    /// the constructor's dotted name.
    Instance(String),
    /// A parameter, an assignment, a loop or `except ... as` target, a class, or a name
    /// bound two different ways: the value is unknown.
    Unknown,
}

/// What a call's target stands for once names are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A dotted name through imports (`asyncio.sleep`), or an unbound (builtin or
    /// global-from-elsewhere) name as written (`open`), or a method of a known client
    /// (`requests.Session.get`).
    Qualified(String),
    /// A function defined in this file (the `def` node's id).
    Local(NodeId),
    /// Rooted in a name whose value we do not know (`fetch()` where `fetch` is a
    /// parameter); `text` is the spelling, for rules that go by method names only
    /// (`loop.run_until_complete`).
    Opaque { text: String },
}

impl Target {
    /// The dotted name when it is known; never the spelling of an opaque one, so a
    /// parameter called `time` never makes `time.sleep` match.
    pub fn qualified(&self) -> Option<&str> {
        match self {
            Target::Qualified(name) => Some(name),
            _ => None,
        }
    }

    /// The name as far as it is known, or as written: for rules that look only at the
    /// last attribute (`*.run_until_complete`).
    pub fn spelling(&self) -> Option<&str> {
        match self {
            Target::Qualified(name) => Some(name),
            Target::Opaque { text } => Some(text),
            Target::Local(_) => None,
        }
    }
}

struct Scope {
    parent: Option<NodeId>,
    is_class: bool,
    names: HashMap<String, Binding>,
    /// `global x` / `nonlocal x`: this scope does not bind `x` itself.
    declared_elsewhere: HashSet<String>,
}

pub struct Scopes {
    scopes: HashMap<NodeId, Scope>,
    /// Function definition id -> the scope its own body opens (its id).
    pub functions: HashMap<NodeId, FunctionSite>,
}

/// Where a `def` stands: the scope that binds its name (where its decorators run).
#[derive(Debug, Clone, Copy)]
pub struct FunctionSite {
    pub enclosing: NodeId,
}

impl Scopes {
    /// Walks the tree once: the scopes and their bindings, and every `def` in document
    /// order for the passes after it.
    pub fn collect<'t>(source: &Source<'_>, body: &'t [Stmt]) -> (Self, Collected<'t>) {
        let mut scopes = Self {
            scopes: HashMap::default(),
            functions: HashMap::default(),
        };
        scopes.open(MODULE, None, false);
        let mut walk = Collect {
            scopes: &mut scopes,
            source,
            scope: MODULE,
            found: Collected::default(),
        };
        walk.visit_body(body);
        let found = walk.found;
        (scopes, found)
    }

    fn open(&mut self, id: NodeId, parent: Option<NodeId>, is_class: bool) {
        self.scopes.insert(
            id,
            Scope {
                parent,
                is_class,
                names: HashMap::default(),
                declared_elsewhere: HashSet::default(),
            },
        );
    }

    fn bind(&mut self, scope: NodeId, name: &str, binding: Binding) {
        let Some(scope) = self.scopes.get_mut(&scope) else {
            return;
        };
        if scope.declared_elsewhere.contains(name) {
            return;
        }
        scope
            .names
            .entry(name.to_string())
            .and_modify(|known| {
                if *known != binding {
                    *known = Binding::Unknown;
                }
            })
            .or_insert(binding);
    }

    fn declare_elsewhere(&mut self, scope: NodeId, names: &[Identifier]) {
        if let Some(scope) = self.scopes.get_mut(&scope) {
            for name in names {
                scope.names.remove(name.as_str());
                scope.declared_elsewhere.insert(name.to_string());
            }
        }
    }

    /// `Instance` when the value is a call of a known blocking client's constructor.
    fn value_binding(&self, source: &Source<'_>, value: Option<&Expr>, scope: NodeId) -> Binding {
        let constructor = match value {
            Some(Expr::Call(call)) => Some(self.resolve(source, &call.func, scope)),
            _ => None,
        };
        match constructor {
            Some(Target::Qualified(name)) if BLOCKING_CLIENTS.contains(&name.as_str()) => {
                Binding::Instance(name)
            }
            _ => Binding::Unknown,
        }
    }

    /// Binds every plain name in an assignment target: `a` gets `binding`, the names in
    /// `a, b` or `[a, *b]` are unknown, an attribute or subscript target binds nothing.
    fn bind_targets(&mut self, target: &Expr, scope: NodeId, binding: Binding) {
        let mut pending = match target {
            Expr::Name(name) => return self.bind(scope, name.id.as_str(), binding),
            other => vec![other],
        };
        while let Some(target) = pending.pop() {
            match target {
                Expr::Name(name) => self.bind(scope, name.id.as_str(), Binding::Unknown),
                Expr::Tuple(tuple) => pending.extend(tuple.elts.iter().rev()),
                Expr::List(list) => pending.extend(list.elts.iter().rev()),
                Expr::Starred(starred) => pending.push(&starred.value),
                _ => {}
            }
        }
    }

    fn bind_parameters(&mut self, parameters: &Parameters, scope: NodeId) {
        for parameter in parameters.iter() {
            self.bind(scope, parameter.name().as_str(), Binding::Unknown);
        }
    }

    /// The binding `name` has when used in `scope`, or `None` when no scope binds it
    /// (a builtin, or a global bound out of our sight).
    pub fn lookup(&self, name: &str, scope: NodeId) -> Option<&Binding> {
        let mut current = Some(scope);
        let mut first = true;
        while let Some(id) = current {
            let s = self.scopes.get(&id)?;
            // A function body does not see the names of a class around it.
            if first || !s.is_class {
                if let Some(binding) = s.names.get(name) {
                    return Some(binding);
                }
            }
            first = false;
            current = s.parent;
        }
        None
    }

    /// How `name` is bound directly in the body of the class whose scope id is given
    /// (for `self.name(...)`).
    pub fn member(&self, class: NodeId, name: &str) -> Option<&Binding> {
        self.scopes.get(&class)?.names.get(name)
    }

    /// What a call's target stands for, used inside `scope`.
    pub fn resolve(&self, source: &Source<'_>, target: &Expr, scope: NodeId) -> Target {
        // `requests.Session().get`: a method called on a fresh client.
        if let Expr::Attribute(attribute) = target {
            if let Expr::Call(call) = attribute.value.as_ref() {
                if let Target::Qualified(name) = self.resolve(source, &call.func, scope) {
                    if BLOCKING_CLIENTS.contains(&name.as_str()) {
                        return Target::Qualified(format!("{name}.{}", attribute.attr));
                    }
                }
            }
        }
        let Some(dotted) = dotted_name(target) else {
            return Target::Opaque {
                text: source.text_of(target).to_string(),
            };
        };
        let (first, rest) = match dotted.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (dotted.as_str(), None),
        };
        let join = |base: &str| match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base.to_string(),
        };
        match self.lookup(first, scope) {
            None => Target::Qualified(dotted.clone()),
            Some(Binding::Import(base)) => Target::Qualified(join(base)),
            Some(Binding::Instance(class)) => match rest {
                Some(_) => Target::Qualified(join(class)),
                None => Target::Opaque { text: dotted },
            },
            Some(Binding::Function(id)) if rest.is_none() => Target::Local(*id),
            Some(_) => Target::Opaque { text: dotted },
        }
    }

    /// Does the file use asyncio itself, or only trio / anyio (whose cancellation and
    /// task rules differ)?
    pub fn library(&self) -> Library {
        let imports = |prefix: &str| {
            self.scopes.values().any(|s| {
                s.names.values().any(|b| match b {
                    Binding::Import(name) => {
                        name == prefix || name.starts_with(&format!("{prefix}."))
                    }
                    _ => false,
                })
            })
        };
        if imports("asyncio") || !(imports("trio") || imports("anyio")) {
            Library::Asyncio
        } else {
            Library::Structured
        }
    }
}

/// What the collecting walk noticed for the passes after it.
#[derive(Default)]
pub struct Collected<'t> {
    /// Every `def`, in document order.
    pub defs: Vec<&'t StmtFunctionDef>,
    /// Where the first Python 2 `print >>f, x` statement starts.
    pub python2_print: Option<usize>,
}

/// The collecting walk: what each statement binds, in the scope it runs in.
struct Collect<'s, 'src, 't> {
    scopes: &'s mut Scopes,
    source: &'s Source<'src>,
    scope: NodeId,
    found: Collected<'t>,
}

impl<'t> Collect<'_, '_, 't> {
    /// Walks `inner` with `scope` as the current scope.
    fn within(&mut self, scope: NodeId, inner: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.scope, scope);
        inner(self);
        self.scope = outer;
    }
}

impl<'t> SourceOrderVisitor<'t> for Collect<'_, '_, 't> {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        let scope = self.scope;
        match stmt {
            Stmt::FunctionDef(def) => {
                // Decorators, annotations and defaults run in the enclosing scope; the
                // parameters and the body belong to the new one.
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                let inner = id(def);
                self.scopes
                    .bind(scope, def.name.as_str(), Binding::Function(inner));
                self.scopes
                    .functions
                    .insert(inner, FunctionSite { enclosing: scope });
                self.scopes.open(inner, Some(scope), false);
                self.found.defs.push(def);
                if let Some(type_params) = &def.type_params {
                    self.visit_type_params(type_params);
                }
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                self.within(inner, |walk| {
                    walk.scopes.bind_parameters(&def.parameters, inner);
                    walk.visit_parameters(&def.parameters);
                    walk.visit_body(&def.body);
                });
                return;
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.scopes
                    .bind(scope, class.name.as_str(), Binding::Unknown);
                let inner = id(class);
                self.scopes.open(inner, Some(scope), true);
                if let Some(type_params) = &class.type_params {
                    self.visit_type_params(type_params);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.within(inner, |walk| walk.visit_body(&class.body));
                return;
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let dotted = alias.name.as_str();
                    let (local, target) = match &alias.asname {
                        Some(asname) => (asname.as_str(), dotted),
                        None => {
                            let first = dotted.split('.').next().unwrap_or(dotted);
                            (first, first)
                        }
                    };
                    self.scopes
                        .bind(scope, local, Binding::Import(target.to_string()));
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map(Identifier::as_str);
                if module != Some("__future__") {
                    for alias in import.names.iter().filter(|a| a.name.as_str() != "*") {
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                        // A relative import names a module of the project: unknown to us.
                        let binding = match module {
                            Some(module) if import.level == 0 => {
                                Binding::Import(format!("{module}.{}", alias.name))
                            }
                            _ => Binding::Unknown,
                        };
                        self.scopes.bind(scope, local, binding);
                    }
                }
            }
            Stmt::Expr(statement)
                if self.found.python2_print.is_none() && is_print_chevron(&statement.value) =>
            {
                self.found.python2_print = Some(statement.range.start().to_usize());
            }
            Stmt::Global(global) => self.scopes.declare_elsewhere(scope, &global.names),
            Stmt::Nonlocal(nonlocal) => self.scopes.declare_elsewhere(scope, &nonlocal.names),
            Stmt::Assign(assign) => {
                let binding = self
                    .scopes
                    .value_binding(self.source, Some(&assign.value), scope);
                // `a = b = f()`: only the target nearest the value gets what it is.
                if let Some((last, others)) = assign.targets.split_last() {
                    for target in others {
                        self.scopes.bind_targets(target, scope, Binding::Unknown);
                    }
                    self.scopes.bind_targets(last, scope, binding);
                }
            }
            Stmt::AnnAssign(assign) => {
                let binding =
                    self.scopes
                        .value_binding(self.source, assign.value.as_deref(), scope);
                self.scopes.bind_targets(&assign.target, scope, binding);
            }
            Stmt::AugAssign(assign) => {
                let binding = self
                    .scopes
                    .value_binding(self.source, Some(&assign.value), scope);
                self.scopes.bind_targets(&assign.target, scope, binding);
            }
            Stmt::For(for_) => {
                self.scopes
                    .bind_targets(&for_.target, scope, Binding::Unknown);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        let binding =
                            self.scopes
                                .value_binding(self.source, Some(&item.context_expr), scope);
                        self.scopes.bind_targets(vars, scope, binding);
                    }
                }
            }
            _ => {}
        }
        source_order::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        match expr {
            Expr::Lambda(lambda) => {
                let inner = id(lambda);
                self.scopes.open(inner, Some(self.scope), false);
                self.within(inner, |walk| {
                    if let Some(parameters) = &lambda.parameters {
                        walk.scopes.bind_parameters(parameters, inner);
                        walk.visit_parameters(parameters);
                    }
                    walk.visit_expr(&lambda.body);
                });
                return;
            }
            Expr::Named(named) => {
                self.scopes
                    .bind_targets(&named.target, self.scope, Binding::Unknown);
            }
            _ => {}
        }
        source_order::walk_expr(self, expr);
    }

    fn visit_comprehension(&mut self, comprehension: &'t Comprehension) {
        self.scopes
            .bind_targets(&comprehension.target, self.scope, Binding::Unknown);
        source_order::walk_comprehension(self, comprehension);
    }

    fn visit_except_handler(&mut self, handler: &'t ExceptHandler) {
        let ExceptHandler::ExceptHandler(clause) = handler;
        if let Some(name) = &clause.name {
            self.scopes
                .bind(self.scope, name.as_str(), Binding::Unknown);
        }
        source_order::walk_except_handler(self, handler);
    }
}

/// Which async library the file is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    Asyncio,
    /// trio or anyio without asyncio: asyncio's task and cancellation advice does not
    /// apply (their cancel scopes have rules of their own).
    Structured,
}

/// `print >>f, x` (or `print >>f`): Python 2's print-to-file statement, which Python 3
/// parses as a right shift of the `print` function.
fn is_print_chevron(value: &Expr) -> bool {
    let shifted = match value {
        Expr::Tuple(tuple) => tuple.elts.first(),
        other => Some(other),
    };
    matches!(
        shifted,
        Some(Expr::BinOp(shift)) if shift.op == Operator::RShift
            && matches!(shift.left.as_ref(), Expr::Name(name) if name.id.as_str() == "print")
    )
}
