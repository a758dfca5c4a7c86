//! Pre-order traversal without recursion: a 1 MiB input can nest deeply enough to
//! overflow the stack of a recursive walker, and a crash is never an acceptable answer.

use tree_sitter::{Node, TreeCursor};

/// Node kinds that start a new scope: code inside them does not run where it is written
/// (a `def` nested in an `async def` is not async context).
pub fn opens_scope(kind: &str) -> bool {
    matches!(kind, "function_definition" | "lambda" | "class_definition")
}

pub struct Descendants<'t> {
    cursor: TreeCursor<'t>,
    /// Tracked here: `TreeCursor::depth` walks the cursor's stack, which would make a
    /// deep tree quadratic.
    depth: usize,
    done: bool,
    /// Do not enter nested scopes below the start node.
    same_scope: bool,
}

impl<'t> Descendants<'t> {
    /// Every node under `root`, `root` included.
    pub fn all(root: Node<'t>) -> Self {
        Self {
            cursor: root.walk(),
            depth: 0,
            done: false,
            same_scope: false,
        }
    }

    /// The nodes under `root` that run in `root`'s own scope: nested functions, lambdas
    /// and classes are yielded themselves but not entered.
    pub fn same_scope(root: Node<'t>) -> Self {
        Self {
            cursor: root.walk(),
            depth: 0,
            done: false,
            same_scope: true,
        }
    }
}

impl<'t> Iterator for Descendants<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.done {
            return None;
        }
        let node = self.cursor.node();
        let is_root = self.depth == 0;
        let enter = is_root || !(self.same_scope && opens_scope(node.kind()));
        if enter && self.cursor.goto_first_child() {
            self.depth += 1;
            return Some(node);
        }
        loop {
            if self.depth == 0 {
                self.done = true;
                return Some(node);
            }
            if self.cursor.goto_next_sibling() {
                return Some(node);
            }
            self.cursor.goto_parent();
            self.depth -= 1;
        }
    }
}
