//! The optional read cache of GetCart, in Redis (`cache.redis_url`).
//!
//! What is cached is a shopper's cart rows ([`crate::storage::cached`]),
//! never catalog data: a hit still asks the catalog, as a read from the
//! database does. An entry is a hash per shopper (`<prefix>:<generation>:
//! <shopper key>`) of the rows (`v`) and an epoch (`e`).
//!
//! - **Read** ([`CartCache::look`], one script call): the generation, the
//!   epoch and the rows. Rows older than the caller's `min_version` are not
//!   served.
//! - **Fill** ([`CartCache::fill`], after a miss, once the database has
//!   answered): stores the rows only if the epoch is still the one the read
//!   saw, so a reader that loaded rows before a change cannot store them
//!   after its invalidation.
//! - **Invalidate** ([`follow`], on every change the hub announces: the
//!   notification WatchCart hears): a fresh random epoch and no rows.
//! - **Flush** (when changes may have gone unheard: a listener started or
//!   came back, Redis failed): a new random generation, and every entry of
//!   the old one is never read again (it expires). A generation key that is
//!   gone (evicted) counts as a failure, so the cache is flushed before it
//!   is used again.
//!
//! The cache is used only while it is *hearing* changes and *trusted*: a
//! failed call makes it untrusted until a flush succeeds, so it never serves
//! what it may have failed to invalidate. Untrusted, reads go to the
//! database without touching Redis; failures are counted
//! (`cart_cache_failures_total`) and logged once per outage.

mod follow;

pub use follow::follow;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};

use crate::config::CacheSettings;
use crate::metrics::Metrics;
use crate::storage::cached::{self, Found};

/// The generation, epoch and rows of one shopper's entry; nil when the
/// generation key is gone.
const LOOK: &str = r"
local g = redis.call('GET', ARGV[1] .. ':gen')
if not g then return false end
local r = redis.call('HMGET', ARGV[1] .. ':' .. g .. ':' .. ARGV[2], 'e', 'v')
return {g, r[1] or '0', r[2]}
";

/// Stores rows ARGV[5] under generation ARGV[3] if the epoch is ARGV[4].
const FILL: &str = r"
local k = ARGV[1] .. ':' .. ARGV[3] .. ':' .. ARGV[2]
if (redis.call('HGET', k, 'e') or '0') == ARGV[4] then
  redis.call('HSET', k, 'v', ARGV[5])
  redis.call('EXPIRE', k, ARGV[6])
  return 1
end
return 0
";

/// Gives every shopper ARGV[4..] the fresh epoch ARGV[3], and no rows; -1
/// when the generation key is gone.
const INVALIDATE: &str = r"
local g = redis.call('GET', ARGV[1] .. ':gen')
if not g then return -1 end
for i = 4, #ARGV do
  local k = ARGV[1] .. ':' .. g .. ':' .. ARGV[i]
  redis.call('HSET', k, 'e', ARGV[3])
  redis.call('HDEL', k, 'v')
  redis.call('EXPIRE', k, ARGV[2])
end
return #ARGV - 3
";

/// What [`LOOK`] answers: the generation, the epoch and the rows.
type Entry = (String, String, Option<Vec<u8>>);

/// The cache of cart rows. Cheap to clone.
#[derive(Clone)]
pub struct CartCache(Arc<Inner>);

struct Inner {
    conn: ConnectionManager,
    prefix: String,
    ttl_secs: u64,
    /// Deadline of one whole call.
    timeout: Duration,
    /// Changes are being heard (the hub's listener listens).
    hearing: AtomicBool,
    /// Nothing failed since the last flush.
    trusted: AtomicBool,
    /// A failure was logged and no flush has succeeded since.
    failing: AtomicBool,
    metrics: Arc<Metrics>,
    look: Script,
    fill: Script,
    invalidate: Script,
}

impl std::fmt::Debug for CartCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CartCache")
    }
}

/// What a read of the cache found.
#[derive(Debug)]
pub struct Looked {
    /// The rows, when cached and readable.
    pub found: Option<Found>,
    /// What a fill after this read must present.
    pub ticket: Ticket,
}

/// The generation and epoch a read saw.
#[derive(Debug, Clone)]
pub struct Ticket {
    generation: String,
    epoch: String,
}

