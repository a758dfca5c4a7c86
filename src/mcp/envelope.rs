//! The one decoder of incoming bytes. A message is read into an [`Incoming`] exactly
//! once, with every part of `params` the server acts on before a handler runs (the era
//! markers in `_meta`, the progress token, the target a header mirrors). Transports
//! check their framing against the decoded message; dispatch routes it. jsonrpsee does
//! not decode notifications, batches or unparsable input for us, so this module does.

use crate::error::McpError;
use jsonrpsee::types::Id;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

/// Deepest nesting we parse; serde_json's own limit is the same, but it does not apply
/// to values it skips, so the envelope is checked up front.
const MAX_DEPTH: usize = 128;

/// A decoding failure, answered on the request's id when that much could be read.
pub type DecodeError = (Id<'static>, McpError);

/// One message from the client.
#[derive(Debug)]
pub enum Incoming {
    Request(Request),
    Notification(Notification),
    /// We send no requests, so any response is stray; nothing answers it.
    Response,
}

/// A request: it has an id and gets exactly one reply (unless cancelled).
#[derive(Debug)]
pub struct Request {
    pub id: Id<'static>,
    pub method: String,
    /// `params` as sent (always an object when present).
    pub params: Option<Box<RawValue>>,
    pub meta: Meta,
    /// The entity the request acts on: the tool or prompt `name`, the resource `uri`.
    pub target: Option<String>,
}

/// A notification: no id, never answered.
#[derive(Debug)]
pub struct Notification {
    pub method: String,
    /// `params.requestId`, for `notifications/cancelled`.
    pub request_id: Option<Value>,
}

/// What `params._meta` says, for the parts the server reads before the handler.
#[derive(Debug, Default)]
pub struct Meta {
    /// `io.modelcontextprotocol/protocolVersion`, as sent (a non-string as its JSON).
    pub protocol_version: Option<String>,
    /// `io.modelcontextprotocol/clientCapabilities` is present and an object.
    pub has_client_capabilities: bool,
    /// Those capabilities say the client renders MCP App views.
    pub renders_apps: bool,
    pub progress_token: Option<Value>,
    /// `io.modelcontextprotocol/logLevel`, as sent.
    pub log_level: Option<Value>,
}

impl Request {
    /// The request asked for progress or, in the modern era, log messages: its reply
    /// may be preceded by notifications.
    pub fn wants_notifications(&self) -> bool {
        self.meta.progress_token.is_some() || self.meta.log_level.is_some()
    }
}

impl Incoming {
    /// The method of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match self {
            Incoming::Request(r) => Some(&r.method),
            Incoming::Notification(n) => Some(&n.method),
            Incoming::Response => None,
        }
    }

    /// Decodes one message. Errors come with the id to answer on (`null` when it could
    /// not be read) and the JSON-RPC error: -32700 for bytes that are not JSON, -32600
    /// for JSON that is not a request, -32602 for `params` of the wrong shape.
    pub fn decode(bytes: &[u8]) -> Result<Incoming, DecodeError> {
        let null = |err| (Id::Null, err);
        let text = std::str::from_utf8(bytes)
            .map_err(|e| null(McpError::Parse(format!("message is not valid UTF-8: {e}"))))?;
        // A UTF-8 byte order mark is not JSON, but some Windows tools write one.
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if nesting_exceeds(trimmed, MAX_DEPTH) {
            return Err(null(McpError::Parse(format!(
                "nesting deeper than {MAX_DEPTH} levels"
            ))));
        }
        if trimmed.starts_with('[') {
            // Batches were removed in 2025-06-18; answer once, for the whole array.
            serde_json::from_str::<serde::de::IgnoredAny>(trimmed)
                .map_err(|e| null(McpError::Parse(e.to_string())))?;
            return Err(null(McpError::InvalidRequest(
                "JSON-RPC batches are not supported by MCP; send each message on its own (one \
                 line each on stdio, one POST each over HTTP)"
                    .into(),
            )));
        }
        if !trimmed.starts_with('{') {
            serde_json::from_str::<serde::de::IgnoredAny>(trimmed)
                .map_err(|e| null(McpError::Parse(e.to_string())))?;
            return Err(null(McpError::InvalidRequest(
                "a message must be a JSON object".into(),
            )));
        }
        let envelope: Envelope = serde_json::from_str(trimmed).map_err(|e| {
            if e.is_data() {
                // Well-formed JSON with a wrong-typed member: answer on the request's id
                // when that much can still be read, so the client can match the error.
                (recover_id(trimmed), McpError::InvalidRequest(e.to_string()))
            } else {
                null(McpError::Parse(e.to_string()))
            }
        })?;
        let id: Option<Id<'static>> = match envelope.id {
            None => None,
            Some(raw) => match serde_json::from_str::<Id>(raw.get()) {
                Ok(Id::Null) | Err(_) => {
                    return Err(null(McpError::InvalidRequest(
                        "`id` must be a string or a non-negative integer".into(),
                    )))
                }
                Ok(id) => Some(id.into_owned()),
            },
        };
        let with_id = |err| (id.clone().unwrap_or(Id::Null), err);
        if envelope.jsonrpc.as_deref() != Some("2.0") {
            return Err(with_id(McpError::InvalidRequest(
                "`jsonrpc` must be \"2.0\"".into(),
            )));
        }
        let Some(method) = envelope.method else {
            if envelope.result.is_some() || envelope.error.is_some() {
                return Ok(Incoming::Response);
            }
            return Err(with_id(McpError::InvalidRequest(
                "`method` is missing".into(),
            )));
        };
        let peek: ParamsPeek = match envelope.params {
            None => ParamsPeek::default(),
            Some(raw) if raw.get().trim_start().starts_with('{') => serde_json::from_str(raw.get())
                .map_err(|e| with_id(McpError::InvalidParams(format!("params: {e}"))))?,
            Some(_) => {
                return Err(with_id(McpError::InvalidParams(
                    "`params` must be an object".into(),
                )))
            }
        };
        let method = method.into_owned();
        let Some(id) = id else {
            return Ok(Incoming::Notification(Notification {
                method,
                request_id: peek.request_id,
            }));
        };
        let target = match method.as_str() {
            "tools/call" | "prompts/get" => peek.name,
            "resources/read" => peek.uri,
            _ => None,
        }
        .and_then(|v| match v {
            Value::String(s) => Some(s),
            _ => None,
        });
        let meta = peek.meta.unwrap_or_default();
        Ok(Incoming::Request(Request {
            id,
            method,
            params: envelope.params.map(RawValue::to_owned),
            meta: Meta {
                protocol_version: meta
                    .protocol_version
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from)),
                has_client_capabilities: meta
                    .client_capabilities
                    .as_ref()
                    .is_some_and(Value::is_object),
                renders_apps: super::apps::client_renders_apps(meta.client_capabilities.as_ref()),
                progress_token: meta.progress_token,
                log_level: meta.log_level,
            },
            target,
        }))
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

