//! WatchCart's bounds.

use serde::Deserialize;

use super::{ConfigError, invalid};

/// Bounds on WatchCart streams.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchSettings {
    /// Streams one session may hold on one replica (its tabs).
    pub max_per_session: usize,
    /// Streams one replica serves at most.
    pub max_per_replica: usize,
    /// A keepalive message after this many seconds without a change.
    pub keepalive_secs: u64,
    /// A stream ends (OK) after this many seconds; the client resumes with
    /// `after_version`.
    pub max_stream_secs: u64,
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self {
            max_per_session: 8,
            max_per_replica: 10_000,
            keepalive_secs: 15,
            max_stream_secs: 1800,
        }
    }
}

impl WatchSettings {
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        for (setting, value, max) in [
            ("watch.max_per_session", self.max_per_session as u64, 1_000),
            (
                "watch.max_per_replica",
                self.max_per_replica as u64,
                1_000_000,
            ),
            ("watch.keepalive_secs", self.keepalive_secs, 3_600),
            ("watch.max_stream_secs", self.max_stream_secs, 86_400),
        ] {
            if !(1..=max).contains(&value) {
                return Err(invalid(setting, format!("must be between 1 and {max}")));
            }
        }
        Ok(())
    }
}
