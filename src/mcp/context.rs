//! Per-connection and per-request state that transports attach to each call: which era
//! the request speaks, where its notifications go, and how it is cancelled.

use super::era::Era;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Where a connection's outgoing messages go (stdio's writer, an HTTP response stream).
/// Bounded: a client that stops reading slows the server down instead of growing memory.
#[derive(Clone)]
pub struct Outbox(pub mpsc::Sender<String>);

impl Outbox {
    pub async fn send(&self, message: String) {
        // A closed outbox means the client is gone; there is nobody to tell.
        let _ = self.0.send(message).await;
    }

    pub async fn notify(&self, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        self.send(message.to_string()).await;
    }
}

/// MCP log levels in increasing severity (RFC 5424 names).
pub const LOG_LEVELS: &[&str] = &[
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
];

pub fn log_level_rank(level: &str) -> Option<usize> {
    LOG_LEVELS.iter().position(|l| *l == level)
}

/// A legacy connection's handshake state (modern requests carry everything they need).
#[derive(Default)]
pub struct Session {
    version: Mutex<Option<&'static str>>,
    initialized: AtomicBool,
    /// Set by legacy `logging/setLevel`; `None` means the client asked for no log messages.
    log_level: Mutex<Option<usize>>,
    /// The client's `initialize` said it renders MCP App views.
    renders_apps: AtomicBool,
}

impl Session {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn legacy_version(&self) -> Option<&'static str> {
        *self.version.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_legacy_version(&self, version: &'static str) {
        *self.version.lock().unwrap_or_else(|e| e.into_inner()) = Some(version);
    }

    pub fn mark_initialized(&self) {
        self.initialized.store(true, Ordering::Release);
    }

    pub fn is_initialized(&self) -> bool {
        self.initialized.load(Ordering::Acquire)
    }

    pub fn set_log_level(&self, rank: usize) {
        *self.log_level.lock().unwrap_or_else(|e| e.into_inner()) = Some(rank);
    }

    pub fn log_level(&self) -> Option<usize> {
        *self.log_level.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_renders_apps(&self, renders: bool) {
        self.renders_apps.store(renders, Ordering::Release);
    }

    pub fn renders_apps(&self) -> bool {
        self.renders_apps.load(Ordering::Acquire)
    }
}

/// What a handler knows about the request it serves. Travels in jsonrpsee's `Extensions`.
#[derive(Clone)]
pub struct RequestContext {
    /// The request's JSON-RPC id, as JSON (a subscription is named by it).
    pub request_id: Value,
    pub era: Era,
    pub session: Arc<Session>,
    pub outbox: Option<Outbox>,
    /// `_meta.progressToken`, when the client asked for progress.
    pub progress_token: Option<Value>,
    /// Minimum severity of `notifications/message` the client asked for, if any.
    pub log_level: Option<usize>,
    pub cancel: CancellationToken,
    /// The client renders MCP App views (`io.modelcontextprotocol/ui`): said once in a
    /// legacy `initialize`, or in every modern request's `clientCapabilities`.
    pub renders_apps: bool,
}

impl RequestContext {
    /// Sends `notifications/progress` if (and only if) the request asked for it.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let (Some(token), Some(outbox)) = (&self.progress_token, &self.outbox) else {
            return;
        };
        let mut params = json!({ "progressToken": token, "progress": progress });
        if let Some(total) = total {
            params["total"] = json!(total);
        }
        if let Some(message) = message {
            params["message"] = json!(message);
        }
        outbox.notify("notifications/progress", params).await;
    }

    /// Sends `notifications/message` when the client asked for this severity or worse.
    pub async fn log(&self, level: &str, data: Value) {
        let (Some(min), Some(rank), Some(outbox)) =
            (self.log_level, log_level_rank(level), &self.outbox)
        else {
            return;
        };
        if rank >= min {
            let params = json!({ "level": level, "logger": "async-patterns", "data": data });
            outbox.notify("notifications/message", params).await;
        }
    }
}
