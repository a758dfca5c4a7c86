//! `tests/sandbox_hostile.rs` is its own test binary (it belongs to the sandbox work)
//! and still says `mod common;`: this re-exports the shared helpers in `tests/support/`
//! for it. Drop this file once that test moves into `tests/tests.rs`.

#[path = "../support/mod.rs"]
mod support;
pub use support::*;
