//! Protocol errors and their JSON-RPC codes, mapped in this one place. Tool *execution*
//! failures (unknown pattern id, a demo that timed out) are not here: MCP reports those as
//! a tool result with `isError: true` so the model can read them and try again.

use jsonrpsee::types::ErrorObjectOwned;
use serde_json::{json, Value};

pub const PARSE_ERROR: i32 = -32700;
pub const INVALID_REQUEST: i32 = -32600;
pub const METHOD_NOT_FOUND: i32 = -32601;
pub const INVALID_PARAMS: i32 = -32602;
pub const INTERNAL_ERROR: i32 = -32603;
/// Legacy eras' "resource not found".
pub const RESOURCE_NOT_FOUND_LEGACY: i32 = -32002;
/// Modern era: HTTP headers disagree with the body.
pub const HEADER_MISMATCH: i32 = -32020;
/// Modern era: the request's protocol version is not one we serve.
pub const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;

#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error("parse error: {0}")]
    Parse(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("method not found: {0}")]
    MethodNotFound(String),
    #[error("invalid params: {0}")]
    InvalidParams(String),
    /// A modern request without the version or capabilities every one must carry in
    /// `params._meta`: invalid params, and a malformed message.
    #[error("invalid params: {0}")]
    MissingMeta(String),
    /// A resource URI that names nothing we serve. The era decides the code.
    #[error("resource not found: {uri}")]
    ResourceNotFound { uri: String, legacy: bool },
    #[error("unsupported protocol version `{requested}`{}", legacy_hint(.requested))]
    UnsupportedVersion {
        requested: String,
        supported: Vec<&'static str>,
    },
    #[error("header mismatch: {0}")]
    HeaderMismatch(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl McpError {
    pub fn code(&self) -> i32 {
        match self {
            McpError::Parse(_) => PARSE_ERROR,
            McpError::InvalidRequest(_) => INVALID_REQUEST,
            McpError::MethodNotFound(_) => METHOD_NOT_FOUND,
            McpError::InvalidParams(_) | McpError::MissingMeta(_) => INVALID_PARAMS,
            McpError::ResourceNotFound { legacy: true, .. } => RESOURCE_NOT_FOUND_LEGACY,
            McpError::ResourceNotFound { legacy: false, .. } => INVALID_PARAMS,
            McpError::UnsupportedVersion { .. } => UNSUPPORTED_PROTOCOL_VERSION,
            McpError::HeaderMismatch(_) => HEADER_MISMATCH,
            McpError::Internal(_) => INTERNAL_ERROR,
        }
    }

    /// Whether the error refuses the message as sent (it is not a request we can route
    /// in its era), rather than reporting a method that ran and failed. HTTP answers
    /// these with 400.
    pub fn refuses_message(&self) -> bool {
        matches!(
            self,
            McpError::Parse(_)
                | McpError::InvalidRequest(_)
                | McpError::MissingMeta(_)
                | McpError::UnsupportedVersion { .. }
                | McpError::HeaderMismatch(_)
        )
    }

    fn data(&self) -> Option<Value> {
        match self {
            McpError::ResourceNotFound { uri, .. } => Some(json!({ "uri": clip(uri) })),
            McpError::UnsupportedVersion {
                requested,
                supported,
            } => Some(json!({ "supported": supported, "requested": clip(requested) })),
            _ => None,
        }
    }
}

/// Longest text an error echoes back. Messages quote what the client sent (a method
/// name, a URI); a 4 MiB method name must not come back as a 4 MiB error.
const MAX_ECHO: usize = 512;

fn clip(text: &str) -> String {
    if text.len() <= MAX_ECHO {
        return text.to_string();
    }
    let mut end = MAX_ECHO;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

impl From<McpError> for ErrorObjectOwned {
    fn from(err: McpError) -> Self {
        let message = clip(&err.to_string());
        ErrorObjectOwned::owned(err.code(), message, err.data())
    }
}

/// A version we serve, but only through the `initialize` handshake, is not "unsupported":
/// say how to reach it instead.
fn legacy_hint(requested: &str) -> String {
    use crate::mcp::era::{LEGACY_VERSIONS, MODERN_VERSION};
    if LEGACY_VERSIONS.contains(&requested) {
        format!(
            " in params._meta: {requested} is served through the `initialize` handshake \
             (send `initialize` first, then requests without a version in _meta); only \
             {MODERN_VERSION} is named per request"
        )
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_not_found_code_depends_on_era() {
        let legacy = McpError::ResourceNotFound {
            uri: "skill://x".into(),
            legacy: true,
        };
        let modern = McpError::ResourceNotFound {
            uri: "skill://x".into(),
            legacy: false,
        };
        assert_eq!(legacy.code(), -32002);
        assert_eq!(modern.code(), -32602);
        let obj: ErrorObjectOwned = modern.into();
        assert_eq!(obj.data().map(|d| d.get()), Some(r#"{"uri":"skill://x"}"#));
    }

    #[test]
    fn echoed_text_is_clipped_on_a_char_boundary() {
        let long = "é".repeat(10_000);
        let obj: ErrorObjectOwned = McpError::MethodNotFound(long.clone()).into();
        assert!(
            obj.message().len() < MAX_ECHO + 64,
            "{}",
            obj.message().len()
        );
        assert!(
            obj.message().ends_with("(20018 bytes in all)"),
            "{}",
            obj.message()
        );
        let obj: ErrorObjectOwned = McpError::ResourceNotFound {
            uri: long,
            legacy: false,
        }
        .into();
        assert!(obj.data().unwrap().get().len() < MAX_ECHO + 64);
    }

    #[test]
    fn unsupported_version_carries_supported_and_requested() {
        let obj: ErrorObjectOwned = McpError::UnsupportedVersion {
            requested: "1999-01-01".into(),
            supported: vec!["2026-07-28"],
        }
        .into();
        assert_eq!(obj.code(), -32022);
        let data: Value = serde_json::from_str(obj.data().unwrap().get()).unwrap();
        assert_eq!(data["requested"], "1999-01-01");
        assert_eq!(data["supported"][0], "2026-07-28");
    }
}
