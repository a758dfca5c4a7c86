//! What the passes share about the tree: node identity, and the walk of one scope's own
//! code. The tree's depth is bounded before parsing (depth.rs), so the recursive
//! visitors of `ruff_python_ast` are safe here.

use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{ExceptHandler, Expr, Stmt};

/// A node's identity: its address. The tree is never moved or changed after parsing,
/// so the address is stable for the whole check, and costs nothing to compute.
pub type NodeId = usize;

/// The module's scope (no node has address 0).
pub const MODULE: NodeId = 0;

pub fn id<T>(node: &T) -> NodeId {
    std::ptr::from_ref(node) as usize
}

/// A statement or an expression met by a walk.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

/// Pre-order over the statements and expressions that run in the scope where they are
/// written: a nested `def` or `class` is met itself and its decorators are walked (they
/// run here), but not its body, parameters or bases; a `lambda` is met, not entered.
struct SameScope<F> {
    visit: F,
}

impl<'a, F: FnMut(Node<'a>)> SourceOrderVisitor<'a> for SameScope<F> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        (self.visit)(Node::Stmt(stmt));
        let decorators = match stmt {
            Stmt::FunctionDef(def) => &def.decorator_list,
            Stmt::ClassDef(class) => &class.decorator_list,
            _ => return source_order::walk_stmt(self, stmt),
        };
        for decorator in decorators {
            self.visit_expr(&decorator.expression);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        (self.visit)(Node::Expr(expr));
        if !expr.is_lambda_expr() {
            source_order::walk_expr(self, expr);
        }
    }
}

/// Walks `body` in its own scope (see [`SameScope`]).
pub fn same_scope<'a>(body: &'a [Stmt], visit: impl FnMut(Node<'a>)) {
    SameScope { visit }.visit_body(body);
}

/// Walks an `except` clause (its types and body) in its own scope.
pub fn same_scope_handler<'a>(handler: &'a ExceptHandler, visit: impl FnMut(Node<'a>)) {
    SameScope { visit }.visit_except_handler(handler);
}
