//! MCP over Streamable HTTP, plus the skill's registry files, on one listener.
//!
//! - `/mcp`: the MCP endpoint ([`endpoint`]), both eras: the modern, stateless one picked
//!   by the `MCP-Protocol-Version: 2026-07-28` header, and the legacy, initialize-based
//!   one with `Mcp-Session-Id` sessions ([`sessions`]).
//! - `/.well-known/agent-skills/…` and `/.well-known/skills/…`: what `npx skills add`
//!   reads ([`well_known`]), built by [`crate::distribution::registry`].
//! - `/`, `/index.html`, `/patterns/<id>.html`: the catalogue as web pages ([`pages`],
//!   rendered by [`crate::site`]); `/` stays a short text for clients that do not ask
//!   for HTML.
//! - `/healthz`: says whether the server is up (503 while it stops).
//!
//! Every request passes the [`guard`] first (Host, Origin, bearer token). The server
//! bounds what a client can hold: connections (a semaphore), header size and time, body
//! size and time, and each request's run time. Like stdio, it holds no MCP logic: it
//! frames bytes, checks headers and hands each message to the shared dispatcher.

mod body;
mod call;
mod endpoint;
mod guard;
mod headers;
mod home;
mod idle;
mod pages;
mod response;
mod sessions;
mod well_known;

use crate::mcp::dispatch::Dispatcher;
use crate::service::SkillService;
use body::Body;
use guard::Guard;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use sessions::Sessions;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Request heads larger than this are refused with 431: MCP's headers are short, and a
/// cap keeps a client from making us buffer without limit.
const MAX_HEADER_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
/// After the grace period has passed and running work was cancelled, how long cancelled
/// requests get to unwind (kill their demos, send their last event).
const UNWIND: Duration = Duration::from_secs(3);

pub struct HttpConfig {
    pub addr: SocketAddr,
    /// Also print the MCP URL on stdout (`--print-url`).
    pub print_url: bool,
    pub token: Option<String>,
    pub allow_origins: Vec<String>,
    pub allow_hosts: Vec<String>,
    pub allow_remote_without_token: bool,
    pub max_body_bytes: usize,
    pub max_connections: usize,
    pub max_sessions: usize,
    pub session_idle: Duration,
    pub request_timeout: Duration,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub shutdown_grace: Duration,
}

impl HttpConfig {
    /// Refuses to expose the server beyond this machine without a token, unless asked to.
    pub fn check(&self) -> Result<(), String> {
        if !self.addr.ip().is_loopback() && self.token.is_none() && !self.allow_remote_without_token
        {
            return Err(format!(
                "refusing to serve {} without a token: anyone who reaches it could call the \
                 server. Set --token (or ASYNC_PATTERNS_TOKEN), bind 127.0.0.1, or pass \
                 --allow-remote-without-token",
                self.addr
            ));
        }
        Ok(())
    }
}

/// `HOST:PORT` (`localhost` means 127.0.0.1), or a bare `PORT` on 127.0.0.1.
pub fn parse_addr(raw: &str) -> Result<SocketAddr, String> {
    let raw = raw.trim();
    if let Ok(port) = raw.trim_start_matches(':').parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Some(port) = raw.strip_prefix("localhost:") {
        if let Ok(port) = port.parse::<u16>() {
            return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
        }
    }
    raw.parse().map_err(|_| {
        format!("--http `{raw}`: expected HOST:PORT such as 127.0.0.1:8000 or [::1]:8000")
    })
}

