//! `/mcp`: one JSON-RPC message per POST, answered with JSON, or with an event stream
//! when the request asked for notifications (progress, log messages), which then
//! precede the final response. Closing that stream cancels the request.
//!
//! The era comes from the `MCP-Protocol-Version` header: `2026-07-28` is stateless and
//! its `Mcp-Method`/`Mcp-Name` headers must mirror the body; no header (or a legacy
//! version) is the initialize-based protocol with `Mcp-Session-Id` sessions.

use super::body::{sse_event, Body};
use super::sessions::LegacySession;
use super::{not_allowed, Shared};
use crate::error::{
    McpError, HEADER_MISMATCH, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
    UNSUPPORTED_PROTOCOL_VERSION,
};
use crate::mcp::context::{
    Outbox, Session, LEGACY_VERSIONS, META_CLIENT_CAPABILITIES, META_PROTOCOL_VERSION,
    MODERN_VERSION,
};
use crate::mcp::dispatch::{self, Connection, MessageInfo, Prepared};
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{
    HeaderName, HeaderValue, ACCEPT, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE,
};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use jsonrpsee::types::Id;
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
const MCP_METHOD: HeaderName = HeaderName::from_static("mcp-method");
const MCP_NAME: HeaderName = HeaderName::from_static("mcp-name");
const MCP_SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");

/// Events queued for a slow reader of one stream before the call itself has to wait.
const STREAM_BACKLOG: usize = 64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Era {
    Modern,
    Legacy,
}

type CallFuture = Pin<Box<dyn Future<Output = Option<String>> + Send>>;

pub async fn handle(shared: &Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    match *req.method() {
        Method::POST => post(shared, req).await,
        Method::DELETE => delete(shared, req.headers()),
        // No server-to-client stream: 405 is what both eras allow for GET.
        _ => match header_era(req.headers()) {
            Ok(Era::Modern) => not_allowed("POST"),
            _ => not_allowed("POST, DELETE"),
        },
    }
}

/// The era the `MCP-Protocol-Version` header names; `Err(version)` when it is unknown.
fn header_era(headers: &HeaderMap) -> Result<Era, String> {
    let Some(value) = headers.get(&PROTOCOL_VERSION) else {
        return Ok(Era::Legacy);
    };
    let version = String::from_utf8_lossy(value.as_bytes());
    let version = version.trim();
    if version == MODERN_VERSION {
        Ok(Era::Modern)
    } else if LEGACY_VERSIONS.contains(&version) {
        Ok(Era::Legacy)
    } else {
        Err(version.to_string())
    }
}

fn unsupported_version(requested: String) -> McpError {
    let mut supported = vec![MODERN_VERSION];
    supported.extend_from_slice(LEGACY_VERSIONS);
    McpError::UnsupportedVersion {
        requested,
        supported,
    }
}

fn header_text<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
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

fn json(status: StatusCode, message: String) -> Response<Body> {
    let mut response = Response::new(Body::full(message));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error(status: StatusCode, id: Id<'_>, err: McpError) -> Response<Body> {
    json(status, dispatch::error_reply(id, err))
}

fn accepted() -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::ACCEPTED;
    response
}

/// The JSON-RPC error code of a reply, if it is an error.
fn error_code(reply: &str) -> Option<i64> {
    #[derive(Deserialize)]
    struct Reply {
        error: Option<Code>,
    }
    #[derive(Deserialize)]
    struct Code {
        code: i64,
    }
    // Most replies are results: skip the parse when no error member can be there.
    if !reply.contains("\"error\"") {
        return None;
    }
    serde_json::from_str::<Reply>(reply)
        .ok()?
        .error
        .map(|e| e.code)
}

/// Errors about the message itself are HTTP errors too; a modern unknown method is 404.
fn status_for(reply: &str, era: Era) -> StatusCode {
    match error_code(reply).and_then(|c| i32::try_from(c).ok()) {
        None => StatusCode::OK,
        Some(PARSE_ERROR | INVALID_REQUEST | HEADER_MISMATCH | UNSUPPORTED_PROTOCOL_VERSION) => {
            StatusCode::BAD_REQUEST
        }
        Some(METHOD_NOT_FOUND) if era == Era::Modern => StatusCode::NOT_FOUND,
        Some(_) => StatusCode::OK,
    }
}

