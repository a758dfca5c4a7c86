//! Pre-order traversal without recursion and without `Node::parent`: a 1 MiB input can
//! nest deeply enough to overflow the stack of a recursive walker, and tree-sitter finds
//! a parent by descending from the root, which would make a long block quadratic. The
//! walk keeps its own ancestor stack instead.

use std::sync::OnceLock;
use tree_sitter::{Node, TreeCursor};

/// The node's kind. `Node::kind` converts a C string (length scan and UTF-8 check) on
/// every call, and the rules ask millions of times on a large input; the names are read
/// once per process and looked up by id.
pub fn kind<'t>(node: impl std::borrow::Borrow<Node<'t>>) -> &'static str {
    let node = *node.borrow();
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect()
    });
    names
        .get(usize::from(node.kind_id()))
        .copied()
        .unwrap_or_else(|| node.kind())
}

/// Node kinds that start a new scope: code inside them does not run where it is written
/// (a `def` nested in an `async def` is not async context).
pub fn opens_scope(kind: &str) -> bool {
    matches!(kind, "function_definition" | "lambda" | "class_definition")
}

/// A node met by the walk, with its two nearest ancestors inside the walked subtree.
#[derive(Clone, Copy)]
pub struct Visit<'t> {
    pub node: Node<'t>,
    pub parent: Option<Node<'t>>,
    pub grandparent: Option<Node<'t>>,
}

pub struct Descendants<'t> {
    cursor: TreeCursor<'t>,
    /// Ancestors of the cursor's node, nearest last. Its length is the depth: tracked
    /// here because `TreeCursor::depth` walks the cursor's stack.
    ancestors: Vec<Node<'t>>,
    done: bool,
    /// Do not enter nested scopes below the start node.
    same_scope: bool,
}

impl<'t> Descendants<'t> {
    /// Every node under `root`, `root` included.
    pub fn all(root: Node<'t>) -> Self {
        Self::new(root, false)
    }

    /// The nodes under `root` that run in `root`'s own scope: nested functions, lambdas
    /// and classes are yielded themselves but not entered.
    pub fn same_scope(root: Node<'t>) -> Self {
        Self::new(root, true)
    }

    fn new(root: Node<'t>, same_scope: bool) -> Self {
        Self {
            cursor: root.walk(),
            ancestors: Vec::new(),
            done: false,
            same_scope,
        }
    }

    pub fn visits(self) -> impl Iterator<Item = Visit<'t>> {
        let mut walk = self;
        std::iter::from_fn(move || walk.next_visit())
    }

    fn next_visit(&mut self) -> Option<Visit<'t>> {
        if self.done {
            return None;
        }
        let node = self.cursor.node();
        let mut nearest = self.ancestors.iter().rev();
        let visit = Visit {
            node,
            parent: nearest.next().copied(),
            grandparent: nearest.next().copied(),
        };
        let is_root = self.ancestors.is_empty();
        let enter = is_root || !(self.same_scope && opens_scope(kind(node)));
        if enter && self.cursor.goto_first_child() {
            self.ancestors.push(node);
            return Some(visit);
        }
        loop {
            if self.ancestors.is_empty() {
                self.done = true;
                return Some(visit);
            }
            if self.cursor.goto_next_sibling() {
                return Some(visit);
            }
            self.cursor.goto_parent();
            self.ancestors.pop();
        }
    }
}

impl<'t> Iterator for Descendants<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        self.next_visit().map(|v| v.node)
    }
}

/// A field's id, for `child_by_field_id`: `child_by_field_name` searches the grammar's
/// field names on every call. Only the fields the rules use are known; an unknown name
/// is a bug caught by the first test that reaches it.
pub fn field(name: &str) -> std::num::NonZeroU16 {
    const NAMES: [&str; 14] = [
        "function",
        "name",
        "alias",
        "object",
        "attribute",
        "left",
        "right",
        "value",
        "body",
        "arguments",
        "module_name",
        "definition",
        "parameters",
        "condition",
    ];
    static IDS: OnceLock<Vec<Option<std::num::NonZeroU16>>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        NAMES
            .iter()
            .map(|n| language.field_id_for_name(n))
            .collect()
    });
    NAMES
        .iter()
        .position(|n| *n == name)
        .and_then(|i| ids.get(i).copied().flatten())
        .unwrap_or_else(|| panic!("field `{name}` is not in walk::field's list"))
}

/// What a node opens for its children: the context its `body` gets (and its
/// `parameters`, when `parameters_too`); the other children keep the node's own.
pub struct Inner<C> {
    pub ctx: C,
    pub parameters_too: bool,
}

/// Pre-order walk of the whole tree under `root` with one cursor, carrying a context
/// down: `visit(node, ctx)` sees every node with the context of where it runs, and may
/// return the context its body runs in. One cursor and a stack as deep as the tree: no
/// allocation per node, no recursion (deep input cannot overflow the stack).
pub fn walk_scoped<'t, C: Copy>(
    root: Node<'t>,
    ctx: C,
    mut visit: impl FnMut(Node<'t>, C) -> Option<Inner<C>>,
) {
    static FIELDS: OnceLock<(Option<u16>, Option<u16>)> = OnceLock::new();
    let (body, parameters) = *FIELDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        (
            language.field_id_for_name("body").map(|f| f.get()),
            language.field_id_for_name("parameters").map(|f| f.get()),
        )
    });
    let child_ctx = |cursor: &TreeCursor<'t>, (outer, inner): &(C, Option<Inner<C>>)| {
        let Some(inner) = inner else {
            return *outer;
        };
        let field = cursor.field_id().map(|f| f.get());
        if field.is_some() && (field == body || (inner.parameters_too && field == parameters)) {
            inner.ctx
        } else {
            *outer
        }
    };
    let mut cursor = root.walk();
    let mut stack: Vec<(C, Option<Inner<C>>)> = Vec::new();
    let mut current = ctx;
    loop {
        let inner = visit(cursor.node(), current);
        if cursor.goto_first_child() {
            stack.push((current, inner));
            if let Some(top) = stack.last() {
                current = child_ctx(&cursor, top);
            }
            continue;
        }
        loop {
            let Some(top) = stack.last() else {
                return;
            };
            if cursor.goto_next_sibling() {
                current = child_ctx(&cursor, top);
                break;
            }
            cursor.goto_parent();
            stack.pop();
        }
    }
}
