//! The stdio transport served inside the test process: `transport::stdio::serve` on one
//! end of a `tokio::io::duplex`, a [`Client`] on the other. No binary to spawn, so
//! protocol tests start in microseconds; tests about the process itself (exit codes,
//! signals, real pipes) use [`super::Server`].

use super::{fixture, Client};
use async_patterns::catalog::Catalog;
use async_patterns::demo::DemoRunner;
use async_patterns::mcp::dispatch::Dispatcher;
use async_patterns::service::SkillService;
use async_patterns::transport::stdio::{serve, StdioConfig};
use std::io::Write;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// Bytes written by the (synchronous) test, carried to the server's runtime.
struct ToServer(UnboundedSender<Vec<u8>>);

impl Write for ToServer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .send(bytes.to_vec())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A server on its own thread and single-threaded runtime, as `serve` runs it.
pub struct InProcess {
    client: Client,
    thread: Option<JoinHandle<()>>,
}

impl std::ops::Deref for InProcess {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for InProcess {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl InProcess {
    /// Serves the fixture skill `dir` (no Python needed unless a demo is run).
    pub fn with_skill(dir: &str) -> Self {
        let catalog = Catalog::from_dir(&fixture(dir)).expect("fixture skill loads");
        let service = Arc::new(SkillService::new(catalog, DemoRunner::new(None)));
        let (to_server, mut incoming) = unbounded_channel::<Vec<u8>>();
        let (lines_tx, lines) = mpsc::channel::<String>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let (client_end, server_end) = tokio::io::duplex(1 << 20);
                let (server_read, server_write) = tokio::io::split(server_end);
                let (client_read, mut client_write) = tokio::io::split(client_end);
                let dispatcher = Arc::new(Dispatcher::new(service));
                let config = StdioConfig {
                    max_message_bytes: 4 * 1024 * 1024,
                };
                let server = tokio::spawn(serve(
                    dispatcher,
                    server_read,
                    server_write,
                    config,
                    std::future::pending(),
                ));
                tokio::spawn(async move {
                    let mut reader = BufReader::new(client_read).lines();
                    while let Ok(Some(line)) = reader.next_line().await {
                        if lines_tx.send(line).is_err() {
                            break;
                        }
                    }
                });
                // The test's writes, until it closes stdin (drops its sender): then EOF.
                while let Some(bytes) = incoming.recv().await {
                    if client_write.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                let _ = client_write.shutdown().await;
                drop(client_write);
                let _ = server.await;
            });
        });
        Self {
            client: Client::new(Box::new(ToServer(to_server)), lines),
            thread: Some(thread),
        }
    }

    /// Closes the client's end and waits (bounded) for `serve` to return.
    pub fn finish(mut self) {
        self.close_stdin();
        let thread = self.thread.take().expect("running");
        let deadline = std::time::Instant::now() + super::WAIT;
        while !thread.is_finished() {
            assert!(
                std::time::Instant::now() < deadline,
                "serve did not return after stdin closed"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        thread.join().expect("serve panicked");
    }
}
