//! Getting the skill to its users outside MCP: copying it into agents' skill folders
//! ([`install`]), the entries hosts need to start the server ([`mcp_config`]), checking
//! a skill folder ([`validate`]) and packing it for skill registries ([`registry`]).

pub mod install;
pub mod mcp_config;
pub mod registry;
pub mod validate;
