//! Live carts on this replica: who watches which shopper's cart, waking them
//! when it changes, and the bounds on watching.
//!
//! Watchers subscribe by their shopper (`c:<customer>` for a signed-in
//! shopper, `s:<session>` for a guest). A change wakes every watcher of the
//! cart's owners, before and after, through a `tokio::sync::watch` channel
//! per shopper: a wake-up is one counter, so a slow watcher simply sees the
//! latest (coalesced, bounded memory), and publishing never waits for a
//! watcher. A woken watcher reads the cart again and sends it if it moved
//! (see `grpc::watch`). Changes come from PostgreSQL's notifications (every
//! replica's writes) or, on SQLite, from this process's own commits.
//!
//! The same changes are also broadcast as [`Announcement`]s to whoever
//! follows the hub as a whole (the optional read cache, `crate::cache`),
//! with word of when changes may have been missed.

pub mod listen;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::domain::cart::Shopper;

/// The bounds on watching.
#[derive(Debug, Clone, Copy)]
pub struct WatchLimits {
    /// Streams one session may hold on one replica.
    pub per_session: usize,
    /// Streams the replica serves at most.
    pub per_replica: usize,
    /// A keepalive message after this long without a change.
    pub keepalive: Duration,
    /// A stream ends (OK) after this long; clients resume.
    pub max_stream: Duration,
    /// Streams reading their cart again at once (a wake-up of every watcher
    /// must not drain the database pool).
    pub concurrent_reads: usize,
}

impl WatchLimits {
    /// The limits of `settings`, for a database pool of `pool` connections
    /// (half of which re-reads may take at once).
    pub fn of(settings: &crate::config::WatchSettings, pool: u32) -> Self {
        Self {
            per_session: settings.max_per_session,
            per_replica: settings.max_per_replica,
            keepalive: Duration::from_secs(settings.keepalive_secs),
            max_stream: Duration::from_secs(settings.max_stream_secs),
            concurrent_reads: usize::try_from(pool / 2).unwrap_or(1).max(1),
        }
    }
}

/// A cart's owner: its session and, for a customer's cart, the customer.
pub type Owner = (String, Option<String>);

/// What the hub tells its followers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// The carts of these owners changed (see [`owner_keys`]).
    Changed(Vec<Owner>),
    /// Changes may have gone unheard until now (a listener started or came
    /// back): what was learnt of carts before may be out of date.
    Missed,
    /// Changes are not being heard (the listener is lost) until the next
    /// [`Announcement::Missed`].
    Deaf,
}

/// Announcements a follower may fall behind by before it is told it lagged.
const ANNOUNCEMENTS: usize = 1024;

/// Why a watcher was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// `session` or `replica`.
    pub scope: &'static str,
    /// The limit reached.
    pub limit: usize,
}

/// The watchers of this replica. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    topics: Mutex<HashMap<String, watch::Sender<u64>>>,
    sessions: Mutex<HashMap<String, usize>>,
    total: AtomicUsize,
    limits: WatchLimits,
    stop: watch::Sender<bool>,
    reads: tokio::sync::Semaphore,
    followers: tokio::sync::broadcast::Sender<Announcement>,
}

/// A watcher's place in the hub; leaving it (drop) frees its slot.
#[derive(Debug)]
pub struct Subscription {
    hub: Hub,
    key: String,
    session: String,
    /// Changes to the shopper's carts: wait with `changed()`. (Taken on
    /// drop, under the hub's lock, so the last watcher of a shopper always
    /// sees its topic go.)
    pub changes: watch::Receiver<u64>,
    /// True once the replica is shutting down.
    pub stopping: watch::Receiver<bool>,
}

/// The key a shopper's watchers subscribe under, and a shopper's cart is
/// known by in the read cache: `c:<customer>` or `s:<session>`.
pub fn key(session: &str, customer: Option<&str>) -> String {
    match customer {
        Some(customer) => format!("c:{customer}"),
        None => format!("s:{session}"),
    }
}

