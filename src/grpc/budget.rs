//! A session's write budget: shared by every replica through Redis when
//! `limits.redis_url` is set (GCRA, the shape of `redis-cell` and of
//! Envoy's global rate limit), else, and whenever Redis fails, the
//! replica's own token bucket ([`RateLimiter`]).
//!
//! GCRA keeps one number per session: its *theoretical arrival time*
//! (TAT). A write at `now` is allowed when `now >= TAT - tolerance`, and
//! then moves TAT to `max(TAT, now) + interval`, where `interval` is a
//! minute over the writes per minute and `tolerance` is `interval ×
//! (burst - 1)`: `burst` writes at once, then one per `interval`. The check
//! and the update are one script, on Redis's clock, so replicas whose clocks
//! differ still share one budget. The key expires when the budget is full
//! again.
//!
//! Redis down, slow (past `limits.redis_timeout_ms`, for the whole call) or
//! refusing: the write is charged to the local bucket, counted in
//! `cart_rate_limit_fallbacks_total`, and the first of an episode logged.
//! Redis is then left alone for a second, after which one write probes it
//! while the others stay on the local bucket: an outage costs a replica at
//! most one timeout a second. Nothing fails because Redis is gone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::limits::RateLimiter;
use crate::metrics::Metrics;

/// One GCRA step for key KEYS[1]: ARGV[1] the interval, ARGV[2] the
/// tolerance, both in microseconds. 0 when allowed, else the microseconds
/// to wait.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if now < tat - tolerance then
  return math.ceil(tat - tolerance - now)
end
local next = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', math.ceil((next - now) / 1000) + 1)
return 0
";

/// How long Redis is left alone after a failure.
const PAUSE: Duration = Duration::from_secs(1);

/// Whether Redis is being left alone.
enum Pause {
    /// No: it answered last time.
    None,
    /// Yes, for a while yet.
    On,
    /// It failed, and the pause is over: one write may probe it.
    Over,
}

/// A session's write budget.
#[derive(Debug)]
pub struct SessionBudget {
    local: RateLimiter,
    shared: Option<Shared>,
}

struct Shared {
    conn: ConnectionManager,
    script: Script,
    prefix: String,
    interval_us: u64,
    tolerance_us: u64,
    /// Redis is not asked before this instant (after a failure).
    paused_until: std::sync::Mutex<Option<Instant>>,
    /// A write is asking Redis after a pause; the others use the local
    /// bucket until it answers.
    probing: AtomicBool,
    /// Deadline of one whole call (connecting and loading the script too).
    timeout: Duration,
    /// A failure was logged and Redis has not answered since.
    failing: AtomicBool,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedBudget")
    }
}

/// Where the shared budget lives.
#[derive(Debug, Clone)]
pub struct SharedSettings<'a> {
    /// `redis://…`.
    pub url: &'a str,
    /// Key prefix.
    pub prefix: &'a str,
    /// Deadline of one call.
    pub timeout: Duration,
}

impl SessionBudget {
    /// The replica's own bucket only.
    pub fn local(local: RateLimiter) -> Self {
        Self {
            local,
            shared: None,
        }
    }

    /// Shared through Redis at `settings` (not yet connected: the first
    /// write connects, and Redis being down stops nothing), `per_minute`
    /// writes sustained and `burst` at once, with `local` to fall back on.
    ///
    /// # Errors
    /// A URL Redis cannot read.
    pub fn shared(
        local: RateLimiter,
        settings: &SharedSettings<'_>,
        (per_minute, burst): (u32, u32),
        metrics: Arc<Metrics>,
    ) -> Result<Self, redis::RedisError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(settings.timeout))
            .set_response_timeout(Some(settings.timeout))
            .set_number_of_retries(0);
        let client = redis::Client::open(settings.url)?;
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        let interval_us = 60_000_000 / u64::from(per_minute.max(1));
        Ok(Self {
            local,
            shared: Some(Shared {
                conn,
                script: Script::new(GCRA),
                prefix: settings.prefix.to_owned(),
                interval_us,
                tolerance_us: interval_us * u64::from(burst.max(1) - 1),
                paused_until: std::sync::Mutex::new(None),
                probing: AtomicBool::new(false),
                timeout: settings.timeout,
                // Until Redis first answers, it is not known to work.
                failing: AtomicBool::new(true),
                metrics,
            }),
        })
    }

    /// Takes one write from `session`'s budget.
    ///
    /// # Errors
    /// How long until the next write is allowed, when the budget is spent.
    pub async fn charge(&self, session: &str) -> Result<(), Duration> {
        if let Some(shared) = &self.shared
            && let Some(answer) = shared.charge(session).await
        {
            return answer;
        }
        self.local.check(session)
    }
}

impl Shared {
    /// The shared budget's answer; `None` when Redis did not give one.
    async fn charge(&self, session: &str) -> Option<Result<(), Duration>> {
        let probe = match self.paused() {
            Pause::None => false,
            Pause::Over if !self.probing.swap(true, Ordering::AcqRel) => true,
            Pause::On | Pause::Over => {
                self.metrics.rate_limit_fallbacks.inc();
                return None;
            }
        };
        let mut conn = self.conn.clone();
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(format!("{}:{session}", self.prefix))
            .arg(self.interval_us)
            .arg(self.tolerance_us);
        let call = invocation.invoke_async::<u64>(&mut conn);
        let reply = match tokio::time::timeout(self.timeout, call).await {
            Ok(reply) => reply.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        };
        if probe {
            self.probing.store(false, Ordering::Release);
        }
        match reply {
            Ok(wait_us) => {
                if self.failing.swap(false, Ordering::AcqRel) {
                    *self.paused_until.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    tracing::info!("shared session budgets in use");
                    self.metrics.rate_limit_shared.set(1);
                }
                Some(match wait_us {
                    0 => Ok(()),
                    wait => Err(Duration::from_micros(wait)),
                })
            }
            Err(error) => {
                self.metrics.rate_limit_fallbacks.inc();
                self.pause();
                self.metrics.rate_limit_shared.set(0);
                if !self.failing.swap(true, Ordering::AcqRel) {
                    tracing::warn!(
                        %error,
                        "shared session budgets failed; each replica limits on its own until Redis answers"
                    );
                }
                None
            }
        }
    }

    fn paused(&self) -> Pause {
        let paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        match *paused {
            None => Pause::None,
            Some(until) if Instant::now() < until => Pause::On,
            Some(_) => Pause::Over,
        }
    }

    fn pause(&self) {
        *self.paused_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + PAUSE);
    }
}
