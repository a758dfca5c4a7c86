//! The Streamable HTTP headers of `/mcp`: reading them, and checking the ones that
//! mirror the body (`Mcp-Method`, `Mcp-Name`) against the decoded message, so that
//! intermediaries routing on headers see what the server acts on.

use crate::mcp::envelope::Incoming;
use base64::Engine as _;
use hyper::header::{HeaderName, HeaderValue, ACCEPT};
use hyper::HeaderMap;

pub const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
pub const MCP_METHOD: HeaderName = HeaderName::from_static("mcp-method");
pub const MCP_NAME: HeaderName = HeaderName::from_static("mcp-name");
pub const MCP_SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");

pub fn header_text<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The `MCP-Protocol-Version` header as sent (lossy for non-ASCII bytes, which then
/// name no version we know).
pub fn protocol_version(headers: &HeaderMap) -> Option<String> {
    headers
        .get(&PROTOCOL_VERSION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
}

/// A mirrored header's value: plain, or `=?base64?…?=` for values HTTP cannot carry.
fn mirrored_value(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?.trim();
    match text
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        Some(encoded) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            String::from_utf8(bytes).ok()
        }
        None => Some(text.to_string()),
    }
}

/// `Mcp-Method` (always) and `Mcp-Name` (when the request has a target) must repeat
/// what the body says.
pub fn check_mirrored(headers: &HeaderMap, message: &Incoming) -> Result<(), String> {
    if let Some(method) = message.method() {
        match header_text(headers, &MCP_METHOD) {
            None => {
                return Err(format!(
                    "the Mcp-Method header is missing; expected `{method}`"
                ))
            }
            Some(sent) if sent == method => {}
            Some(sent) => {
                return Err(format!(
                    "the Mcp-Method header `{sent}` does not match the body's method `{method}`"
                ))
            }
        }
    }
    let Incoming::Request(req) = message else {
        return Ok(());
    };
    if let Some(name) = &req.target {
        match headers.get(&MCP_NAME).map(mirrored_value) {
            None => return Err(format!("the Mcp-Name header is missing; expected `{name}`")),
            Some(Some(sent)) if sent == *name => {}
            Some(sent) => {
                return Err(format!(
                    "the Mcp-Name header `{}` does not match the body's `{name}`",
                    sent.unwrap_or_default()
                ))
            }
        }
    }
    Ok(())
}

pub fn media_types(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split(',').map(|part| {
        part.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

/// Whether the client takes `text/event-stream` (no `Accept` at all takes anything).
pub fn accepts_event_stream(headers: &HeaderMap) -> bool {
    match header_text(headers, &ACCEPT) {
        None => true,
        Some(accept) => {
            media_types(accept).any(|t| t == "text/event-stream" || t == "*/*" || t == "text/*")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Incoming {
        Incoming::decode(text.as_bytes()).unwrap()
    }

    #[test]
    fn mirrored_values_may_be_base64() {
        let plain = HeaderValue::from_static("get_snippet");
        assert_eq!(mirrored_value(&plain).as_deref(), Some("get_snippet"));
        let encoded = HeaderValue::from_static("=?base64?w6l0w6k=?=");
        assert_eq!(mirrored_value(&encoded).as_deref(), Some("été"));
    }

    #[test]
    fn mirrored_headers_must_repeat_the_method_and_target() {
        let call = decode(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_snippet"}}"#,
        );
        let mut headers = HeaderMap::new();
        assert!(check_mirrored(&headers, &call)
            .unwrap_err()
            .contains("Mcp-Method"));
        headers.insert(MCP_METHOD, HeaderValue::from_static("tools/call"));
        assert!(check_mirrored(&headers, &call)
            .unwrap_err()
            .contains("Mcp-Name"));
        headers.insert(MCP_NAME, HeaderValue::from_static("get_pattern"));
        assert!(check_mirrored(&headers, &call)
            .unwrap_err()
            .contains("does not match"));
        headers.insert(MCP_NAME, HeaderValue::from_static("get_snippet"));
        assert_eq!(check_mirrored(&headers, &call), Ok(()));
    }

    #[test]
    fn accept_decides_whether_a_stream_is_possible() {
        let mut headers = HeaderMap::new();
        assert!(accepts_event_stream(&headers));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!accepts_event_stream(&headers));
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream;q=0.9"),
        );
        assert!(accepts_event_stream(&headers));
    }
}