/// The keys of the shoppers whose cart a change of `owners`' carts may
/// change: each session's guest and, for a customer's cart, the customer.
pub fn owner_keys(owners: &[Owner]) -> impl Iterator<Item = String> + '_ {
    owners.iter().flat_map(|(session, customer)| {
        [
            Some(key(session, None)),
            customer.as_deref().map(|c| key(session, Some(c))),
        ]
        .into_iter()
        .flatten()
    })
}

/// The key of `shopper`'s cart.
pub fn shopper_key(shopper: &Shopper) -> String {
    key(
        shopper.session_id.as_str(),
        shopper.customer_id.as_ref().map(|c| c.as_str()),
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    /// An empty hub with `limits`.
    pub fn new(limits: WatchLimits) -> Self {
        Self(Arc::new(Inner {
            topics: Mutex::default(),
            sessions: Mutex::default(),
            total: AtomicUsize::new(0),
            limits,
            stop: watch::Sender::new(false),
            reads: tokio::sync::Semaphore::new(limits.concurrent_reads.max(1)),
            followers: tokio::sync::broadcast::Sender::new(ANNOUNCEMENTS),
        }))
    }

    /// A turn to read a cart again (see [`WatchLimits::concurrent_reads`]).
    pub async fn read_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.0.reads.acquire().await.ok()
    }

    /// The bounds of this hub.
    pub fn limits(&self) -> WatchLimits {
        self.0.limits
    }

    /// Streams open now.
    pub fn watchers(&self) -> usize {
        self.0.total.load(Ordering::Relaxed)
    }

    /// A place for a watcher of `shopper`, within the session and replica
    /// caps.
    ///
    /// # Errors
    /// [`Refused`] naming the cap reached.
    pub fn subscribe(&self, shopper: &Shopper) -> Result<Subscription, Refused> {
        let limits = self.0.limits;
        let session = shopper.session_id.as_str().to_owned();
        {
            let mut sessions = lock(&self.0.sessions);
            let count = sessions.entry(session.clone()).or_default();
            if *count >= limits.per_session {
                if *count == 0 {
                    sessions.remove(&session);
                }
                return Err(Refused {
                    scope: "session",
                    limit: limits.per_session,
                });
            }
            if self.0.total.fetch_add(1, Ordering::Relaxed) >= limits.per_replica {
                self.0.total.fetch_sub(1, Ordering::Relaxed);
                if *count == 0 {
                    sessions.remove(&session);
                }
                return Err(Refused {
                    scope: "replica",
                    limit: limits.per_replica,
                });
            }
            *count += 1;
        }
        let key = shopper_key(shopper);
        let changes = lock(&self.0.topics)
            .entry(key.clone())
            .or_insert_with(|| watch::Sender::new(0))
            .subscribe();
        Ok(Subscription {
            hub: self.clone(),
            key,
            session,
            changes,
            stopping: self.0.stop.subscribe(),
        })
    }

    /// Wakes the watchers of every `(session, customer)` owner of a changed
    /// cart: the session's guests and, for a customer's cart, the customer's.
    pub fn publish(&self, owners: &[Owner]) {
        {
            let topics = lock(&self.0.topics);
            for key in owner_keys(owners) {
                if let Some(topic) = topics.get(&key) {
                    topic.send_modify(|n| *n = n.wrapping_add(1));
                }
            }
        }
        self.tell(Announcement::Changed(owners.to_vec()));
    }

    /// Wakes every watcher: they read their carts again (after a sweep of
    /// the expiry job, whose carts' rows carry their expiry).
    pub fn wake_all(&self) {
        for topic in lock(&self.0.topics).values() {
            topic.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Changes may have been missed until now: every watcher reads again and
    /// followers forget what they knew.
    pub fn missed(&self) {
        self.wake_all();
        self.tell(Announcement::Missed);
    }

    /// Changes are not being heard until the next [`Self::missed`].
    pub fn deaf(&self) {
        self.tell(Announcement::Deaf);
    }

    /// What the hub announces from now on.
    pub fn follow(&self) -> tokio::sync::broadcast::Receiver<Announcement> {
        self.0.followers.subscribe()
    }

    fn tell(&self, announcement: Announcement) {
        // Nobody following is fine: the announcement is for no one.
        let _ = self.0.followers.send(announcement);
    }

    /// Ends every stream: the replica is shutting down.
    pub fn stop(&self) {
        self.0.stop.send_replace(true);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let inner = &self.hub.0;
        {
            let mut topics = lock(&inner.topics);
            // Ours is the last receiver: the topic goes.
            if topics
                .get(&self.key)
                .is_some_and(|t| t.receiver_count() <= 1)
            {
                topics.remove(&self.key);
            }
        }
        let mut sessions = lock(&inner.sessions);
        if let Some(count) = sessions.get_mut(&self.session) {
            *count -= 1;
            if *count == 0 {
                sessions.remove(&self.session);
            }
        }
        inner.total.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{CustomerId, SessionId};

    fn hub(per_session: usize, per_replica: usize) -> Hub {
        Hub::new(WatchLimits {
            per_session,
            per_replica,
            keepalive: Duration::from_secs(15),
            max_stream: Duration::from_secs(60),
            concurrent_reads: 4,
        })
    }

    fn guest(session: &str) -> Shopper {
        Shopper::guest(SessionId::parse(session).expect("id"))
    }

    #[test]
    fn caps_hold_and_slots_come_back() {
        let hub = hub(2, 3);
        let a1 = hub.subscribe(&guest("a")).expect("first");
        let _a2 = hub.subscribe(&guest("a")).expect("second");
        assert_eq!(hub.subscribe(&guest("a")).unwrap_err().scope, "session");
        let _b = hub.subscribe(&guest("b")).expect("third");
        assert_eq!(hub.subscribe(&guest("c")).unwrap_err().scope, "replica");
        drop(a1);
        assert_eq!(hub.watchers(), 2);
        hub.subscribe(&guest("c")).expect("a slot freed");
    }

    #[test]
    fn the_last_watcher_of_a_shopper_removes_its_topic() {
        let hub = hub(8, 100);
        let watchers: Vec<_> = (0..3)
            .map(|_| hub.subscribe(&guest("t")).expect("in"))
            .collect();
        assert_eq!(lock(&hub.0.topics).len(), 1);
        drop(watchers);
        assert!(lock(&hub.0.topics).is_empty());
        assert!(lock(&hub.0.sessions).is_empty());
        assert_eq!(hub.watchers(), 0);
    }

    #[test]
    fn a_change_wakes_the_owners_watchers_coalesced() {
        let hub = hub(8, 100);
        let mut guest_watch = hub.subscribe(&guest("s1")).expect("guest");
        let customer = Shopper {
            session_id: SessionId::parse("s2").expect("id"),
            customer_id: Some(CustomerId::parse("c1").expect("id")),
        };
        let mut customer_watch = hub.subscribe(&customer).expect("customer");
        let other = hub.subscribe(&guest("s3")).expect("other");
        // A guest cart linked to c1 at sign-in: both owners are woken.
        let owner = |s: &str, c: Option<&str>| (s.to_owned(), c.map(str::to_owned));
        hub.publish(&[owner("s1", None), owner("s1", Some("c1"))]);
        hub.publish(&[owner("s1", Some("c1"))]);
        assert!(guest_watch.changes.has_changed().expect("open"));
        assert!(customer_watch.changes.has_changed().expect("open"));
        assert!(!other.changes.has_changed().expect("open"));
        // Two changes, one wake-up to handle.
        guest_watch.changes.borrow_and_update();
        assert!(!guest_watch.changes.has_changed().expect("open"));
        hub.wake_all();
        assert!(other.changes.has_changed().expect("open"));
        customer_watch.changes.borrow_and_update();
        hub.stop();
        assert!(*customer_watch.stopping.borrow());
    }
}
