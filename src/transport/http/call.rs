//! Running one dispatched request over HTTP: under the server's per-request deadline and
//! shutdown signal, answered with JSON, or with an event stream when the request asked
//! for notifications (progress, log messages), which then precede the final response.
//! Closing that stream (or the connection) cancels the request.

use super::body::{sse_event, Body};
use super::response::{self, accepted, json, status_for};
use super::sessions::LegacySession;
use super::Shared;
use crate::error::McpError;
use crate::mcp::context::{Outbox, Session};
use crate::mcp::dispatch::{CallFuture, Connection, Prepared, Reply};
use crate::mcp::envelope::Incoming;
use crate::mcp::era::Framing;
use crate::mcp::methods::CallKind;
use bytes::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use jsonrpsee::types::Id;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Events queued for a slow reader of one stream before the call itself has to wait.
const STREAM_BACKLOG: usize = 64;

/// Cancels a request's connection when its handler goes away: the client closed the
/// connection (hyper drops the handler) or the event stream was dropped.
struct CancelOnDrop(CancellationToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// How a call ended.
enum CallEnd {
    Reply(Reply),
    /// Cancelled by the client (`notifications/cancelled`, DELETE): no reply is due.
    Cancelled,
    TimedOut(Duration),
    /// The server is stopping and the grace period is over.
    Stopped,
}

/// One request to run on its own connection.
pub struct Call {
    pub framing: Framing,
    pub state: Arc<Session>,
    pub session: Option<Arc<LegacySession>>,
    /// Answer with an event stream (the request asked for notifications and the client
    /// accepts one).
    pub stream: bool,
    pub id: Id<'static>,
}

impl Call {
    pub async fn run(self, shared: &Arc<Shared>, message: Incoming) -> Response<Body> {
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
        match shared.dispatcher.dispatch(message, &conn, self.framing) {
            Prepared::Nothing => accepted(),
            Prepared::Reply(reply) => response::reply(reply, self.framing),
            Prepared::Call { future, kind } => match notes {
                Some(notes) => self.stream_reply(shared.clone(), conn, future, kind, notes),
                None => {
                    let _cancel = CancelOnDrop(conn.closed.clone());
                    let end = run_to_end(shared, &conn, future, kind).await;
                    self.json_reply(end)
                }
            },
        }
    }

    fn last_message(&self, end: CallEnd) -> Option<Reply> {
        let failure = match end {
            CallEnd::Reply(reply) => return Some(reply),
            CallEnd::Cancelled => return None,
            CallEnd::TimedOut(limit) => McpError::Internal(format!(
                "the request did not finish within {} s, the server's per-request deadline \
                 (--request-timeout-secs)",
                limit.as_secs()
            )),
            CallEnd::Stopped => McpError::Internal("the server is shutting down".into()),
        };
        Some(Reply::error(self.id.clone(), failure))
    }

    fn json_reply(&self, end: CallEnd) -> Response<Body> {
        let stopped = matches!(end, CallEnd::Stopped);
        match self.last_message(end) {
            Some(reply) => {
                let status = if stopped {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    status_for(reply.error, self.framing)
                };
                json(status, reply.json)
            }
            None => response::error(
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
        kind: CallKind,
        mut notes: mpsc::Receiver<String>,
    ) -> Response<Body> {
        let (events, body) = mpsc::channel::<Bytes>(STREAM_BACKLOG);
        tokio::spawn(async move {
            let _cancel = CancelOnDrop(conn.closed.clone());
            let finished = run_to_end(&shared, &conn, future, kind);
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
                    end = &mut finished => {
                        while let Ok(note) = notes.try_recv() {
                            if events.send(sse_event(&note)).await.is_err() {
                                return;
                            }
                        }
                        if let Some(last) = self.last_message(end) {
                            let _ = events.send(sse_event(&last.json)).await;
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
async fn run_to_end(
    shared: &Shared,
    conn: &Connection,
    future: CallFuture,
    kind: CallKind,
) -> CallEnd {
    let mut future: CallFuture = if kind == CallKind::Quick {
        future
    } else {
        let task = tokio::spawn(future);
        Box::pin(async move { task.await.ok().flatten() })
    };
    let open_ended = kind == CallKind::OpenEnded;
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
        reply = &mut future => reply.map_or(CallEnd::Cancelled, CallEnd::Reply),
        _ = deadline => {
            conn.closed.cancel();
            let _ = future.await;
            CallEnd::TimedOut(limit)
        }
        _ = stop.cancelled() => {
            conn.closed.cancel();
            let _ = future.await;
            CallEnd::Stopped
        }
    }
}
