//! How the server treats connections: limits that keep one client, or many
//! silent ones, from taking a replica's capacity, and HTTP/2 keepalive.
//! The defaults and why they were chosen are in docs/operations.md.

use std::time::Duration;

use serde::Deserialize;

use crate::net::ConnectionLimits;

/// The `transport` section (`CART__TRANSPORT__…`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransportSettings {
    /// Most connections open at once; past it the server stops accepting
    /// until one closes. Keep it below the open-file limit (`ulimit -n`)
    /// minus the database pool and a margin.
    pub max_connections: usize,
    /// A new connection that sends nothing for this long is closed, in
    /// milliseconds.
    pub handshake_timeout_ms: u64,
    /// Most calls one connection may have open at once (HTTP/2
    /// `MAX_CONCURRENT_STREAMS`); a client past it queues on its side.
    pub max_concurrent_streams: u32,
    /// How often the server PINGs a connection, in seconds; one that does
    /// not answer within `keepalive_timeout_secs` is closed.
    pub keepalive_interval_secs: u64,
    /// How long a PING may go unanswered, in seconds.
    pub keepalive_timeout_secs: u64,
}

impl Default for TransportSettings {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            handshake_timeout_ms: 10_000,
            max_concurrent_streams: 100,
            keepalive_interval_secs: 60,
            keepalive_timeout_secs: 20,
        }
    }
}

impl TransportSettings {
    /// What the accept loop enforces.
    pub fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: self.max_connections,
            handshake_timeout: Duration::from_millis(self.handshake_timeout_ms),
        }
    }

    /// The first setting that cannot be used, and why.
    pub(super) fn invalid(&self) -> Option<(&'static str, &'static str)> {
        if !(1..=1_000_000).contains(&self.max_connections) {
            return Some(("transport.max_connections", "must be between 1 and 1000000"));
        }
        if !(1..=3_600_000).contains(&self.handshake_timeout_ms) {
            return Some((
                "transport.handshake_timeout_ms",
                "must be between 1 and 3600000 (an hour)",
            ));
        }
        if self.max_concurrent_streams == 0 {
            return Some(("transport.max_concurrent_streams", "must be at least 1"));
        }
        if !(1..=86_400).contains(&self.keepalive_interval_secs)
            || !(1..=86_400).contains(&self.keepalive_timeout_secs)
        {
            return Some((
                "transport.keepalive_interval_secs",
                "keepalive interval and timeout must be between 1 and 86400 seconds",
            ));
        }
        None
    }
}
