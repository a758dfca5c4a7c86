//! From a decoded message to a reply: decides the request's era, checks it against the
//! method table and calls the handler with its per-request context. Shared by every
//! transport; the reply says its error code, so a transport can act on it (HTTP picks
//! its status) without reading the JSON back.

use super::context::{log_level_rank, Outbox, RequestContext, Session};
use super::envelope::{Incoming, Notification, Request};
use super::era::{self, Era, Framing, META_LOG_LEVEL};
use super::methods::{self, CallKind};
use crate::error::McpError;
use crate::service::SkillService;
use jsonrpsee::types::{Id, Params};
use jsonrpsee::{MethodResponse, ResponsePayload};
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Largest reply we build; tool results are far smaller (hosts cap them near 25k tokens).
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

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

    fn track(&self, key: &str, token: &CancellationToken) {
        self.in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), token.clone());
    }

    fn untrack(&self, key: &str) {
        self.in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

/// The error a reply carries, as a transport needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyError {
    pub code: i32,
    /// The message itself was refused (not JSON-RPC, wrong era markers, unknown
    /// version): the request as sent cannot be served, as opposed to a method that ran
    /// and failed.
    pub refused: bool,
}

/// One JSON-RPC response, encoded, with what it says about the outcome.
#[derive(Debug)]
pub struct Reply {
    pub json: String,
    pub error: Option<ReplyError>,
}

impl Reply {
    pub fn error(id: Id<'_>, err: McpError) -> Reply {
        let error = ReplyError {
            code: err.code(),
            refused: err.refuses_message(),
        };
        let obj: jsonrpsee::types::ErrorObjectOwned = err.into();
        Reply {
            json: encode(MethodResponse::error(id, obj)),
            error: Some(error),
        }
    }

    fn success(id: Id<'_>, value: &Value) -> Reply {
        let response = MethodResponse::response(
            id,
            ResponsePayload::success_borrowed(value),
            MAX_RESPONSE_BYTES,
        );
        // Only an oversized result turns into an error here.
        let error = response.as_error_code().map(|code| ReplyError {
            code,
            refused: false,
        });
        Reply {
            json: encode(response),
            error,
        }
    }

    pub fn error_code(&self) -> Option<i32> {
        self.error.map(|e| e.code)
    }
}

fn encode(response: MethodResponse) -> String {
    let raw: Box<str> = response.into_json().into();
    raw.into_string()
}

pub type CallFuture = Pin<Box<dyn Future<Output = Option<Reply>> + Send>>;

/// What a message turned into.
pub enum Prepared {
    /// Nothing to send (a notification, a stray response).
    Nothing,
    /// An immediate reply (an error found before any handler ran).
    Reply(Reply),
    /// A call to run; `None` from the future means it was cancelled and gets no reply.
    Call { future: CallFuture, kind: CallKind },
}

pub struct Dispatcher {
    service: Arc<SkillService>,
}

impl Dispatcher {
    pub fn new(service: Arc<SkillService>) -> Self {
        Self { service }
    }

    /// Decodes `bytes` and prepares its handling on `conn`, the era left to the message
    /// and the session (stdio).
    pub fn prepare(&self, bytes: &[u8], conn: &Arc<Connection>) -> Prepared {
        match Incoming::decode(bytes) {
            Ok(incoming) => self.dispatch(incoming, conn, Framing::Unstated),
            Err((id, err)) => Prepared::Reply(Reply::error(id, err)),
        }
    }

    /// Prepares the handling of a decoded message arriving under `framing` on `conn`.
    pub fn dispatch(
        &self,
        incoming: Incoming,
        conn: &Arc<Connection>,
        framing: Framing,
    ) -> Prepared {
        match incoming {
            Incoming::Response => {
                tracing::debug!("ignoring a response message");
                Prepared::Nothing
            }
            Incoming::Notification(note) => {
                self.notify(&note, conn);
                Prepared::Nothing
            }
            Incoming::Request(req) => {
                let id = req.id.clone();
                match self.call(req, conn, framing) {
                    Ok(prepared) => prepared,
                    Err(err) => Prepared::Reply(Reply::error(id, err)),
                }
            }
        }
    }

    /// Applies a notification to `conn`.
    pub fn notify(&self, note: &Notification, conn: &Connection) {
        match note.method.as_str() {
            "notifications/initialized" => conn.session.mark_initialized(),
            "notifications/cancelled" => match &note.request_id {
                Some(id) => conn.cancel(id),
                None => tracing::debug!("notifications/cancelled without requestId"),
            },
            other => tracing::debug!(method = other, "ignoring notification"),
        }
    }

    fn call(
        &self,
        req: Request,
        conn: &Arc<Connection>,
        framing: Framing,
    ) -> Result<Prepared, McpError> {
        let era = era::decide(&req, framing, &conn.session)?;
        let method = match methods::find(&req.method) {
            Some(m) if m.serves(era) => m,
            Some(_) => {
                return Err(McpError::MethodNotFound(format!(
                    "`{}` is not part of protocol {}",
                    req.method,
                    era.version()
                )))
            }
            None => return Err(McpError::MethodNotFound(format!("`{}`", req.method))),
        };
        if era == Era::Modern {
            era::check_modern_meta(&req)?;
        }
        let progress_token = match req.meta.progress_token {
            None => None,
            Some(token @ Value::String(_)) => Some(token),
            Some(token @ Value::Number(_)) if token.is_i64() || token.is_u64() => Some(token),
            Some(_) => {
                return Err(McpError::InvalidParams(
                    "_meta.progressToken must be a string or an integer".into(),
                ))
            }
        };
        let log_level = match (era, &req.meta.log_level) {
            (Era::Modern, Some(level)) => Some(
                level
                    .as_str()
                    .and_then(log_level_rank)
                    .ok_or_else(|| McpError::InvalidParams(format!("unknown {META_LOG_LEVEL}")))?,
            ),
            (Era::Modern, None) => None,
            (Era::Legacy(_), _) => conn.session.log_level(),
        };

        if req.method == "tools/call" {
            // The tool's name only: arguments can hold a user's code or secrets.
            tracing::info!(
                tool = req.target.as_deref().unwrap_or("?"),
                protocol = era.version(),
                "tool call"
            );
        }
        let kind = methods::call_kind(&req.method, req.target.as_deref());
        let cancel = conn.closed.child_token();
        let id = req.id;
        let key = serde_json::to_string(&id).unwrap_or_default();
        let tracked = kind != CallKind::Quick;
        if tracked {
            conn.track(&key, &cancel);
        }
        let ctx = RequestContext {
            request_id: serde_json::to_value(&id).unwrap_or(Value::Null),
            era,
            session: conn.session.clone(),
            outbox: conn.outbox.clone(),
            progress_token,
            log_level,
            cancel: cancel.clone(),
            renders_apps: match era {
                Era::Modern => req.meta.renders_apps,
                Era::Legacy(_) => conn.session.renders_apps(),
            },
        };
        let params = Params::new(req.params.as_deref().map(|raw| raw.get())).into_owned();
        let running = method.call(self.service.clone(), params, ctx);
        let conn = conn.clone();
        let future = async move {
            let result = running.await;
            if tracked {
                conn.untrack(&key);
            }
            if cancel.is_cancelled() {
                // A cancelled request gets no reply at all.
                return None;
            }
            Some(match result {
                Ok(value) => Reply::success(id, &value),
                Err(err) => Reply::error(id, err),
            })
        };
        Ok(Prepared::Call {
            future: Box::pin(future),
            kind,
        })
    }
}
