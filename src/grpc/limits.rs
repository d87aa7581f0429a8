//! Protection against floods: a token bucket per shopper session on the
//! shopper writes, and a cap on cart calls in flight that sheds the excess at
//! once instead of queueing it. Both answer RESOURCE_EXHAUSTED with RetryInfo.
//! Health and reflection are never limited: a saturated replica must still
//! answer its probes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::Status;

use super::gate::Gate;
use super::status::ApiError;
use crate::clock::Clock;

/// Most sessions tracked at once; past it, idle (full) buckets are dropped.
const MAX_TRACKED_SESSIONS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

/// A token bucket per key: `burst` calls at once, refilled at `per_second`.
#[derive(Debug)]
pub struct RateLimiter {
    clock: Arc<dyn Clock>,
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limiter refilling `per_minute` tokens a minute up to `burst`; `None`
    /// (no limit) when `per_minute` is 0.
    pub fn new(clock: Arc<dyn Clock>, per_minute: u32, burst: u32) -> Option<Self> {
        (per_minute > 0).then(|| Self {
            clock,
            per_second: f64::from(per_minute) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    fn refill(&self, bucket: &Bucket, now: DateTime<Utc>) -> f64 {
        let elapsed = (now - bucket.at).to_std().unwrap_or_default();
        (bucket.tokens + elapsed.as_secs_f64() * self.per_second).min(self.burst)
    }

    /// Takes a token from `key`'s bucket.
    ///
    /// # Errors
    /// How long until the next token, when the bucket is empty.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED_SESSIONS && !buckets.contains_key(key) {
            // A full bucket says nothing a new one would not.
            buckets.retain(|_, b| self.refill(b, now) < self.burst);
            if buckets.len() >= MAX_TRACKED_SESSIONS {
                // Too many sessions at their limit to track one more: let it
                // through; the in-flight cap still bounds the load.
                return Ok(());
            }
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = self.refill(bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64((1.0 - tokens) / self.per_second))
        }
    }
}

/// The path prefix of the RPCs the in-flight cap applies to: every service
/// of the API.
const LIMITED_PREFIX: &str = "/shop.cart.v1.";

/// At most `max` cart calls in flight; the rest are refused at once: a
/// [`Gate`].
#[derive(Debug, Clone)]
pub struct InFlightCap {
    permits: Option<Arc<Semaphore>>,
}

impl InFlightCap {
    /// A cap of `max` calls; 0 means no cap.
    pub fn new(max: usize) -> Self {
        Self {
            permits: (max > 0).then(|| Arc::new(Semaphore::new(max))),
        }
    }
}

impl Gate for InFlightCap {
    type Pass = Option<OwnedSemaphorePermit>;

    fn admit(
        &self,
        path: &str,
        _headers: &http::HeaderMap,
    ) -> Result<Option<OwnedSemaphorePermit>, Status> {
        let Some(permits) = self
            .permits
            .as_ref()
            .filter(|_| path.starts_with(LIMITED_PREFIX))
        else {
            return Ok(None);
        };
        permits.clone().try_acquire_owned().map(Some).map_err(|_| {
            tracing::warn!(rpc = %path, "overloaded: call shed");
            Status::from(ApiError::Overloaded)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use chrono::TimeZone;

    fn limiter(per_minute: u32, burst: u32) -> (Arc<ManualClock>, RateLimiter) {
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .single()
                .expect("date"),
        ));
        let limiter = RateLimiter::new(clock.clone(), per_minute, burst).expect("enabled");
        (clock, limiter)
    }

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let (clock, limiter) = limiter(60, 3);
        for _ in 0..3 {
            assert!(limiter.check("s1").is_ok());
        }
        let wait = limiter.check("s1").expect_err("burst spent");
        assert_eq!(wait, Duration::from_secs(1));
        // Another key has its own bucket.
        assert!(limiter.check("s2").is_ok());
        clock.advance(chrono::Duration::milliseconds(500));
        let wait = limiter.check("s1").expect_err("half a token");
        assert_eq!(wait, Duration::from_millis(500));
        clock.advance(chrono::Duration::milliseconds(500));
        assert!(limiter.check("s1").is_ok());
        assert!(limiter.check("s1").is_err());
        // A long pause refills to the burst, never beyond.
        clock.advance(chrono::Duration::hours(1));
        for _ in 0..3 {
            assert!(limiter.check("s1").is_ok());
        }
        assert!(limiter.check("s1").is_err());
    }

    #[test]
    fn zero_rate_means_no_limit() {
        let clock = Arc::new(ManualClock::new(Utc::now()));
        assert!(RateLimiter::new(clock, 0, 10).is_none());
    }
}
