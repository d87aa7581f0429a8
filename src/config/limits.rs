//! Rate limits and load shedding.

use serde::Deserialize;

use super::{ConfigError, Secret, invalid};

/// Rate limits and load shedding.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitSettings {
    /// Most cart calls in flight on this replica; more are refused at once
    /// (RESOURCE_EXHAUSTED). 0: no cap.
    pub max_in_flight: usize,
    /// Shopper writes a session may make per minute, sustained. 0: no limit.
    pub session_writes_per_minute: u32,
    /// Shopper writes a session may make at once.
    pub session_write_burst: u32,
    /// `redis://host:port/db` (no TLS): the session budget is kept
    /// in Redis and shared by every replica (GCRA, one script call per
    /// write). Unset: each replica keeps its own. Redis failing: the
    /// replica falls back to its own until Redis answers again.
    pub redis_url: Option<Secret>,
    /// What every budget key starts with.
    pub redis_key_prefix: String,
    /// How long a call to Redis may take before the write is charged to the
    /// replica's own budget instead, in milliseconds.
    pub redis_timeout_ms: u64,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            max_in_flight: 512,
            session_writes_per_minute: 120,
            session_write_burst: 20,
            redis_url: None,
            redis_key_prefix: "cart:limits".into(),
            redis_timeout_ms: 50,
        }
    }
}

impl LimitSettings {
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        if self.session_writes_per_minute > 60_000 {
            return Err(invalid(
                "limits.session_writes_per_minute",
                "must be at most 60000 (1000 a second); 0 turns the limit off",
            ));
        }
        if self.session_write_burst > 10_000 {
            return Err(invalid(
                "limits.session_write_burst",
                "must be at most 10000",
            ));
        }
        if self.session_writes_per_minute > 0 && self.session_write_burst == 0 {
            return Err(invalid(
                "limits.session_write_burst",
                "must be at least 1 while session writes are limited",
            ));
        }
        super::cache::check_redis(
            ("limits.redis_url", self.redis_url.as_ref()),
            ("limits.redis_key_prefix", &self.redis_key_prefix),
        )?;
        if !(1..=10_000).contains(&self.redis_timeout_ms) {
            return Err(invalid(
                "limits.redis_timeout_ms",
                "must be between 1 and 10000",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Settings;
    use super::*;

    #[test]
    fn redis_settings_are_checked_by_name() {
        for (set, setting) in [
            (
                (|s: &mut Settings| s.cache.redis_url = Some(Secret::new("rediss://h:6380")))
                    as fn(&mut Settings),
                "cache.redis_url",
            ),
            (
                |s: &mut Settings| s.limits.redis_url = Some(Secret::new("http://h")),
                "limits.redis_url",
            ),
            (
                |s: &mut Settings| s.limits.redis_key_prefix = "a b".into(),
                "limits.redis_key_prefix",
            ),
            (
                |s: &mut Settings| s.limits.session_writes_per_minute = 60_001,
                "limits.session_writes_per_minute",
            ),
        ] {
            let mut s = Settings::default();
            set(&mut s);
            let err = s.validate().expect_err(setting).to_string();
            assert!(err.contains(setting), "{err}");
        }
    }
}
