//! async-patterns: an Agent Skill of async Python patterns, served over MCP.
//!
//! The data path is a straight line:
//!
//! ```text
//! transport (stdio lines, HTTP)  ->  mcp::dispatch (envelope, era, context)
//!   ->  mcp method table (jsonrpsee)  ->  service (catalog, search, demo runner)
//! ```
//!
//! - [`catalog`] parses the skill folder (embedded or `--skill-dir`) once at start-up.
//! - [`check`] finds async pitfalls in user code (tree-sitter) and names the fixing entry.
//! - [`search`] ranks entries for a query (BM25 + aliases).
//! - [`demo`] runs demos in a sandboxed child process, or on the native tokio engine.
//! - [`mcp`] is the protocol: one method table for every transport, both eras.
//! - [`registry`] packs the skill for skill registries (`.tar.gz`, well-known indexes).
//! - [`transport`] frames bytes; [`cli`] is the command line over the same [`service`].

pub mod catalog;
pub mod check;
pub mod cli;
pub mod demo;
pub mod error;
pub mod install;
pub mod mcp;
pub mod mcp_config;
pub mod registry;
pub mod search;
pub mod service;
pub mod transport;
pub mod validate;