fn media_types(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split(',').map(|part| {
        part.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

/// Whether the client takes `text/event-stream` (no `Accept` at all takes anything).
fn accepts_event_stream(headers: &HeaderMap) -> bool {
    match header_text(headers, &ACCEPT) {
        None => true,
        Some(accept) => {
            media_types(accept).any(|t| t == "text/event-stream" || t == "*/*" || t == "text/*")
        }
    }
}

async fn read_body(
    shared: &Shared,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<Bytes, Response<Body>> {
    let max = shared.config.max_body_bytes;
    let refuse = |status: StatusCode, message: String| {
        let mut response = error(status, Id::Null, McpError::InvalidRequest(message));
        // The rest of the body is not read: the connection cannot carry another request.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        response
    };
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the message is larger than {max} bytes (see --max-message-bytes)"),
        )
    };
    let declared = header_text(headers, &CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Err(too_large());
    }
    let limit = shared.config.body_timeout;
    match tokio::time::timeout(limit, Limited::new(body, max).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(e)) => Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("cannot read the request body: {e}"),
        )),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s",
                limit.as_secs()
            ),
        )),
    }
}

async fn post(shared: &Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let headers = &parts.headers;
    if let Some(content_type) = header_text(headers, &CONTENT_TYPE) {
        if !media_types(content_type).any(|t| t == "application/json") {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Id::Null,
                McpError::InvalidRequest("Content-Type must be application/json".into()),
            );
        }
    }
    let bytes = match read_body(shared, headers, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let info = dispatch::inspect(&bytes);
    let id = info.as_ref().and_then(|i| i.id.clone()).unwrap_or(Id::Null);
    let stream_ok = accepts_event_stream(headers);
    match header_era(headers) {
        Err(requested) => error(StatusCode::BAD_REQUEST, id, unsupported_version(requested)),
        Ok(Era::Modern) => modern(shared, headers, &bytes, info, id, stream_ok).await,
        Ok(Era::Legacy) => legacy(shared, headers, &bytes, info, id, stream_ok).await,
    }
}

