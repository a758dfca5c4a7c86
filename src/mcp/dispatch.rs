//! From raw bytes to a reply: decodes the JSON-RPC envelope (which jsonrpsee leaves to
//! us for notifications, batches and parse errors), decides the request's era, and calls
//! the method table with a per-request context. Shared by every transport.

use super::context::{
    Era, Outbox, RequestContext, Session, META_LOG_LEVEL, META_PROTOCOL_VERSION, MODERN_VERSION,
};
use crate::error::McpError;
use jsonrpsee::types::{Id, Params};
use jsonrpsee::{ConnectionId, Extensions, MethodCallback, MethodResponse, Methods};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Largest reply we build; tool results are far smaller (hosts cap them near 25k tokens).
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Methods the modern era removed; a modern request for one is -32601.
const REMOVED_IN_MODERN: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];
/// Methods only the modern era has.
const MODERN_ONLY: &[&str] = &["subscriptions/listen"];

/// Deepest nesting we parse; serde_json's own limit is the same, but it does not apply
/// to values it skips, so the envelope is checked up front.
const MAX_DEPTH: usize = 128;

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

/// The parts of `params` dispatch needs before the handler runs.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_outside_strings_only() {
        assert!(!nesting_exceeds(r#"{"a":[[["[[[[[[["]]]}"#, 4));
        assert!(nesting_exceeds("[[[[[", 4));
        assert!(!nesting_exceeds(r#"{"a":"\"[[[[[["}"#, 2));
    }
}

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

/// One client connection (a stdio pipe, an HTTP session or a single modern HTTP request).
pub struct Connection {
    pub session: Arc<Session>,
    pub outbox: Option<Outbox>,
    /// Requests still running, by id, so `notifications/cancelled` can stop them.
    in_flight: Mutex<HashMap<String, CancellationToken>>,
    /// Cancelled when the connection goes away: every running request stops with it.
    pub closed: CancellationToken,
}

impl Connection {
    pub fn new(session: Arc<Session>, outbox: Option<Outbox>) -> Arc<Self> {
        Arc::new(Self {
            session,
            outbox,
            in_flight: Mutex::new(HashMap::new()),
            closed: CancellationToken::new(),
        })
    }

    fn cancel(&self, request_id: &Value) {
        let key = request_id.to_string();
        if let Some(token) = self
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            token.cancel();
        }
    }
}

/// What a message turned into.
pub enum Prepared {
    /// Nothing to send (a notification, a stray response).
    Nothing,
    /// An immediate reply (usually an envelope error).
    Reply(String),
    /// A call to run; `long` calls (demos, listeners) should not block the reader.
    Call {
        future: Pin<Box<dyn Future<Output = Option<String>> + Send>>,
        long: bool,
    },
}

pub struct Dispatcher {
    methods: Methods,
}

/// What an HTTP transport checks before dispatching a message: the Streamable HTTP
/// headers must mirror the body, notifications get 202, and a request that asked for
/// notifications is answered with an event stream.
#[derive(Debug, Clone)]
pub struct MessageInfo {
    /// `None` for a notification (or a response).
    pub id: Option<Id<'static>>,
    pub method: Option<String>,
    /// The body value the `Mcp-Name` header mirrors, for the methods that have one.
    pub name: Option<String>,
    /// `params._meta["io.modelcontextprotocol/protocolVersion"]`, as sent.
    pub protocol_version: Option<String>,
    /// `params._meta["io.modelcontextprotocol/clientCapabilities"]` is an object.
    pub has_client_capabilities: bool,
    /// The request asked for progress (`_meta.progressToken`) or, in the modern era, log
    /// messages (`_meta[".../logLevel"]`).
    pub wants_notifications: bool,
    /// The call runs until the client cancels it (`subscriptions/listen`).
    pub open_ended: bool,
}

/// The `params` field that the `Mcp-Name` header mirrors, per method.
fn name_field(method: &str) -> Option<&'static str> {
    match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        _ => None,
    }
}