/// The parts of `params` read before the handler runs.
#[derive(Deserialize, Default)]
struct ParamsPeek {
    #[serde(rename = "_meta", default)]
    meta: Option<MetaPeek>,
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    uri: Option<Value>,
    #[serde(rename = "requestId", default)]
    request_id: Option<Value>,
}

#[derive(Deserialize, Default)]
struct MetaPeek {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
    protocol_version: Option<Value>,
    #[serde(rename = "progressToken", default)]
    progress_token: Option<Value>,
    #[serde(rename = "io.modelcontextprotocol/logLevel", default)]
    log_level: Option<Value>,
    #[serde(rename = "io.modelcontextprotocol/clientCapabilities", default)]
    client_capabilities: Option<Value>,
}

/// Keeps an explicit `null` as `Some(null)`: `"id": null` is an invalid request, while a
/// missing `id` makes a notification.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The `id` of a message whose other members have the wrong types; `null` when the id
/// itself is missing or not a valid JSON-RPC id.
fn recover_id(text: &str) -> Id<'static> {
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow)]
        id: Option<&'a RawValue>,
    }
    serde_json::from_str::<IdOnly>(text)
        .ok()
        .and_then(|m| m.id)
        .and_then(|raw| serde_json::from_str::<Id>(raw.get()).ok())
        .map_or(Id::Null, Id::into_owned)
}

