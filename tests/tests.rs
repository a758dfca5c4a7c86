//! The end-to-end tests, one crate (one binary to link) with a module per area, as
//! ripgrep does. They spawn the real binary and speak JSON-RPC to it over stdio or
//! Streamable HTTP; the helpers for that are in [`support`]. Run one area with
//! `cargo test --test tests battery::`.
//!
//! Two test files stay binaries of their own: `fuzz_corpus.rs` (its harness changes the
//! process environment) and `sandbox_hostile.rs` (see `tests/common/mod.rs`).

mod support;

mod battery;
mod catalogue_pages;
mod check;
mod cli;
mod faults;
mod http_first_contact;
mod http_mcp;
mod http_registry;
mod http_security;
mod mcp_apps;
mod mcp_config_forms;
mod sandbox_portable;
mod stdio_catalog;
mod stdio_demo;
mod stdio_protocol;