/// Reads what [`MessageInfo`] holds without dispatching; `None` when the bytes are not a
/// single JSON-RPC object (then [`Dispatcher::prepare`] answers with the right error).
pub fn inspect(bytes: &[u8]) -> Option<MessageInfo> {
    let text = std::str::from_utf8(bytes).ok()?.trim_start();
    if !text.starts_with('{') || nesting_exceeds(text, MAX_DEPTH) {
        return None;
    }
    let envelope: Envelope = serde_json::from_str(text).ok()?;
    let id = match envelope.id {
        None => None,
        Some(raw) => Some(serde_json::from_str::<Id>(raw.get()).ok()?.into_owned()),
    };
    let peek: ParamsPeek = envelope
        .params
        .and_then(|raw| serde_json::from_str(raw.get()).ok())
        .unwrap_or_default();
    let method = envelope.method.map(Cow::into_owned);
    let name = method
        .as_deref()
        .and_then(name_field)
        .and_then(|field| match field {
            "uri" => peek.uri.as_ref(),
            _ => peek.name.as_ref(),
        })
        .and_then(Value::as_str)
        .map(String::from);
    let meta = peek.meta.unwrap_or_default();
    Some(MessageInfo {
        id,
        open_ended: method.as_deref() == Some("subscriptions/listen"),
        method,
        name,
        protocol_version: meta
            .protocol_version
            .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from)),
        wants_notifications: meta.progress_token.is_some() || meta.log_level.is_some(),
        has_client_capabilities: meta
            .client_capabilities
            .as_ref()
            .is_some_and(Value::is_object),
    })
}

/// A JSON-RPC error response, for errors a transport finds itself (HTTP header checks).
pub fn error_reply(id: Id<'_>, err: McpError) -> String {
    let obj: jsonrpsee::types::ErrorObjectOwned = err.into();
    MethodResponse::error(id, obj).into_json().get().to_string()
}

impl Dispatcher {
    pub fn new(methods: Methods) -> Self {
        Self { methods }
    }

    /// Whether `method` is a request method of the modern era (`modern`) or of the
    /// legacy ones: Streamable HTTP answers any other with 404 before parsing further.
    pub fn serves(&self, method: &str, modern: bool) -> bool {
        let excluded = if modern {
            REMOVED_IN_MODERN
        } else {
            MODERN_ONLY
        };
        self.methods.method(method).is_some() && !excluded.contains(&method)
    }

    /// Decodes `bytes` and prepares its handling on `conn`.
    pub fn prepare(&self, bytes: &[u8], conn: &Arc<Connection>) -> Prepared {
        match self.prepare_inner(bytes, conn) {
            Ok(prepared) => prepared,
            Err((id, err)) => Prepared::Reply(error_reply(id, err)),
        }
    }

