//! Pre-order traversal without recursion and without `Node::parent`: a 1 MiB input can
//! nest deeply enough to overflow the stack of a recursive walker, and tree-sitter finds
//! a parent by descending from the root, which would make a long block quadratic. The
//! walk keeps its own ancestor stack instead.

use tree_sitter::{Node, TreeCursor};

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
        let enter = is_root || !(self.same_scope && opens_scope(node.kind()));
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