/// How deeply `text` nests arrays and objects (strings are skipped), stopping early once
/// past `limit`.
fn nesting_exceeds(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Result<Incoming, DecodeError> {
        Incoming::decode(text.as_bytes())
    }

    fn code(text: &str) -> (Id<'static>, i32) {
        let (id, err) = decode(text).expect_err(text);
        (id, err.code())
    }

    #[test]
    fn nesting_is_measured_outside_strings_only() {
        assert!(!nesting_exceeds(r#"{"a":[[["[[[[[[["]]]}"#, 4));
        assert!(nesting_exceeds("[[[[[", 4));
        assert!(!nesting_exceeds(r#"{"a":"\"[[[[[["}"#, 2));
    }

    #[test]
    fn a_request_is_decoded_with_its_meta_and_target() {
        let text = r#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"get_snippet","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"progressToken":7}}}"#;
        let Ok(Incoming::Request(req)) = decode(text) else {
            panic!("not a request")
        };
        assert_eq!(req.id, Id::Str("a".into()));
        assert_eq!(req.method, "tools/call");
        assert_eq!(req.target.as_deref(), Some("get_snippet"));
        assert_eq!(req.meta.protocol_version.as_deref(), Some("2026-07-28"));
        assert!(req.meta.has_client_capabilities);
        assert!(req.wants_notifications());
        assert!(req.params.unwrap().get().contains("\"arguments\""));
    }

    #[test]
    fn a_resource_read_targets_its_uri_and_other_methods_nothing() {
        let read = r#"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"skill://x/SKILL.md","name":"n"}}"#;
        let Ok(Incoming::Request(req)) = decode(read) else {
            panic!()
        };
        assert_eq!(req.target.as_deref(), Some("skill://x/SKILL.md"));
        let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"name":"n"}}"#;
        let Ok(Incoming::Request(req)) = decode(list) else {
            panic!()
        };
        assert_eq!(req.target, None);
        assert!(!req.meta.has_client_capabilities);
    }

    #[test]
    fn a_non_string_protocol_version_is_kept_as_its_json() {
        let text = r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":5,"io.modelcontextprotocol/clientCapabilities":[]}}}"#;
        let Ok(Incoming::Request(req)) = decode(text) else {
            panic!()
        };
        assert_eq!(req.meta.protocol_version.as_deref(), Some("5"));
        assert!(
            !req.meta.has_client_capabilities,
            "an array is not an object"
        );
    }

    #[test]
    fn notifications_and_responses_are_told_apart() {
        let cancel =
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#;
        match decode(cancel) {
            Ok(Incoming::Notification(n)) => {
                assert_eq!(n.method, "notifications/cancelled");
                assert_eq!(n.request_id, Some(Value::from(3)));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode(r#"{"jsonrpc":"2.0","id":5,"result":{}}"#),
            Ok(Incoming::Response)
        ));
    }

    #[test]
    fn malformed_input_gets_its_code_and_the_id_when_readable() {
        assert_eq!(code("hello"), (Id::Null, -32700));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"meth"#), (Id::Null, -32700));
        assert_eq!(code(&"[".repeat(200)), (Id::Null, -32700));
        assert_eq!(code("[]"), (Id::Null, -32600));
        assert_eq!(code("null"), (Id::Null, -32600));
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#).1,
            -32600
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":-1,"method":"ping"}"#).1,
            -32600
        );
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":4,"method":"ping"}"#),
            (Id::Number(4), -32600)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":4,"method":5}"#),
            (Id::Number(4), -32600)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":4,"method":"ping","params":[1]}"#),
            (Id::Number(4), -32602)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":4,"method":"ping","params":{"_meta":5}}"#),
            (Id::Number(4), -32602)
        );
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":4}"#), (Id::Number(4), -32600));
    }

    #[test]
    fn a_byte_order_mark_is_tolerated() {
        let text = "\u{feff}{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        assert!(matches!(decode(text), Ok(Incoming::Request(_))));
    }
}
