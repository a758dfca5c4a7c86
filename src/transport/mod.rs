//! Transports frame bytes and attach a connection context; all MCP logic lives in
//! `crate::mcp`.

pub mod http;
pub mod pipe;
pub mod stdio;
