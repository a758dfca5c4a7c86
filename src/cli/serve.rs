//! `serve`: MCP over stdio (one thread, the default) or Streamable HTTP (`--http`).

use super::args::ServeArgs;
use super::{init_tracing, runtime, usage, Threads};
use crate::service::SkillService;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

const TERMINAL_HINT: &str =
    "async-patterns: serving MCP on stdin/stdout (newline-delimited JSON-RPC).
It is waiting for an MCP client; you are typing into the protocol stream.
Try instead:
  async-patterns list                 browse the catalogue
  async-patterns search \"limit concurrent requests\"
  claude mcp add async-patterns -- async-patterns serve     add it to Claude Code
Press Ctrl-D to quit.";

pub(super) fn serve(service: Arc<SkillService>, args: ServeArgs) -> ExitCode {
    init_tracing(&args.log_level);
    if args.http.http.is_some() {
        return serve_http(service, args);
    }
    if std::io::stdin().is_terminal() {
        eprintln!("{TERMINAL_HINT}");
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "serving MCP on stdin/stdout"
    );
    // One thread: the stdio path is a single reader and writer, and avoiding cross-thread
    // hand-offs per message is what keeps latency low.
    let runtime = match runtime(Threads::One) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let dispatcher = Arc::new(crate::mcp::dispatch::Dispatcher::new(service));
    let config = crate::transport::stdio::StdioConfig {
        max_message_bytes: args.max_message_bytes,
    };
    #[cfg(unix)]
    runtime.block_on(async move {
        use crate::transport::pipe::{poll_fd, PipeReader, PipeWriter};
        use crate::transport::stdio::serve;
        let input: Box<dyn tokio::io::AsyncRead + Unpin> = match poll_fd(0) {
            Some(fd) => Box::new(PipeReader::new(fd)),
            None => Box::new(tokio::io::stdin()),
        };
        let shutdown = crate::transport::shutdown_signal();
        match poll_fd(1) {
            Some(fd) => serve(dispatcher, input, PipeWriter(fd), config, shutdown).await,
            None => serve(dispatcher, input, tokio::io::stdout(), config, shutdown).await,
        }
    });
    // Elsewhere tokio's own handles (a blocking thread per read): correct, just slower.
    #[cfg(not(unix))]
    runtime.block_on(crate::transport::stdio::serve(
        dispatcher,
        tokio::io::stdin(),
        tokio::io::stdout(),
        config,
        crate::transport::shutdown_signal(),
    ));
    ExitCode::SUCCESS
}

pub(super) fn serve_http(service: Arc<SkillService>, args: ServeArgs) -> ExitCode {
    use crate::transport::http::{self, HttpConfig};
    use std::time::Duration;
    let h = args.http;
    let addr = match http::parse_addr(h.http.as_deref().unwrap_or_default()) {
        Ok(addr) => addr,
        Err(e) => return usage(&e),
    };
    let config = HttpConfig {
        addr,
        print_url: h.print_url,
        token: h.token.filter(|t| !t.is_empty()),
        allow_origins: h.allow_origin,
        allow_hosts: h.allow_host,
        allow_remote_without_token: h.allow_remote_without_token,
        max_body_bytes: args.max_message_bytes,
        max_connections: h.max_connections.max(1),
        max_sessions: h.max_sessions.max(1),
        session_idle: Duration::from_secs(h.session_idle_secs),
        request_timeout: Duration::from_secs(h.request_timeout_secs.max(1)),
        header_timeout: Duration::from_secs(h.header_timeout_secs.max(1)),
        body_timeout: Duration::from_secs(h.body_timeout_secs.max(1)),
        shutdown_grace: Duration::from_secs(h.shutdown_grace_secs),
    };
    if let Err(e) = config.check() {
        return usage(&e);
    }
    // Many clients at once: use every core (stdio keeps its single thread).
    let runtime = match runtime(Threads::All) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let dispatcher = Arc::new(crate::mcp::dispatch::Dispatcher::new(service.clone()));
    match runtime.block_on(http::serve(dispatcher, service, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("async-patterns: {e}");
            ExitCode::from(1)
        }
    }
}
