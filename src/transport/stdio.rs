//! MCP over stdio: newline-delimited JSON-RPC on stdin/stdout. stdout carries protocol
//! messages only, written by one writer task, one `write` per batch of ready messages.

use crate::error::McpError;
use crate::mcp::context::{Outbox, Session};
use crate::mcp::dispatch::{Connection, Dispatcher, Prepared, Reply};
use crate::mcp::methods::CallKind;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Messages waiting for the writer. Bounded so that a client that stops reading makes
/// us stop reading too (backpressure) instead of buffering replies without limit.
const OUTBOX_CAPACITY: usize = 1024;

/// Long calls (demos, listeners) pending at once on one connection; each waits for a demo
/// slot up to its deadline, so this bounds tasks, not running processes.
const MAX_LONG_CALLS: usize = 1024;

pub struct StdioConfig {
    pub max_message_bytes: usize,
}

enum Line {
    Message(Vec<u8>),
    /// The line was longer than the limit; its bytes were discarded as they arrived.
    TooLong,
    Eof,
}

/// Reads one line without ever holding more than `max` bytes of it.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(if too_long {
                Line::TooLong
            } else if buf.is_empty() {
                Line::Eof
            } else {
                Line::Message(std::mem::take(buf))
            });
        }
        let (part, consumed, found_newline) = match memchr_newline(chunk) {
            Some(i) => (&chunk[..i], i + 1, true),
            None => (chunk, chunk.len(), false),
        };
        if !too_long {
            if buf.len() + part.len() > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(part);
            }
        }
        reader.consume(consumed);
        if found_newline {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Message(std::mem::take(buf))
            });
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Writes replies until the channel closes. If stdout fails (the client closed its end:
/// EPIPE), nobody can read replies any more, so it cancels `closed` and the connection
/// stops rather than working on for no one.
async fn write_all_messages<W: AsyncWrite + Unpin>(
    mut out: W,
    mut rx: mpsc::Receiver<String>,
    closed: tokio_util::sync::CancellationToken,
) {
    let mut buf = Vec::with_capacity(64 * 1024);
    while let Some(first) = rx.recv().await {
        buf.clear();
        buf.extend_from_slice(first.as_bytes());
        buf.push(b'\n');
        // Coalesce whatever else is ready into the same write.
        while buf.len() < 256 * 1024 {
            match rx.try_recv() {
                Ok(next) => {
                    buf.extend_from_slice(next.as_bytes());
                    buf.push(b'\n');
                }
                Err(_) => break,
            }
        }
        if out.write_all(&buf).await.is_err() || out.flush().await.is_err() {
            tracing::info!("stdout closed by the client: stopping");
            closed.cancel();
            return;
        }
    }
}

/// Serves one connection until `input` ends or `shutdown` completes (SIGTERM).
///
/// At the end of input the calls already in flight still finish (each within its own
/// deadline) and their replies are written before we return: a one-shot pipe such as
/// `printf '<request>' | async-patterns serve` must get its answer. Listeners, which run
/// until the client ends them, end with the input. SIGTERM or a closed stdout instead
/// stop running work at once (demos are killed, scratch folders removed).
pub async fn serve<R, W>(
    dispatcher: Arc<Dispatcher>,
    input: R,
    output: W,
    config: StdioConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    // A token rather than the future itself: it can be awaited in several places.
    let stop = tokio_util::sync::CancellationToken::new();
    let signalled = stop.clone();
    let watcher = tokio::spawn(async move {
        shutdown.await;
        signalled.cancel();
    });
    let (tx, rx) = mpsc::channel::<String>(OUTBOX_CAPACITY);
    let writer = tokio::spawn(write_all_messages(output, rx, stop.clone()));

    tracing::info!("MCP client connected on stdio");
    let conn = Connection::new(Session::new(), Some(Outbox(tx.clone())));
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    let mut buf = Vec::new();
    // Demos, which end by their deadline, apart from listeners, which never end alone.
    let mut running = JoinSet::new();
    let mut listening = JoinSet::new();
    loop {
        if reader.buffer().is_empty() {
            // Let the writer send what is queued before a read that may spin (see
            // `transport::pipe`): the client cannot send its next request before it
            // has our reply.
            tokio::task::yield_now().await;
        }
        let read = tokio::select! {
            read = read_line(&mut reader, config.max_message_bytes, &mut buf) => read,
            () = stop.cancelled() => break,
        };
        let line = match read {
            Ok(line) => line,
            Err(e) => {
                tracing::warn!("stdin: {e}");
                break;
            }
        };
        let bytes = match line {
            Line::Eof => break,
            Line::TooLong => {
                let err = McpError::InvalidRequest(format!(
                    "message longer than {} bytes (see --max-message-bytes)",
                    config.max_message_bytes
                ));
                let reply = Reply::error(jsonrpsee::types::Id::Null, err);
                if tx.send(reply.json).await.is_err() {
                    break;
                }
                continue;
            }
            Line::Message(bytes) => bytes,
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match dispatcher.prepare(&bytes, &conn) {
            Prepared::Nothing => {}
            Prepared::Reply(reply) => {
                if tx.send(reply.json).await.is_err() {
                    break;
                }
            }
            Prepared::Call {
                future,
                kind: CallKind::Quick,
            } => {
                if let Some(reply) = future.await {
                    if tx.send(reply.json).await.is_err() {
                        break;
                    }
                }
            }
            Prepared::Call { future, kind } => {
                let tx = tx.clone();
                let call = async move {
                    if let Some(reply) = future.await {
                        let _ = tx.send(reply.json).await;
                    }
                };
                if kind == CallKind::OpenEnded {
                    listening.spawn(call);
                } else {
                    running.spawn(call);
                }
            }
        }
        // Reap finished long calls so the set does not grow on a long session, and stop
        // reading while too many are pending: a client pipelining thousands of demos
        // waits for room instead of growing our memory.
        while running.try_join_next().is_some() {}
        while listening.try_join_next().is_some() {}
        while running.len() + listening.len() >= MAX_LONG_CALLS {
            tokio::select! {
                Some(_) = running.join_next() => {}
                Some(_) = listening.join_next() => {}
                () = stop.cancelled() => break,
            }
        }
    }
    // Input is over. Unless we were told to stop (SIGTERM, stdout gone), let the demos in
    // flight reach their result or their deadline so their replies are written.
    while !stop.is_cancelled() && !running.is_empty() {
        tokio::select! {
            _ = running.join_next() => {}
            () = stop.cancelled() => {}
        }
    }
    // Whatever still runs now (listeners, or demos after a stop) is cancelled: process
    // groups are killed; wait for them to unwind, then flush what is queued.
    conn.closed.cancel();
    while running.join_next().await.is_some() {}
    while listening.join_next().await.is_some() {}
    drop(conn);
    drop(tx);
    watcher.abort();
    tracing::info!("stdio client gone: stopping");
    let _ = writer.await;
}
