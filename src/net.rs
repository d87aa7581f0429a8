//! Listening sockets shared by the servers this crate runs (the cart service
//! and the fixture catalog server).

use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;

/// The accepted connections of `listener`, with Nagle's algorithm off: a
/// gRPC response is written in pieces (headers, message, trailers), and
/// Nagle would hold the last piece until the client's delayed ACK, about
/// 40 ms later.
pub fn incoming(listener: TcpListener) -> TcpIncoming {
    TcpIncoming::from(listener).with_nodelay(Some(true))
}
