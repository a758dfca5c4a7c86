//! MCP over JSON-RPC, for every transport alike. A message is decoded once
//! ([`envelope`]), its era decided in one place ([`era`]), and [`dispatch`] calls the
//! handler the method table ([`methods`]) names, with a per-request
//! [`context::RequestContext`]. The handlers live in one module per concern.

pub mod apps;
pub mod context;
pub mod dispatch;
pub mod envelope;
pub mod era;
pub mod lifecycle;
pub mod methods;
pub mod pagination;
pub mod prompts;
pub mod resources;
pub mod schema;
pub mod skills;
pub mod tools;
