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
use super::walk::{field, kind, walk_scoped, Descendants, Inner};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

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
    Function(usize),
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
    Local(usize),
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
    parent: Option<usize>,
    is_class: bool,
    names: HashMap<String, Binding>,
    /// `global x` / `nonlocal x`: this scope does not bind `x` itself.
    declared_elsewhere: HashSet<String>,
}

pub struct Scopes {
    scopes: HashMap<usize, Scope>,
    /// Function definition id -> the scope its own body opens (its id).
    pub functions: HashMap<usize, FunctionSite>,
}

/// Where a `def` stands: the scope that binds its name (where its decorators run).
#[derive(Debug, Clone, Copy)]
pub struct FunctionSite {
    pub enclosing: usize,
}

impl Scopes {
    /// Walks the tree once: the scopes and their bindings, plus what later passes need
    /// so that none of them walks the whole tree again (see [`Found`]).
    pub fn collect<'s>(source: &'s Source<'_>) -> (Self, Found<'s>) {
        let root = source.root();
        let mut scopes = Self {
            scopes: HashMap::new(),
            functions: HashMap::new(),
        };
        let mut found = Found::default();
        let wants_comments = source.text.to_ascii_lowercase().contains("noqa");
        scopes.open(root, None, false);
        walk_scoped(root, root.id(), |node, scope| {
            match kind(node) {
                "function_definition" => found.defs.push(node),
                "decorated_definition" => {
                    if let Some(definition) = node.child_by_field_id(field("definition").get()) {
                        let mut cursor = node.walk();
                        let decorators = node
                            .named_children(&mut cursor)
                            .filter(|c| kind(c) == "decorator")
                            .filter_map(|d| d.named_child(0))
                            .collect();
                        found.decorators.insert(definition.id(), decorators);
                    }
                }
                "print_statement" | "exec_statement" if found.python2.is_none() => {
                    found.python2 = Some(node);
                }
                "comment" if wants_comments => found.comments.push(node),
                _ => {}
            }
            // Decorators, defaults and base classes run in the enclosing scope; only the
            // body (and a function's parameters) belong to the new one.
            let inner = scopes.bind_node(source, node, scope)?;
            Some(Inner {
                ctx: inner,
                parameters_too: kind(node) != "class_definition",
            })
        });
        (scopes, found)
    }

    fn open(&mut self, node: Node<'_>, parent: Option<usize>, is_class: bool) {
        self.scopes.insert(
            node.id(),
            Scope {
                parent,
                is_class,
                names: HashMap::new(),
                declared_elsewhere: HashSet::new(),
            },
        );
    }

    fn bind(&mut self, scope: usize, name: &str, binding: Binding) {
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

    /// Records what `node` binds in `scope`; returns the scope the node opens, if any.
    fn bind_node(&mut self, source: &Source<'_>, node: Node<'_>, scope: usize) -> Option<usize> {
        match kind(node) {
            "function_definition" => {
                if let Some(name) = node.child_by_field_id(field("name").get()) {
                    self.bind(scope, source.text_of(name), Binding::Function(node.id()));
                }
                self.functions
                    .insert(node.id(), FunctionSite { enclosing: scope });
                self.open(node, Some(scope), false);
                Some(node.id())
            }
            "lambda" => {
                self.open(node, Some(scope), false);
                Some(node.id())
            }
            "class_definition" => {
                if let Some(name) = node.child_by_field_id(field("name").get()) {
                    self.bind(scope, source.text_of(name), Binding::Unknown);
                }
                self.open(node, Some(scope), true);
                Some(node.id())
            }
            "parameters" | "lambda_parameters" => {
                let mut cursor = node.walk();
                for parameter in node.named_children(&mut cursor) {
                    let name = match kind(parameter) {
                        "identifier" => Some(parameter),
                        "default_parameter" | "typed_default_parameter" => {
                            parameter.child_by_field_id(field("name").get())
                        }
                        "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                            first_identifier(parameter)
                        }
                        _ => None,
                    };
                    if let Some(name) = name {
                        self.bind(scope, source.text_of(name), Binding::Unknown);
                    }
                }
                None
            }
            "import_statement" => {
                let mut cursor = node.walk();
                for name in node.children_by_field_id(field("name"), &mut cursor) {
                    if let Some((local, target)) = import_binding(source, name, None) {
                        self.bind(scope, &local, Binding::Import(target));
                    }
                }
                None
            }
            "import_from_statement" => {
                let module = node
                    .child_by_field_id(field("module_name").get())
                    .map(|m| source.text_of(m));
                let mut cursor = node.walk();
                for name in node.children_by_field_id(field("name"), &mut cursor) {
                    // A relative import names a module of the project: unknown to us.
                    let binding = match module {
                        Some(module) if !module.starts_with('.') => {
                            import_binding(source, name, Some(module))
                                .map(|(local, target)| (local, Binding::Import(target)))
                        }
                        _ => import_binding(source, name, Some("."))
                            .map(|(local, _)| (local, Binding::Unknown)),
                    };
                    if let Some((local, binding)) = binding {
                        self.bind(scope, &local, binding);
                    }
                }
                None
            }
            "global_statement" | "nonlocal_statement" => {
                let mut cursor = node.walk();
                let names: Vec<String> = node
                    .named_children(&mut cursor)
                    .filter(|n| kind(n) == "identifier")
                    .map(|n| source.text_of(n).to_string())
                    .collect();
                if let Some(scope) = self.scopes.get_mut(&scope) {
                    for name in names {
                        scope.names.remove(&name);
                        scope.declared_elsewhere.insert(name);
                    }
                }
                None
            }
            "assignment" | "augmented_assignment" => {
                let value = node.child_by_field_id(field("right").get());
                let binding = self.value_binding(source, value, scope);
                if let Some(left) = node.child_by_field_id(field("left").get()) {
                    self.bind_targets(source, left, scope, binding);
                }
                None
            }
            "for_statement" | "for_in_clause" => {
                if let Some(left) = node.child_by_field_id(field("left").get()) {
                    self.bind_targets(source, left, scope, Binding::Unknown);
                }
                None
            }
            "with_item" => {
                let value = node.child_by_field_id(field("value").get())?;
                if kind(value) == "as_pattern" {
                    let managed = value.named_child(0);
                    let binding = self.value_binding(source, managed, scope);
                    if let Some(alias) = value.child_by_field_id(field("alias").get()) {
                        self.bind_targets(source, alias, scope, binding);
                    }
                }
                None
            }
            "except_clause" | "except_group_clause" => {
                if let Some(alias) = node.child_by_field_id(field("alias").get()) {
                    self.bind_targets(source, alias, scope, Binding::Unknown);
                }
                let mut cursor = node.walk();
                for value in node.named_children(&mut cursor) {
                    if kind(value) == "as_pattern" {
                        if let Some(alias) = value.child_by_field_id(field("alias").get()) {
                            self.bind_targets(source, alias, scope, Binding::Unknown);
                        }
                    }
                }
                None
            }
            "named_expression" => {
                if let Some(name) = node.child_by_field_id(field("name").get()) {
                    self.bind(scope, source.text_of(name), Binding::Unknown);
                }
                None
            }
            _ => None,
        }
    }

    /// `Instance` when the value is a call of a known blocking client's constructor.
    fn value_binding(&self, source: &Source<'_>, value: Option<Node<'_>>, scope: usize) -> Binding {
        let constructor = value
            .filter(|v| kind(v) == "call")
            .and_then(|call| call.child_by_field_id(field("function").get()))
            .map(|f| self.resolve(source, f, scope));
        match constructor {
            Some(Target::Qualified(name)) if BLOCKING_CLIENTS.contains(&name.as_str()) => {
                Binding::Instance(name)
            }
            _ => Binding::Unknown,
        }
    }

    /// Binds every plain name in an assignment target (`a`, `a, b`, `[a, *b]`); an
    /// attribute or subscript target binds nothing.
    fn bind_targets(
        &mut self,
        source: &Source<'_>,
        target: Node<'_>,
        scope: usize,
        binding: Binding,
    ) {
        // `with X() as name`: the target wraps the one name.
        let target = match kind(target) {
            "as_pattern_target" if target.named_child_count() == 1 => {
                target.named_child(0).unwrap_or(target)
            }
            _ => target,
        };
        if kind(target) == "identifier" {
            self.bind(scope, source.text_of(target), binding);
            return;
        }
        if matches!(kind(target), "attribute" | "subscript") {
            return;
        }
        let names: Vec<Node<'_>> = Descendants::all(target)
            .visits()
            .filter(|v| kind(v.node) == "identifier")
            .filter(|v| {
                v.parent
                    .is_none_or(|p| !matches!(kind(p), "attribute" | "subscript"))
            })
            .map(|v| v.node)
            .collect();
        for name in names {
            self.bind(scope, source.text_of(name), Binding::Unknown);
        }
    }

    /// The binding `name` has when used in `scope`, or `None` when no scope binds it
    /// (a builtin, or a global bound out of our sight).
    pub fn lookup(&self, name: &str, scope: usize) -> Option<&Binding> {
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
    pub fn member(&self, class: usize, name: &str) -> Option<&Binding> {
        self.scopes.get(&class)?.names.get(name)
    }

    /// What a call's target stands for, used inside `scope`.
    pub fn resolve(&self, source: &Source<'_>, target: Node<'_>, scope: usize) -> Target {
        // `requests.Session().get`: a method called on a fresh client.
        if kind(target) == "attribute" {
            if let (Some(object), Some(attr)) = (
                target.child_by_field_id(field("object").get()),
                target.child_by_field_id(field("attribute").get()),
            ) {
                if kind(object) == "call" {
                    let made = object
                        .child_by_field_id(field("function").get())
                        .map(|f| self.resolve(source, f, scope));
                    if let Some(Target::Qualified(name)) = made {
                        if BLOCKING_CLIENTS.contains(&name.as_str()) {
                            return Target::Qualified(format!("{name}.{}", source.text_of(attr)));
                        }
                    }
                }
            }
        }
        let Some(dotted) = dotted_name(source, target) else {
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

/// What the scope walk noticed for the passes after it.
#[derive(Default)]
pub struct Found<'t> {
    /// Every `def`, in document order.
    pub defs: Vec<Node<'t>>,
    /// `def` node id -> its decorators' expressions.
    pub decorators: HashMap<usize, Vec<Node<'t>>>,
    /// The first Python 2 `print` / `exec` statement.
    pub python2: Option<Node<'t>>,
    /// Comments, collected only when the text mentions `noqa`.
    pub comments: Vec<Node<'t>>,
}

/// Which async library the file is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    Asyncio,
    /// trio or anyio without asyncio: asyncio's task and cancellation advice does not
    /// apply (their cancel scopes have rules of their own).
    Structured,
}

fn first_identifier(node: Node<'_>) -> Option<Node<'_>> {
    Descendants::all(node).find(|n| kind(n) == "identifier")
}

/// `import a.b` binds `a` to `a`; `import a.b as c` binds `c` to `a.b`;
/// `from a import b as c` binds `c` to `a.b`.
fn import_binding(
    source: &Source<'_>,
    name: Node<'_>,
    module: Option<&str>,
) -> Option<(String, String)> {
    let (dotted, alias) = match kind(name) {
        "aliased_import" => (
            source.text_of(name.child_by_field_id(field("name").get())?),
            Some(source.text_of(name.child_by_field_id(field("alias").get())?)),
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
