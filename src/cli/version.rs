//! What `--version` says: `-V` the binary's version, `--version` also the embedded skill's
//! version and the MCP protocol versions served, which is what a bug report needs.

use std::sync::LazyLock;

pub fn short() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub fn long() -> &'static str {
    static LONG: LazyLock<String> = LazyLock::new(|| {
        use crate::mcp::era::{LEGACY_VERSIONS, MODERN_VERSION};
        format!(
            "{}\nskill {} {}\nMCP protocol versions: {} (stateless), {} (initialize)",
            env!("CARGO_PKG_VERSION"),
            crate::catalog::EMBEDDED_NAME,
            crate::catalog::embedded_version().unwrap_or_else(|| "(no version)".into()),
            MODERN_VERSION,
            LEGACY_VERSIONS.join(", "),
        )
    });
    &LONG
}
