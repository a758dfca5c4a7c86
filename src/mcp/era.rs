//! Which protocol revision a request speaks, decided here and nowhere else, so that a
//! message gets the same answer whatever carried it.
//!
//! - Modern (`2026-07-28`) is stateless: every request names the version and the
//!   client's capabilities in `params._meta`.
//! - Legacy (`2025-11-25` and older) is a session opened by `initialize`.
//!
//! A transport may state the era in its framing (HTTP's `MCP-Protocol-Version` header);
//! otherwise (stdio, a legacy HTTP session) the message and the session decide.

use super::context::Session;
use super::envelope::Request;
use crate::error::McpError;

/// The stateless revision: every request names it in `_meta`.
pub const MODERN_VERSION: &str = "2026-07-28";
/// Initialize-based revisions we speak, newest first; an unknown requested version is
/// answered with the first.
pub const LEGACY_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";

/// The revision one request is served under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    Modern,
    Legacy(&'static str),
}

impl Era {
    pub fn is_legacy(self) -> bool {
        matches!(self, Era::Legacy(_))
    }

    pub fn version(self) -> &'static str {
        match self {
            Era::Modern => MODERN_VERSION,
            Era::Legacy(v) => v,
        }
    }
}

/// What a transport's framing says about the era, before the body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Nothing (stdio), or a legacy version: the message and the session decide.
    Unstated,
    /// The framing names the modern revision: the body must agree.
    Modern,
}

impl Framing {
    /// Reads a version named outside the body (HTTP's `MCP-Protocol-Version` header).
    /// No version, or a legacy one, leaves the era to the session.
    pub fn from_version(version: Option<&str>) -> Result<Framing, McpError> {
        match version.map(str::trim) {
            None => Ok(Framing::Unstated),
            Some(MODERN_VERSION) => Ok(Framing::Modern),
            Some(v) if LEGACY_VERSIONS.contains(&v) => Ok(Framing::Unstated),
            Some(v) => Err(McpError::UnsupportedVersion {
                requested: v.to_string(),
                supported: std::iter::once(MODERN_VERSION)
                    .chain(LEGACY_VERSIONS.iter().copied())
                    .collect(),
            }),
        }
    }
}

/// The era of `req`, arriving under `framing` on a connection whose legacy handshake
/// state is `session`.
pub fn decide(req: &Request, framing: Framing, session: &Session) -> Result<Era, McpError> {
    let named = req.meta.protocol_version.as_deref();
    if framing == Framing::Modern {
        return match named {
            Some(MODERN_VERSION) | None => Ok(Era::Modern),
            Some(other) => Err(McpError::HeaderMismatch(format!(
                "the MCP-Protocol-Version header says {MODERN_VERSION} but \
                 params._meta[\"{META_PROTOCOL_VERSION}\"] says `{other}`"
            ))),
        };
    }
    let method = req.method.as_str();
    match named {
        // Checked before `initialize`: a modern `initialize` is a removed method.
        Some(MODERN_VERSION) => Ok(Era::Modern),
        Some(other) => Err(McpError::UnsupportedVersion {
            requested: other.to_string(),
            supported: vec![MODERN_VERSION],
        }),
        None if method == "initialize" => Ok(Era::Legacy(LEGACY_VERSIONS[0])),
        // Only the modern revision has it; its `_meta` is then checked like any other.
        None if method == "server/discover" => Ok(Era::Modern),
        None => match session.legacy_version() {
            Some(version) => Ok(Era::Legacy(version)),
            None if method == "ping" => Ok(Era::Legacy(LEGACY_VERSIONS[0])),
            None => Err(McpError::InvalidRequest(format!(
                "`{method}` before `initialize`: send `initialize` first, or name protocol \
                 version {MODERN_VERSION} in params._meta[\"{META_PROTOCOL_VERSION}\"]"
            ))),
        },
    }
}

