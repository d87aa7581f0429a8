//! A catalog wrapped for a network that fails: a short-TTL cache of lookups,
//! bounded retries with jitter for a refused or overloaded catalog, and a
//! circuit breaker that stops calling a catalog that keeps failing.
//!
//! Time comes from the service's [`Clock`], so tests move it instead of
//! sleeping. The cache trades freshness for load: prices and stock can be up
//! to `cache_ttl` old (5 s by default), also on writes.

use crate::metrics::Metrics;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Catalog, CatalogError};
use crate::clock::Clock;
use crate::domain::catalog::CatalogVariant;
use crate::domain::ids::VariantId;

/// Knobs of [`ResilientCatalog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resilience {
    /// How long a looked-up variant (or its absence) is reused; zero disables
    /// the cache.
    pub cache_ttl: Duration,
    /// Retries after a failure that says "unavailable" (not after a timeout).
    pub retries: u32,
    /// Base delay before a retry; each retry waits up to twice as long, with
    /// random jitter.
    pub retry_backoff: Duration,
    /// Consecutive failed lookups that open the circuit.
    pub breaker_failures: u32,
    /// How long an open circuit fails calls at once before one is let through.
    pub breaker_cooldown: Duration,
}

#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<DateTime<Utc>>,
}

type Cached = (Option<CatalogVariant>, DateTime<Utc>);

/// The wrapper.
#[derive(Debug)]
pub struct ResilientCatalog<C> {
    inner: C,
    clock: Arc<dyn Clock>,
    settings: Resilience,
    cache: Mutex<HashMap<VariantId, Cached>>,
    breaker: Mutex<Breaker>,
    metrics: Arc<Metrics>,
}

fn as_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl<C: Catalog> ResilientCatalog<C> {
    /// Wraps `inner`.
    pub fn new(
        inner: C,
        clock: Arc<dyn Clock>,
        settings: Resilience,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            inner,
            clock,
            settings,
            cache: Mutex::default(),
            breaker: Mutex::default(),
            metrics,
        }
    }

    /// Whether calls may go out now: closed, or open past its cool-down (one
    /// trial call goes out; its result closes or re-opens the circuit).
    fn admit(&self, now: DateTime<Utc>) -> Result<(), CatalogError> {
        let mut breaker = self.breaker.lock().unwrap_or_else(|e| e.into_inner());
        match breaker.open_until {
            Some(until) if now < until => Err(CatalogError::Unavailable(
                "circuit open after repeated catalog failures".into(),
            )),
            Some(_) => {
                // Half-open: let this call try, and keep others out until it
                // reports back.
                breaker.open_until = Some(now + as_duration(self.settings.breaker_cooldown));
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn record(&self, ok: bool, now: DateTime<Utc>) {
        let mut breaker = self.breaker.lock().unwrap_or_else(|e| e.into_inner());
        if ok {
            *breaker = Breaker::default();
            self.metrics.catalog_breaker_open.set(0);
            return;
        }
        breaker.failures += 1;
        if breaker.failures >= self.settings.breaker_failures {
            if breaker.open_until.is_none() {
                tracing::warn!(failures = breaker.failures, "catalog circuit opened");
                self.metrics.catalog_breaker_open.set(1);
            }
            breaker.open_until = Some(now + as_duration(self.settings.breaker_cooldown));
        }
    }

    async fn call_with_retries(
        &self,
        ids: &[VariantId],
    ) -> Result<HashMap<VariantId, CatalogVariant>, CatalogError> {
        let mut attempt = 0;
        loop {
            let started = std::time::Instant::now();
            let result = self.inner.variants(ids).await;
            let outcome = match &result {
                Ok(_) => "ok",
                Err(CatalogError::Unavailable(_)) => "unavailable",
                Err(CatalogError::Timeout(_)) => "timeout",
                Err(CatalogError::Unexpected(_)) => "failed",
            };
            self.metrics
                .catalog_call(outcome, started.elapsed().as_secs_f64());
            match result {
                Err(CatalogError::Unavailable(why)) if attempt < self.settings.retries => {
                    attempt += 1;
                    self.metrics.catalog_retries.inc();
                    let base = self.settings.retry_backoff * (1 << attempt.min(10));
                    let jitter = base.mul_f64(fastrand::f64());
                    tracing::debug!(attempt, %why, "catalog unavailable; retrying");
                    tokio::time::sleep(base / 2 + jitter / 2).await;
                }
                other => return other,
            }
        }
    }
}

#[async_trait::async_trait]
impl<C: Catalog> Catalog for ResilientCatalog<C> {
    async fn variants(
        &self,
        ids: &[VariantId],
    ) -> Result<HashMap<VariantId, CatalogVariant>, CatalogError> {
        let now = self.clock.now();
        let ttl = as_duration(self.settings.cache_ttl);
        let mut found = HashMap::with_capacity(ids.len());
        let mut wanted = Vec::new();
        if self.settings.cache_ttl.is_zero() {
            wanted.extend_from_slice(ids);
        } else {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                match cache.get(id) {
                    Some((variant, at)) if now - *at < ttl => {
                        self.metrics.catalog_cache(true);
                        if let Some(variant) = variant {
                            found.insert(id.clone(), variant.clone());
                        }
                    }
                    _ => {
                        self.metrics.catalog_cache(false);
                        wanted.push(id.clone());
                    }
                }
            }
        }
        if wanted.is_empty() {
            return Ok(found);
        }
        self.admit(now)?;
        let result = self.call_with_retries(&wanted).await;
        self.record(result.is_ok(), self.clock.now());
        let mut fetched = result?;
        if !self.settings.cache_ttl.is_zero() {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            // Drop what has gone stale, so the cache stays as small as the
            // set of variants in recent use.
            cache.retain(|_, (_, at)| now - *at < ttl);
            for id in &wanted {
                cache.insert(id.clone(), (fetched.get(id).cloned(), now));
            }
        }
        found.extend(fetched.drain());
        Ok(found)
    }
}
