//! The optional read cache of carts (Redis).

use serde::Deserialize;

use super::{ConfigError, Secret, invalid};

/// The read cache of GetCart: off unless `redis_url` is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    /// `redis://[user:password@]host:port/db` (no TLS). Unset: no cache,
    /// nothing connects.
    pub redis_url: Option<Secret>,
    /// What every key of this service starts with, so that deployments (or
    /// tests) may share one Redis.
    pub key_prefix: String,
    /// How long a cached cart is kept without being changed, in seconds.
    pub ttl_secs: u64,
    /// How long a call to Redis may take before the read goes to the
    /// database instead, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            redis_url: None,
            key_prefix: "cart:cache".into(),
            ttl_secs: 300,
            timeout_ms: 100,
        }
    }
}

impl CacheSettings {
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        check_redis(
            ("cache.redis_url", self.redis_url.as_ref()),
            ("cache.key_prefix", &self.key_prefix),
        )?;
        for (setting, value, max) in [
            ("cache.ttl_secs", self.ttl_secs, 86_400),
            ("cache.timeout_ms", self.timeout_ms, 10_000),
        ] {
            if !(1..=max).contains(&value) {
                return Err(invalid(setting, format!("must be between 1 and {max}")));
            }
        }
        Ok(())
    }
}

/// A Redis URL setting (when set) and its key prefix, for every part that
/// keeps something in Redis.
pub(super) fn check_redis(
    (url_setting, url): (&'static str, Option<&Secret>),
    (prefix_setting, prefix): (&'static str, &str),
) -> Result<(), ConfigError> {
    // TLS to Redis (rediss://) is not built in: refused here, not at the
    // first call.
    if let Some(url) = url
        && !url.expose().starts_with("redis://")
    {
        return Err(invalid(
            url_setting,
            "must start with redis:// (TLS to Redis, rediss://, is not supported)",
        ));
    }
    if prefix.is_empty() || prefix.contains(char::is_whitespace) {
        return Err(invalid(prefix_setting, "must be non-empty, without spaces"));
    }
    Ok(())
}
