//! async-patterns: an Agent Skill of async Python patterns, served over MCP.
//!
//! The data path is a straight line:
//!
//! ```text
//! transport (stdio lines, HTTP)  ->  mcp::envelope (decode once)  ->  mcp::era
//!   ->  mcp::dispatch (method table, request context)  ->  mcp::tools
//!   ->  service (queries over catalog, search, demo runner)  <-  cli
//! ```
//!
//! - [`catalog`] parses the skill folder (embedded or `--skill-dir`) once at start-up.
//! - [`check`] finds async pitfalls in user code (ruff's parser) and names the fixing entry.
//! - [`search`] ranks entries for a query (BM25 + aliases).
//! - [`demo`] runs demos in a sandboxed child process, or on the native tokio engine.
//! - [`mcp`] is the protocol: one method table for every transport, both eras.
//! - [`distribution`] installs the skill into agents' folders, writes hosts' MCP
//!   entries, validates skill folders and packs them for registries.
//! - [`site`] renders the catalogue as web pages, for `serve --http` and `pack` alike.
//! - [`transport`] frames bytes; [`cli`] is the command line over the same [`service`].

pub mod catalog;
pub mod check;
pub mod cli;
pub mod demo;
pub mod distribution;
pub mod error;
pub mod mcp;
pub mod search;
pub mod service;
pub mod site;
pub mod transport;
