//! `/mcp`: one JSON-RPC message per POST. The body is decoded once; the
//! `MCP-Protocol-Version` header says whether the framing is modern (`2026-07-28`:
//! stateless, its `Mcp-Method`/`Mcp-Name` headers must mirror the body) or legacy
//! (initialize-based, with `Mcp-Session-Id` sessions). Which era the message is served
//! under, and every MCP rule, is decided in [`crate::mcp`]; this module checks headers,
//! keeps sessions and runs the call ([`super::call`]).

use super::body::Body;
use super::call::Call;
use super::headers::{self, header_text, media_types, MCP_SESSION_ID};
use super::response::{self, accepted, error, json};
use super::{not_allowed, Shared};
use crate::error::McpError;
use crate::mcp::context::Session;
use crate::mcp::dispatch::{Connection, Prepared, Reply};
use crate::mcp::envelope::{DecodeError, Incoming};
use crate::mcp::era::{Framing, MODERN_VERSION};
use crate::mcp::methods::{self, CallKind};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::header::{HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use jsonrpsee::types::Id;
use std::sync::Arc;

pub async fn handle(shared: &Arc<Shared>, req: Request<hyper::body::Incoming>) -> Response<Body> {
    match *req.method() {
        Method::POST => post(shared, req).await,
        Method::DELETE => delete(shared, req.headers()),
        // No server-to-client stream: 405 is what both eras allow for GET.
        _ => match framing(req.headers()) {
            Ok(Framing::Modern) => not_allowed("POST"),
            _ => not_allowed("POST, DELETE"),
        },
    }
}

fn framing(headers: &HeaderMap) -> Result<Framing, McpError> {
    Framing::from_version(headers::protocol_version(headers).as_deref())
}

/// The id to answer a message on, however far it decoded.
fn id_of(decoded: &Result<Incoming, DecodeError>) -> Id<'static> {
    match decoded {
        Ok(Incoming::Request(req)) => req.id.clone(),
        Err((id, _)) => id.clone(),
        Ok(_) => Id::Null,
    }
}

/// Whether the call should be answered with an event stream: it asked for
/// notifications, or it is a listener (whose acknowledgement is one).
fn wants_stream(req: &crate::mcp::envelope::Request) -> bool {
    req.wants_notifications()
        || methods::call_kind(&req.method, req.target.as_deref()) == CallKind::OpenEnded
}

async fn read_body(
    shared: &Shared,
    headers: &HeaderMap,
    body: hyper::body::Incoming,
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

async fn post(shared: &Arc<Shared>, req: Request<hyper::body::Incoming>) -> Response<Body> {
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
    let decoded = Incoming::decode(&bytes);
    let stream_ok = headers::accepts_event_stream(headers);
    match framing(headers) {
        Err(err) => error(StatusCode::BAD_REQUEST, id_of(&decoded), err),
        Ok(Framing::Modern) => modern(shared, headers, decoded, stream_ok).await,
        Ok(Framing::Unstated) => legacy(shared, headers, decoded, stream_ok).await,
    }
}

async fn modern(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    decoded: Result<Incoming, DecodeError>,
    stream_ok: bool,
) -> Response<Body> {
    let message = match decoded {
        Ok(message) => message,
        Err((id, err)) => return response::reply(Reply::error(id, err), Framing::Modern),
    };
    let (id, stream) = match &message {
        Incoming::Request(req) => (req.id.clone(), stream_ok && wants_stream(req)),
        _ => (Id::Null, false),
    };
    if let Err(mismatch) = headers::check_mirrored(headers, &message) {
        return error(
            StatusCode::BAD_REQUEST,
            id,
            McpError::HeaderMismatch(mismatch),
        );
    }
    let call = Call {
        framing: Framing::Modern,
        state: Session::new(),
        session: None,
        stream,
        id,
    };
    call.run(shared, message).await
}

async fn legacy(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    decoded: Result<Incoming, DecodeError>,
    stream_ok: bool,
) -> Response<Body> {
    let message = match decoded {
        Ok(message) => message,
        // Not a message at all: answered as such, no session needed.
        Err((id, err)) => return response::reply(Reply::error(id, err), Framing::Unstated),
    };
    let id = match &message {
        Incoming::Request(req) if req.method == "initialize" => {
            let id = req.id.clone();
            return initialize(shared, message, id).await;
        }
        Incoming::Request(req) => req.id.clone(),
        _ => Id::Null,
    };
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
    match message {
        Incoming::Request(req) => {
            let stream = stream_ok && (wants_stream(&req) || session.state.log_level().is_some());
            let call = Call {
                framing: Framing::Unstated,
                state: session.state.clone(),
                session: Some(session),
                stream,
                id,
            };
            call.run(shared, Incoming::Request(req)).await
        }
        Incoming::Notification(note) => {
            // A notification concerns the whole session, e.g. it cancels a request
            // running on another POST.
            let running = session.running();
            if running.is_empty() {
                let conn = Connection::new(session.state.clone(), None);
                shared.dispatcher.notify(&note, &conn);
            }
            for conn in &running {
                shared.dispatcher.notify(&note, conn);
            }
            accepted()
        }
        Incoming::Response => accepted(),
    }
}

/// Runs `initialize` on a new session, which is kept (and named in `Mcp-Session-Id`)
/// only if it succeeded.
async fn initialize(shared: &Arc<Shared>, message: Incoming, id: Id<'static>) -> Response<Body> {
    let state = Session::new();
    let conn = Connection::new(state.clone(), None);
    let reply = match shared
        .dispatcher
        .dispatch(message, &conn, Framing::Unstated)
    {
        Prepared::Nothing => return accepted(),
        Prepared::Reply(reply) => reply,
        Prepared::Call { future, .. } => match future.await {
            Some(reply) => reply,
            None => return accepted(),
        },
    };
    if reply.error.is_some() {
        return response::reply(reply, Framing::Unstated);
    }
    match shared.sessions.insert(state) {
        Ok(session_id) => {
            // Never the id itself: it is what lets a client act in the session.
            tracing::info!("HTTP session opened");
            let mut response = json(StatusCode::OK, reply.json);
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
    match framing(headers) {
        Ok(Framing::Modern) => return not_allowed("POST"),
        Err(err) => return error(StatusCode::BAD_REQUEST, Id::Null, err),
        Ok(Framing::Unstated) => {}
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
            tracing::info!("HTTP session closed by the client");
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
