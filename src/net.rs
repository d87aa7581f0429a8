//! Accepting connections for the servers this crate runs (the cart service
//! and the fixture catalog server), guarded against clients that hold
//! sockets without speaking:
//! - at most `max_connections` open at once: past it the loop stops
//!   accepting (the kernel's backlog holds the rest) until one closes;
//! - a connection must send its first bytes (the HTTP/2 preface, or a TLS
//!   ClientHello) within `handshake_timeout`, or it is closed;
//! - when `accept` fails for want of file descriptors or memory (EMFILE,
//!   ENFILE, ENOBUFS, ENOMEM) the loop logs once and backs off, doubling up
//!   to a second, instead of retrying at once and burning a core.
//!
//! A connection that goes silent after its handshake is closed by HTTP/2
//! keepalive (the server's PINGs go unanswered), set on the server.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// The HTTP/2 client preface is 24 bytes; a TLS ClientHello is longer.
const HANDSHAKE_BYTES: usize = 24;

/// What the accept loop enforces.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// How long a new connection may stay silent.
    pub handshake_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// An accepted connection: closed if it sends nothing in time, and holding
/// its place under the connection cap until dropped.
pub struct Guarded {
    stream: TcpStream,
    handshake: Option<Pin<Box<Sleep>>>,
    read: usize,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        let this = &mut *self;
        if let Some(deadline) = this.handshake.as_mut() {
            this.read += buf.filled().len() - before;
            if this.read >= HANDSHAKE_BYTES {
                this.handshake = None;
            } else if polled.is_pending() && deadline.as_mut().poll(cx).is_ready() {
                tracing::debug!("closing a connection silent past the handshake timeout");
                return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
            }
        }
        polled
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Connected for Guarded {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.stream.connect_info()
    }
}

/// Whether an `accept` error means the process or the system ran out of
/// something a later attempt may find again.
fn out_of_resources(error: &io::Error) -> bool {
    const ENOMEM: i32 = 12;
    const ENFILE: i32 = 23;
    const EMFILE: i32 = 24;
    const ENOBUFS: i32 = 105;
    matches!(
        error.raw_os_error(),
        Some(ENOMEM | ENFILE | EMFILE | ENOBUFS)
    )
}

/// The connections of `listener`, guarded by `limits`, with Nagle's
/// algorithm off (a gRPC response is written in pieces, and Nagle would hold
/// the last one until the client's delayed ACK, about 40 ms later). Never
/// yields an error: failed accepts are handled here.
pub fn incoming(
    listener: TcpListener,
    limits: ConnectionLimits,
) -> impl Stream<Item = Result<Guarded, io::Error>> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    futures::stream::unfold((listener, permits), move |(listener, permits)| async move {
        let permit = permits.clone().acquire_owned().await.ok()?;
        let stream = accept(&listener).await;
        let guarded = Guarded {
            stream,
            handshake: Some(Box::pin(tokio::time::sleep_until(
                Instant::now() + limits.handshake_timeout,
            ))),
            read: 0,
            _permit: permit,
        };
        Some((Ok(guarded), (listener, permits)))
    })
}

/// The next accepted connection, backing off while out of resources.
async fn accept(listener: &TcpListener) -> TcpStream {
    let mut backoff = Duration::ZERO;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                if !backoff.is_zero() {
                    tracing::info!("accepting connections again");
                }
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "cannot turn Nagle's algorithm off");
                }
                return stream;
            }
            Err(error) if out_of_resources(&error) => {
                if backoff.is_zero() {
                    tracing::warn!(
                        %error,
                        "cannot accept connections: out of file descriptors or memory; backing off"
                    );
                }
                backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                tokio::time::sleep(backoff).await;
            }
            // The peer gave up before we accepted (ECONNABORTED) and the like.
            Err(error) => tracing::debug!(%error, "accept failed"),
        }
    }
}