impl CartCache {
    /// The cache at `settings.redis_url`, not yet connected (the first call
    /// connects; Redis being down stops nothing) and not yet used: a flush
    /// once changes are heard makes it usable.
    ///
    /// # Errors
    /// A URL Redis cannot read.
    pub fn new(
        url: &str,
        settings: &CacheSettings,
        metrics: Arc<Metrics>,
    ) -> Result<Self, RedisError> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        metrics.cart_cache_usable.set(0);
        Ok(Self(Arc::new(Inner {
            conn,
            prefix: settings.key_prefix.clone(),
            ttl_secs: settings.ttl_secs,
            timeout,
            hearing: AtomicBool::new(false),
            trusted: AtomicBool::new(false),
            failing: AtomicBool::new(false),
            metrics,
            look: Script::new(LOOK),
            fill: Script::new(FILL),
            invalidate: Script::new(INVALIDATE),
        })))
    }

    /// Whether reads may use the cache now.
    pub fn usable(&self) -> bool {
        self.0.hearing.load(Ordering::Acquire) && self.0.trusted.load(Ordering::Acquire)
    }

    /// The cached rows of the shopper `key` ([`crate::live::shopper_key`]);
    /// `None` when the cache is not usable or failed.
    pub async fn look(&self, key: &str) -> Option<Looked> {
        if !self.usable() {
            return None;
        }
        let mut conn = self.0.conn.clone();
        let mut call = self.0.look.prepare_invoke();
        call.arg(&self.0.prefix).arg(key);
        let reply: Result<Option<Entry>, _> = self.within(call.invoke_async(&mut conn)).await;
        let Some((generation, epoch, rows)) = self.checked("read", reply)? else {
            self.failed("generation", &"the generation key is gone (evicted?)");
            return None;
        };
        // Unreadable rows are a miss: the fill replaces them.
        let found = rows.and_then(|bytes| cached::decode(&bytes).ok());
        Some(Looked {
            found,
            ticket: Ticket { generation, epoch },
        })
    }

    /// Stores `found` for the shopper `key`, unless it changed since the
    /// read that gave `ticket`.
    pub async fn fill(&self, key: &str, ticket: &Ticket, found: &Found) {
        if !self.usable() {
            return;
        }
        let mut conn = self.0.conn.clone();
        let mut call = self.0.fill.prepare_invoke();
        call.arg(&self.0.prefix)
            .arg(key)
            .arg(&ticket.generation)
            .arg(&ticket.epoch)
            .arg(cached::encode(found))
            .arg(self.0.ttl_secs);
        let reply = self.within(call.invoke_async::<i64>(&mut conn)).await;
        self.checked("fill", reply);
    }

    /// Forgets what is cached of the shoppers `keys`.
    pub(crate) async fn invalidate(&self, keys: &[String]) {
        if keys.is_empty() || !self.0.trusted.load(Ordering::Acquire) {
            return;
        }
        let mut call = self.0.invalidate.prepare_invoke();
        call.arg(&self.0.prefix)
            .arg(self.0.ttl_secs)
            .arg(fastrand::u64(..));
        for key in keys {
            call.arg(key);
        }
        let mut conn = self.0.conn.clone();
        let reply = self.within(call.invoke_async::<i64>(&mut conn)).await;
        if self.checked("invalidate", reply) == Some(-1) {
            self.failed("generation", &"the generation key is gone (evicted?)");
        }
    }

    /// Forgets everything cached (a new, random generation: one never used
    /// before, even if the key was lost) and, on success, trusts the cache
    /// again.
    pub(crate) async fn flush(&self) -> bool {
        let mut set = redis::cmd("SET");
        set.arg(format!("{}:gen", self.0.prefix))
            .arg(format!("{:016x}", fastrand::u64(..)));
        let mut conn = self.0.conn.clone();
        let reply = self.within(set.query_async::<()>(&mut conn)).await;
        if self.checked("flush", reply).is_none() {
            return false;
        }
        self.0.trusted.store(true, Ordering::Release);
        if self.0.failing.swap(false, Ordering::AcqRel) {
            tracing::info!("cart cache answers again; in use");
        }
        self.publish_usable();
        true
    }

    /// Stops using the cache until a flush succeeds.
    pub(crate) fn untrust(&self) {
        self.0.trusted.store(false, Ordering::Release);
        self.publish_usable();
    }

    /// Whether changes are being heard.
    pub(crate) fn set_hearing(&self, hearing: bool) {
        self.0.hearing.store(hearing, Ordering::Release);
        self.publish_usable();
    }

    /// Whether the cache is trusted (a flush is owed when not).
    pub(crate) fn trusted(&self) -> bool {
        self.0.trusted.load(Ordering::Acquire)
    }

    /// The metrics this cache counts in.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// `reply`'s value; on failure, counted, logged once per outage, and the
    /// cache untrusted until a flush succeeds.
    /// `call`'s reply, or a failure when it does not come within
    /// `cache.timeout_ms` (connecting and loading a script included).
    async fn within<T>(
        &self,
        call: impl Future<Output = Result<T, RedisError>>,
    ) -> Result<T, String> {
        match tokio::time::timeout(self.0.timeout, call).await {
            Ok(reply) => reply.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {:?}", self.0.timeout)),
        }
    }

    fn checked<T>(&self, op: &str, reply: Result<T, String>) -> Option<T> {
        match reply {
            Ok(value) => Some(value),
            Err(error) => {
                self.failed(op, &error);
                None
            }
        }
    }

    /// Counts a failure of `op`, logs the first of an outage, and untrusts
    /// the cache until a flush succeeds.
    fn failed(&self, op: &str, error: &dyn std::fmt::Display) {
        self.0.metrics.cart_cache_failure(op);
        self.untrust();
        if !self.0.failing.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                %error,
                op,
                "cart cache failed; reading the database until it answers again"
            );
        }
    }

    fn publish_usable(&self) {
        self.0
            .metrics
            .cart_cache_usable
            .set(i64::from(self.usable()));
    }
}
