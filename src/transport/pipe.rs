//! Non-blocking stdin/stdout for the stdio transport. tokio's own `stdin()`/`stdout()`
//! do every read and write on a blocking thread pool: a thread hand-off per message,
//! which dominates the latency of a small call. Pipes and sockets (what an assistant
//! gives a server it spawns) can be polled by the runtime directly, so we do that and
//! fall back to tokio's handles for anything else (a file, a terminal).

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A borrowed standard descriptor switched to non-blocking mode; the original flags are
/// restored on drop so the parent process's view of the pipe is left as it was.
pub struct NonBlocking {
    fd: RawFd,
    saved_flags: libc::c_int,
}

impl AsRawFd for NonBlocking {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl Drop for NonBlocking {
    fn drop(&mut self) {
        // SAFETY: fcntl on a descriptor we do not own only changes its status flags.
        unsafe { libc::fcntl(self.fd, libc::F_SETFL, self.saved_flags) };
    }
}

fn is_pipe_or_socket(fd: RawFd) -> bool {
    // SAFETY: `libc::stat` is a plain C struct of integers, for which all-zero bytes are
    // a valid value.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat only writes into the struct we pass, which lives across the call; an
    // invalid `fd` is reported as an error, not undefined behaviour.
    if unsafe { libc::fstat(fd, &mut stat) } != 0 {
        return false;
    }
    let kind = stat.st_mode & libc::S_IFMT;
    kind == libc::S_IFIFO || kind == libc::S_IFSOCK
}

/// Wraps `fd` for polling when it is a pipe or socket; `None` means "use tokio's handle".
pub fn poll_fd(fd: RawFd) -> Option<AsyncFd<NonBlocking>> {
    if !is_pipe_or_socket(fd) {
        return None;
    }
    // SAFETY: F_GETFL only reads the descriptor's status flags; a bad `fd` is an error.
    let saved_flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: F_SETFL touches no memory. Its effect reaches beyond this process:
    // O_NONBLOCK is a flag of the open file description, which the process that spawned
    // us (and any sibling handed the same pipe) shares. While we serve, their own reads or
    // writes on that description may return EAGAIN instead of blocking. An assistant
    // gives its server pipes of its own, so in practice nobody else uses them; the flags
    // are restored when `NonBlocking` drops.
    if saved_flags < 0
        || unsafe { libc::fcntl(fd, libc::F_SETFL, saved_flags | libc::O_NONBLOCK) } < 0
    {
        return None;
    }
    // SAFETY: descriptors 0 and 1 stay open for the life of the process and nothing
    // else replaces or closes them while the transport polls them.
    unsafe { AsyncFd::register(NonBlocking { fd, saved_flags }) }.ok()
}

/// After data arrived this recently, a read that finds the pipe empty spins briefly
/// before sleeping in epoll: a client in a request/response loop sends its next request
/// within tens of microseconds, and on a virtual machine waking an idle vCPU from epoll
/// costs about as much again. Idle sessions never spin.
const HOT: Duration = Duration::from_millis(2);
const SPIN: Duration = Duration::from_micros(80);

pub struct PipeReader {
    fd: AsyncFd<NonBlocking>,
    last_data: Option<Instant>,
}

impl PipeReader {
    pub fn new(fd: AsyncFd<NonBlocking>) -> Self {
        Self {
            fd,
            last_data: None,
        }
    }
}

fn read_fd(fd: RawFd, into: &mut [u8]) -> io::Result<usize> {
    // SAFETY: reads at most `into.len()` bytes into initialized memory.
    let n = unsafe { libc::read(fd, into.as_mut_ptr().cast(), into.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}
pub struct PipeWriter(pub AsyncFd<NonBlocking>);

impl AsyncRead for PipeReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let fd = self.fd.as_raw_fd();
        if self.last_data.is_some_and(|t| t.elapsed() < HOT) {
            let started = Instant::now();
            loop {
                match read_fd(fd, buf.initialize_unfilled()) {
                    Ok(n) => {
                        buf.advance(n);
                        self.last_data = Some(Instant::now());
                        return Poll::Ready(Ok(()));
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Poll::Ready(Err(e)),
                }
                if started.elapsed() >= SPIN {
                    break;
                }
                std::hint::spin_loop();
            }
        }
        loop {
            let mut guard = ready!(self.fd.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|_| read_fd(fd, unfilled)) {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    drop(guard);
                    self.last_data = Some(Instant::now());
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(e)) => return Poll::Ready(Err(e)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for PipeWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.0.poll_write_ready(cx))?;
            let fd = guard.get_inner().as_raw_fd();
            let result = guard.try_io(|_| {
                // SAFETY: writes from a valid slice.
                let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            });
            match result {
                Ok(outcome) => return Poll::Ready(outcome),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