    fn prepare_inner(
        &self,
        bytes: &[u8],
        conn: &Arc<Connection>,
    ) -> Result<Prepared, (Id<'static>, McpError)> {
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
                "JSON-RPC batches are not supported by MCP; send one message per line".into(),
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
        let Some(method_name) = envelope.method else {
            if envelope.result.is_some() || envelope.error.is_some() {
                // We send no requests, so a response is stray; there is nothing to answer.
                tracing::debug!("ignoring a response message");
                return Ok(Prepared::Nothing);
            }
            return Err(with_id(McpError::InvalidRequest(
                "`method` is missing".into(),
            )));
        };
        let method: &str = &method_name;
        let params_raw = envelope.params.map(RawValue::get);
        let peek: ParamsPeek = match params_raw {
            None => ParamsPeek::default(),
            Some(raw) if raw.trim_start().starts_with('{') => serde_json::from_str(raw)
                .map_err(|e| with_id(McpError::InvalidParams(format!("params: {e}"))))?,
            Some(_) => {
                return Err(with_id(McpError::InvalidParams(
                    "`params` must be an object".into(),
                )))
            }
        };

        let Some(id) = id else {
            self.notification(method, &peek, conn);
            return Ok(Prepared::Nothing);
        };
        let fail = |err| (id.clone(), err);
        let meta = peek.meta.unwrap_or_default();

        let names_modern =
            meta.protocol_version.as_ref().and_then(Value::as_str) == Some(MODERN_VERSION);
        let era = if names_modern {
            // Checked before `initialize`: a modern `initialize` is a removed method.
            Era::Modern
        } else if method == "initialize" {
            Era::Legacy(super::context::LEGACY_VERSIONS[0])
        } else if let Some(version) = &meta.protocol_version {
            if version.as_str() != Some(MODERN_VERSION) {
                let requested = version
                    .as_str()
                    .map_or_else(|| version.to_string(), String::from);
                return Err(fail(McpError::UnsupportedVersion {
                    requested,
                    supported: vec![MODERN_VERSION],
                }));
            }
            Era::Modern
        } else if method == "server/discover" {
            Era::Modern
        } else if let Some(version) = conn.session.legacy_version() {
            Era::Legacy(version)
        } else if method == "ping" {
            Era::Legacy(super::context::LEGACY_VERSIONS[0])
        } else {
            return Err(fail(McpError::InvalidRequest(format!(
                "`{method}` before `initialize`: send `initialize` first, or name protocol version {MODERN_VERSION} in params._meta[\"{META_PROTOCOL_VERSION}\"]"
            ))));
        };
        if (era == Era::Modern && REMOVED_IN_MODERN.contains(&method))
            || (era.is_legacy() && MODERN_ONLY.contains(&method))
        {
            return Err(fail(McpError::MethodNotFound(format!(
                "`{method}` is not part of protocol {}",
                match era {
                    Era::Modern => MODERN_VERSION,
                    Era::Legacy(v) => v,
                }
            ))));
        }
        let Some(MethodCallback::Async(callback)) = self.methods.method(method) else {
            return Err(fail(McpError::MethodNotFound(format!("`{method}`"))));
        };
        let progress_token = match meta.progress_token {
            None => None,
            Some(token @ Value::String(_)) => Some(token),
            Some(token @ Value::Number(_)) if token.is_i64() || token.is_u64() => Some(token),
            Some(_) => {
                return Err(fail(McpError::InvalidParams(
                    "_meta.progressToken must be a string or an integer".into(),
                )))
            }
        };
        let log_level = match (era, &meta.log_level) {
            (Era::Modern, Some(level)) => Some(
                level
                    .as_str()
                    .and_then(super::context::log_level_rank)
                    .ok_or_else(|| {
                        fail(McpError::InvalidParams(format!("unknown {META_LOG_LEVEL}")))
                    })?,
            ),
            (Era::Modern, None) => None,
            (Era::Legacy(_), _) => conn.session.log_level(),
        };

        let long = (method == "tools/call"
            && peek.name.as_ref().and_then(Value::as_str) == Some("run_demo"))
            || method == "subscriptions/listen";
        let cancel = conn.closed.child_token();
        let key = serde_json::to_string(&id).unwrap_or_default();
        if long {
            conn.in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key.clone(), cancel.clone());
        }
        let ctx = RequestContext {
            request_id: serde_json::to_value(&id).unwrap_or(Value::Null),
            era,
            session: conn.session.clone(),
            outbox: conn.outbox.clone(),
            progress_token,
            log_level,
            cancel: cancel.clone(),
        };
        let mut extensions = Extensions::new();
        extensions.insert(ctx);
        let params = Params::new(params_raw).into_owned();
        let response = callback(id, params, ConnectionId(0), MAX_RESPONSE_BYTES, extensions);
        let conn = conn.clone();
        let is_initialize = method == "initialize";
        let future = async move {
            let response = response.await;
            if long {
                conn.in_flight
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key);
            }
            if cancel.is_cancelled() {
                // A cancelled request gets no reply at all.
                return None;
            }
            if is_initialize && response.is_success() {
                tracing::debug!("legacy session initialized");
            }
            Some(response.into_json().get().to_string())
        };
        Ok(Prepared::Call {
            future: Box::pin(future),
            long,
        })
    }

    fn notification(&self, method: &str, peek: &ParamsPeek, conn: &Arc<Connection>) {
        match method {
            "notifications/initialized" => conn.session.mark_initialized(),
            "notifications/cancelled" => match &peek.request_id {
                Some(id) => conn.cancel(id),
                None => tracing::debug!("notifications/cancelled without requestId"),
            },
            other => tracing::debug!(method = other, "ignoring notification"),
        }
    }
}