/// What every request handler shares.
struct Shared {
    dispatcher: Arc<Dispatcher>,
    service: Arc<SkillService>,
    config: HttpConfig,
    guard: Guard,
    sessions: Sessions,
    /// The registry files, built on first request (most MCP sessions never ask).
    packed: OnceLock<Result<well_known::Packed, String>>,
    /// Set on SIGINT/SIGTERM: open-ended calls (listeners) end, /healthz says 503.
    stopping: CancellationToken,
    /// Set when the grace period is over: every running call is cancelled.
    hard_stop: CancellationToken,
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish (within the grace
/// period), cancels what is left (demos are killed) and returns.
pub async fn serve(
    dispatcher: Arc<Dispatcher>,
    service: Arc<SkillService>,
    config: HttpConfig,
) -> Result<(), String> {
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let shared = Arc::new(Shared {
        dispatcher,
        service,
        guard: Guard::new(&config, local),
        sessions: Sessions::new(config.max_sessions, config.session_idle),
        packed: OnceLock::new(),
        stopping: CancellationToken::new(),
        hard_stop: CancellationToken::new(),
        config,
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        // Also the idle keep-alive timeout: the clock runs while waiting for a head.
        .header_read_timeout(shared.config.header_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS);
    // Each connection holds a permit; when all are taken we stop accepting and further
    // clients wait in the kernel's listen queue instead of in our memory.
    let permits = Arc::new(Semaphore::new(shared.config.max_connections));
    let graceful = GracefulShutdown::new();
    let signal = super::shutdown_signal();
    tokio::pin!(signal);

    eprintln!("async-patterns: MCP on http://{local}/mcp");
    if shared.config.print_url {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "http://{local}/mcp").and_then(|()| out.flush());
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "serving MCP at http://{local}/mcp, the skill registry at http://{local}/.well-known/"
    );
    let open = Arc::new(idle::OpenConnections::default());
    // When every slot is taken, this many of the oldest silent connections make room.
    let evict_batch = (shared.config.max_connections / 8).max(1);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                let closed = open.evict_silent(evict_batch);
                if closed > 0 {
                    tracing::info!("all {} connection slots taken: closed {closed} silent ones", shared.config.max_connections);
                }
                continue;
            }
            _ = &mut signal => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut signal => break,
        };
        // Replies written in pieces (SSE) would otherwise wait on Nagle + delayed ACK.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {e}");
        }
        let shared = shared.clone();
        let ticket = open.track();
        let spoke = ticket.spoke.clone();
        let service = hyper::service::service_fn(move |req| {
            spoke.store(true, std::sync::atomic::Ordering::Relaxed);
            let shared = shared.clone();
            async move { Ok::<_, Infallible>(route(&shared, req).await) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            tokio::select! {
                result = connection => {
                    if let Err(e) = result {
                        tracing::debug!(%peer, "connection: {e}");
                    }
                }
                () = ticket.evict.cancelled() => tracing::debug!(%peer, "closed a silent connection"),
            }
            drop(ticket);
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("shutting down: waiting for in-flight requests");
    shared.stopping.cancel();
    let drained = graceful.shutdown();
    tokio::pin!(drained);
    tokio::select! {
        _ = &mut drained => {}
        _ = tokio::time::sleep(shared.config.shutdown_grace) => {
            tracing::warn!("grace period over: cancelling running requests");
            shared.hard_stop.cancel();
            let _ = tokio::time::timeout(UNWIND, &mut drained).await;
        }
    }
    // Whatever is still running (a client that never reads) is cancelled with it.
    shared.hard_stop.cancel();
    Ok(())
}

async fn route(shared: &Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    // The token is never logged: only the method, path and status.
    let logged = tracing::enabled!(tracing::Level::DEBUG)
        .then(|| (req.method().clone(), req.uri().path().to_string()));
    let response = respond(shared, req).await;
    if let Some((method, path)) = logged {
        tracing::debug!(%method, path, status = response.status().as_u16(), "http");
    }
    response
}

async fn respond(shared: &Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    if let Err(refusal) = shared.guard.check_host(req.headers()) {
        return refusal.response();
    }
    if let Err(refusal) = shared.guard.check_origin(req.headers()) {
        return refusal.response();
    }
    let path = req.uri().path();
    if path == "/mcp" {
        match shared.guard.check_token(req.headers()) {
            Err(refusal) => refusal.response(),
            Ok(()) => endpoint::handle(shared, req).await,
        }
    } else if path == "/healthz" {
        healthz(shared, req.method())
    } else if pages::owns(path) {
        let path = path.to_string();
        pages::handle(shared, req.method(), req.headers(), &path)
    } else if let Some(rest) = path.strip_prefix("/.well-known/") {
        let rest = rest.to_string();
        well_known::handle(shared, req.method(), &rest)
    } else {
        text(
            StatusCode::NOT_FOUND,
            "not found; MCP is served at /mcp, the catalogue's index at /\n",
        )
    }
}

fn healthz(shared: &Shared, method: &Method) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return not_allowed("GET, HEAD");
    }
    let (status, message) = if shared.stopping.is_cancelled() {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping\n")
    } else {
        (StatusCode::OK, "ok\n")
    };
    let mut response = text(status, message);
    if method == Method::HEAD {
        body::strip_for_head(&mut response);
    }
    response
}

pub(super) fn text(status: StatusCode, message: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::full(message));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

pub(super) fn not_allowed(allow: &'static str) -> Response<Body> {
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_default_to_loopback() {
        assert_eq!(parse_addr("8000").unwrap().to_string(), "127.0.0.1:8000");
        assert_eq!(parse_addr(":0").unwrap().to_string(), "127.0.0.1:0");
        assert_eq!(
            parse_addr("localhost:9").unwrap().to_string(),
            "127.0.0.1:9"
        );
        assert_eq!(parse_addr("[::1]:80").unwrap().to_string(), "[::1]:80");
        assert!(parse_addr("nowhere").is_err());
    }
}