/// `Mcp-Method` (always) and `Mcp-Name` (when the method has a target) must repeat
/// what the body says: intermediaries route on them without reading the body.
fn check_mirrored_headers(headers: &HeaderMap, info: &MessageInfo) -> Result<(), String> {
    if let Some(method) = &info.method {
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
    if let Some(name) = &info.name {
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

/// A modern request carries its protocol version (the header's) and the client's
/// capabilities in `params._meta`.
fn check_request_meta(info: &MessageInfo) -> Result<(), (StatusCode, McpError)> {
    match info.protocol_version.as_deref() {
        Some(MODERN_VERSION) => {}
        Some(other) => {
            return Err((
                StatusCode::BAD_REQUEST,
                McpError::HeaderMismatch(format!(
                    "the MCP-Protocol-Version header says {MODERN_VERSION} but \
                     params._meta[\"{META_PROTOCOL_VERSION}\"] says `{other}`"
                )),
            ))
        }
        None => {
            return Err((
                StatusCode::BAD_REQUEST,
                McpError::InvalidParams(format!(
                    "params._meta[\"{META_PROTOCOL_VERSION}\"] is required in protocol \
                     {MODERN_VERSION}"
                )),
            ))
        }
    }
    if !info.has_client_capabilities {
        return Err((
            StatusCode::BAD_REQUEST,
            McpError::InvalidParams(format!(
                "params._meta[\"{META_CLIENT_CAPABILITIES}\"] (an object, possibly empty) is \
                 required in protocol {MODERN_VERSION}"
            )),
        ));
    }
    Ok(())
}

async fn modern(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    bytes: &[u8],
    info: Option<MessageInfo>,
    id: Id<'static>,
    stream_ok: bool,
) -> Response<Body> {
    if let Some(info) = &info {
        if let Err(message) = check_mirrored_headers(headers, info) {
            return error(
                StatusCode::BAD_REQUEST,
                id,
                McpError::HeaderMismatch(message),
            );
        }
        if let (Some(method), Some(_)) = (&info.method, &info.id) {
            if !shared.dispatcher.serves(method, true) {
                return error(
                    StatusCode::NOT_FOUND,
                    id,
                    McpError::MethodNotFound(format!(
                        "`{method}` is not a method of protocol {MODERN_VERSION}"
                    )),
                );
            }
            if let Err((status, err)) = check_request_meta(info) {
                return error(status, id, err);
            }
        }
    }
    let stream = stream_ok
        && info
            .as_ref()
            .is_some_and(|i| i.wants_notifications || i.open_ended);
    let call = Call {
        era: Era::Modern,
        state: Session::new(),
        session: None,
        stream,
        open_ended: info.as_ref().is_some_and(|i| i.open_ended),
        id,
    };
    call.run(shared, bytes).await
}

async fn legacy(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    bytes: &[u8],
    info: Option<MessageInfo>,
    id: Id<'static>,
    stream_ok: bool,
) -> Response<Body> {
    let Some(info) = info else {
        // Not a JSON-RPC object: the dispatcher words the error, no session needed.
        let conn = Connection::new(Session::new(), None);
        return match shared.dispatcher.prepare(bytes, &conn) {
            Prepared::Reply(reply) => json(StatusCode::BAD_REQUEST, reply),
            _ => accepted(),
        };
    };
    if info.id.is_some() && info.method.as_deref() == Some("initialize") {
        return initialize(shared, bytes, id).await;
    }
    let Some(session_id) = header_text(headers, &MCP_SESSION_ID) else {
        return error(
            StatusCode::BAD_REQUEST,
            id,
            McpError::InvalidRequest(format!(
                "the Mcp-Session-Id header is missing: send `initialize` first and repeat the \
                 id it returns, or use protocol {MODERN_VERSION}, which has no sessions"
            )),
        );
    };
    let Some(session) = shared.sessions.get(session_id) else {
        return error(
            StatusCode::NOT_FOUND,
            id,
            McpError::InvalidRequest(
                "unknown or expired session: send `initialize` again for a new one".into(),
            ),
        );
    };
    if info.id.is_none() {
        // A notification (or a response) concerns the whole session, e.g. it cancels
        // a request running on another POST.
        // A message with neither id nor a valid shape (`{}`, a wrong `jsonrpc`) is not a
        // notification: it gets its error, not 202.
        let running = session.running();
        if running.is_empty() {
            let conn = Connection::new(session.state.clone(), None);
            if let Prepared::Reply(reply) = shared.dispatcher.prepare(bytes, &conn) {
                return json(StatusCode::BAD_REQUEST, reply);
            }
        }
        for conn in &running {
            if let Prepared::Reply(reply) = shared.dispatcher.prepare(bytes, conn) {
                return json(StatusCode::BAD_REQUEST, reply);
            }
        }
        return accepted();
    }
    let stream = stream_ok
        && (info.wants_notifications || info.open_ended || session.state.log_level().is_some());
    let call = Call {
        era: Era::Legacy,
        state: session.state.clone(),
        session: Some(session),
        stream,
        open_ended: info.open_ended,
        id,
    };
    call.run(shared, bytes).await
}

/// Runs `initialize` on a new session, which is kept (and named in `Mcp-Session-Id`)
/// only if it succeeded.
async fn initialize(shared: &Arc<Shared>, bytes: &[u8], id: Id<'static>) -> Response<Body> {
    let state = Session::new();
    let conn = Connection::new(state.clone(), None);
    let reply = match shared.dispatcher.prepare(bytes, &conn) {
        Prepared::Nothing => return accepted(),
        Prepared::Reply(reply) => reply,
        Prepared::Call { future, .. } => match future.await {
            Some(reply) => reply,
            None => return accepted(),
        },
    };
    if error_code(&reply).is_some() {
        return json(status_for(&reply, Era::Legacy), reply);
    }
    match shared.sessions.insert(state) {
        Ok(session_id) => {
            let mut response = json(StatusCode::OK, reply);
            if let Ok(value) = HeaderValue::from_str(&session_id) {
                response.headers_mut().insert(MCP_SESSION_ID, value);
            }
            response
        }
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            id,
            McpError::Internal(format!(
                "every session is busy; try again shortly, or use protocol {MODERN_VERSION}"
            )),
        ),
    }
}

fn delete(shared: &Shared, headers: &HeaderMap) -> Response<Body> {
    match header_era(headers) {
        Ok(Era::Modern) => return not_allowed("POST"),
        Err(requested) => {
            return error(
                StatusCode::BAD_REQUEST,
                Id::Null,
                unsupported_version(requested),
            )
        }
        Ok(Era::Legacy) => {}
    }
    let Some(session_id) = header_text(headers, &MCP_SESSION_ID) else {
        return error(
            StatusCode::BAD_REQUEST,
            Id::Null,
            McpError::InvalidRequest("the Mcp-Session-Id header is missing".into()),
        );
    };
    match shared.sessions.remove(session_id) {
        Some(session) => {
            session.close();
            Response::new(Body::empty())
        }
        None => error(
            StatusCode::NOT_FOUND,
            Id::Null,
            McpError::InvalidRequest("unknown or expired session".into()),
        ),
    }
}

/// Cancels a request's connection when its handler goes away: the client closed the
/// connection (hyper drops the handler) or the event stream was dropped.
struct CancelOnDrop(CancellationToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// How a call ended.
enum Outcome {
    Reply(String),
    /// Cancelled by the client (`notifications/cancelled`, DELETE): no reply is due.
    Cancelled,
    TimedOut(Duration),
    /// The server is stopping and the grace period is over.
    Stopped,
}

/// One request to run on its own connection.
struct Call {
    era: Era,
    state: Arc<Session>,
    session: Option<Arc<LegacySession>>,
    stream: bool,
    open_ended: bool,
    id: Id<'static>,
}

impl Call {
    async fn run(self, shared: &Arc<Shared>, bytes: &[u8]) -> Response<Body> {
        let (outbox, notes) = if self.stream {
            let (tx, rx) = mpsc::channel(STREAM_BACKLOG);
            (Some(Outbox(tx)), Some(rx))
        } else {
            (None, None)
        };
        let conn = Connection::new(self.state.clone(), outbox);
        if let Some(session) = &self.session {
            session.attach(&conn);
        }
        match shared.dispatcher.prepare(bytes, &conn) {
            Prepared::Nothing => accepted(),
            Prepared::Reply(reply) => json(status_for(&reply, self.era), reply),
            Prepared::Call { future, long } => match notes {
                Some(notes) => self.stream_reply(shared.clone(), conn, future, long, notes),
                None => {
                    let _cancel = CancelOnDrop(conn.closed.clone());
                    let outcome = finish(shared, &conn, future, long, self.open_ended).await;
                    self.json_reply(outcome)
                }
            },
        }
    }

    fn last_message(&self, outcome: Outcome) -> Option<String> {
        let failure = match outcome {
            Outcome::Reply(reply) => return Some(reply),
            Outcome::Cancelled => return None,
            Outcome::TimedOut(limit) => McpError::Internal(format!(
                "the request did not finish within {} s, the server's per-request deadline \
                 (--request-timeout-secs)",
                limit.as_secs()
            )),
            Outcome::Stopped => McpError::Internal("the server is shutting down".into()),
        };
        Some(dispatch::error_reply(self.id.clone(), failure))
    }

    fn json_reply(&self, outcome: Outcome) -> Response<Body> {
        let status = match &outcome {
            Outcome::Reply(reply) => status_for(reply, self.era),
            Outcome::Stopped => StatusCode::SERVICE_UNAVAILABLE,
            Outcome::Cancelled | Outcome::TimedOut(_) => StatusCode::OK,
        };
        match self.last_message(outcome) {
            Some(message) => json(status, message),
            None => error(
                StatusCode::OK,
                self.id.clone(),
                McpError::InvalidRequest("the request was cancelled".into()),
            ),
        }
    }

    /// Answers with an event stream: the call's notifications as they come, then its
    /// response. A task feeds the stream; when the client drops it, the call is cancelled.
    fn stream_reply(
        self,
        shared: Arc<Shared>,
        conn: Arc<Connection>,
        future: CallFuture,
        long: bool,
        mut notes: mpsc::Receiver<String>,
    ) -> Response<Body> {
        let (events, body) = mpsc::channel::<Bytes>(STREAM_BACKLOG);
        tokio::spawn(async move {
            let _cancel = CancelOnDrop(conn.closed.clone());
            let finished = finish(&shared, &conn, future, long, self.open_ended);
            tokio::pin!(finished);
            loop {
                tokio::select! {
                    // Notifications first: each must precede the final response.
                    biased;
                    Some(note) = notes.recv() => {
                        if events.send(sse_event(&note)).await.is_err() {
                            return;
                        }
                    }
                    outcome = &mut finished => {
                        while let Ok(note) = notes.try_recv() {
                            if events.send(sse_event(&note)).await.is_err() {
                                return;
                            }
                        }
                        if let Some(last) = self.last_message(outcome) {
                            let _ = events.send(sse_event(&last)).await;
                        }
                        return;
                    }
                    _ = events.closed() => return,
                }
            }
        });
        let mut response = Response::new(Body::Stream(body));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

/// Runs a prepared call to its end under the request deadline and the shutdown signal.
/// Long calls (demos) run on their own task, so that a cancelled one still unwinds
/// (kills its process group) after its handler is gone.
async fn finish(
    shared: &Shared,
    conn: &Connection,
    future: CallFuture,
    long: bool,
    open_ended: bool,
) -> Outcome {
    let mut future: CallFuture = if long {
        let task = tokio::spawn(future);
        Box::pin(async move { task.await.ok().flatten() })
    } else {
        future
    };
    let limit = shared.config.request_timeout;
    let deadline = async {
        if open_ended {
            std::future::pending::<()>().await
        } else {
            tokio::time::sleep(limit).await
        }
    };
    // Listeners never finish by themselves: they end as soon as shutdown starts.
    let stop = if open_ended {
        &shared.stopping
    } else {
        &shared.hard_stop
    };
    tokio::select! {
        reply = &mut future => reply.map_or(Outcome::Cancelled, Outcome::Reply),
        _ = deadline => {
            conn.closed.cancel();
            let _ = future.await;
            Outcome::TimedOut(limit)
        }
        _ = stop.cancelled() => {
            conn.closed.cancel();
            let _ = future.await;
            Outcome::Stopped
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_comes_from_the_version_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(header_era(&headers), Ok(Era::Legacy));
        headers.insert(&PROTOCOL_VERSION, HeaderValue::from_static("2026-07-28"));
        assert_eq!(header_era(&headers), Ok(Era::Modern));
        headers.insert(&PROTOCOL_VERSION, HeaderValue::from_static("2025-06-18"));
        assert_eq!(header_era(&headers), Ok(Era::Legacy));
        headers.insert(&PROTOCOL_VERSION, HeaderValue::from_static("1999-01-01"));
        assert_eq!(header_era(&headers), Err("1999-01-01".into()));
    }

    #[test]
    fn mirrored_values_may_be_base64() {
        let plain = HeaderValue::from_static("get_snippet");
        assert_eq!(mirrored_value(&plain).as_deref(), Some("get_snippet"));
        let encoded = HeaderValue::from_static("=?base64?w6l0w6k=?=");
        assert_eq!(mirrored_value(&encoded).as_deref(), Some("été"));
    }

    #[test]
    fn statuses_follow_the_error_code() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"result":{"text":"an \"error\" word"}}"#;
        assert_eq!(status_for(ok, Era::Modern), StatusCode::OK);
        let missing = r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}}"#;
        assert_eq!(status_for(missing, Era::Modern), StatusCode::NOT_FOUND);
        assert_eq!(status_for(missing, Era::Legacy), StatusCode::OK);
        let parse = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#;
        assert_eq!(status_for(parse, Era::Legacy), StatusCode::BAD_REQUEST);
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