/// A modern request carries the protocol version and the client's capabilities (an
/// object, possibly empty) in `params._meta`, whatever transport brought it.
pub fn check_modern_meta(req: &Request) -> Result<(), McpError> {
    if req.meta.protocol_version.is_none() {
        return Err(McpError::MissingMeta(format!(
            "params._meta[\"{META_PROTOCOL_VERSION}\"] is required in protocol {MODERN_VERSION}"
        )));
    }
    if !req.meta.has_client_capabilities {
        return Err(McpError::MissingMeta(format!(
            "params._meta[\"{META_CLIENT_CAPABILITIES}\"] (an object, possibly empty) is \
             required in protocol {MODERN_VERSION}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::envelope::Incoming;
    use serde_json::json;

    fn request(method: &str, meta: serde_json::Value) -> Request {
        let text = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {"_meta": meta}});
        match Incoming::decode(text.to_string().as_bytes()) {
            Ok(Incoming::Request(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    fn modern_meta() -> serde_json::Value {
        json!({META_PROTOCOL_VERSION: MODERN_VERSION, META_CLIENT_CAPABILITIES: {}})
    }

    #[test]
    fn a_request_naming_the_modern_version_is_modern_on_any_session() {
        let session = Session::new();
        let req = request("tools/list", modern_meta());
        assert_eq!(
            decide(&req, Framing::Unstated, &session).unwrap(),
            Era::Modern
        );
        session.set_legacy_version("2025-06-18");
        assert_eq!(
            decide(&req, Framing::Unstated, &session).unwrap(),
            Era::Modern
        );
        assert_eq!(
            decide(&req, Framing::Modern, &session).unwrap(),
            Era::Modern
        );
    }

    #[test]
    fn an_unknown_version_in_meta_is_unsupported_unless_the_framing_named_modern() {
        let session = Session::new();
        let req = request("tools/list", json!({META_PROTOCOL_VERSION: "1999-01-01"}));
        let err = decide(&req, Framing::Unstated, &session).unwrap_err();
        assert_eq!(err.code(), crate::error::UNSUPPORTED_PROTOCOL_VERSION);
        let err = decide(&req, Framing::Modern, &session).unwrap_err();
        assert_eq!(err.code(), crate::error::HEADER_MISMATCH);
    }

    #[test]
    fn legacy_requests_follow_the_session() {
        let session = Session::new();
        let init = request("initialize", json!({}));
        assert_eq!(
            decide(&init, Framing::Unstated, &session).unwrap(),
            Era::Legacy(LEGACY_VERSIONS[0])
        );
        let list = request("tools/list", json!({}));
        let err = decide(&list, Framing::Unstated, &session).unwrap_err();
        assert_eq!(err.code(), crate::error::INVALID_REQUEST);
        let ping = request("ping", json!({}));
        assert!(decide(&ping, Framing::Unstated, &session).is_ok());
        session.set_legacy_version("2025-03-26");
        assert_eq!(
            decide(&list, Framing::Unstated, &session).unwrap(),
            Era::Legacy("2025-03-26")
        );
    }

    #[test]
    fn discover_is_modern_and_needs_the_modern_meta_like_any_request() {
        let bare = request("server/discover", json!({}));
        assert_eq!(
            decide(&bare, Framing::Unstated, &Session::new()).unwrap(),
            Era::Modern
        );
        assert_eq!(
            check_modern_meta(&bare).unwrap_err().code(),
            crate::error::INVALID_PARAMS
        );
    }

    #[test]
    fn modern_meta_needs_both_the_version_and_an_object_of_capabilities() {
        assert!(check_modern_meta(&request("tools/list", modern_meta())).is_ok());
        let no_caps = request("tools/call", json!({META_PROTOCOL_VERSION: MODERN_VERSION}));
        assert_eq!(
            check_modern_meta(&no_caps).unwrap_err().code(),
            crate::error::INVALID_PARAMS
        );
        let caps_not_object = request(
            "tools/call",
            json!({META_PROTOCOL_VERSION: MODERN_VERSION, META_CLIENT_CAPABILITIES: 1}),
        );
        assert!(check_modern_meta(&caps_not_object).is_err());
    }

    #[test]
    fn framing_reads_modern_legacy_and_unknown_versions() {
        assert_eq!(Framing::from_version(None).unwrap(), Framing::Unstated);
        assert_eq!(
            Framing::from_version(Some("2026-07-28")).unwrap(),
            Framing::Modern
        );
        assert_eq!(
            Framing::from_version(Some("2025-06-18")).unwrap(),
            Framing::Unstated
        );
        let err = Framing::from_version(Some("1999-01-01")).unwrap_err();
        assert_eq!(err.code(), crate::error::UNSUPPORTED_PROTOCOL_VERSION);
    }
}
