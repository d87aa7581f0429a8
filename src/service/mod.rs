//! Use cases, one module per use case: [`reads`] (GetCart, Validate,
//! GetCartById, ListCartEvents), [`edit`] (the shopper's edits), [`bulk`]
//! (AddItems, UpdateItems), [`reorder`] (Reorder), [`lists`] (the
//! saved-for-later and wish lists) and [`list_moves`] (a line between cart
//! and list), [`alerts`] (SetBackInStockAlert), [`merge`] (MergeGuestCart,
//! the guest's lists too), [`shares`] (shared carts), [`recover`]
//! (RecoverCart, UnsubscribeRecovery) and [`complete`] (CompleteCart).
//! Every write goes through the pipeline in [`write`] — the request id
//! claimed and replayed and the expected version checked once, in one
//! place. It runs in one transaction, except that on PostgreSQL a shopper's
//! edit with no request id and no device signals to store is tried first
//! with no transaction at all: its cart change is one statement that
//! commits by itself. [`prefetch`] asks the catalog before the write,
//! [`own_cart`] finds the shopper's cart for a step, [`output`] builds the
//! caller's result and [`idempotency`] decides what identifies a request.
//! [`view`] builds the cart views: the catalog is asked with one batched
//! lookup at a time (never once per line) and never while a cart is locked;
//! [`demand`] holds the demand count they warn from.

mod alerts;
mod bulk;
mod complete;
mod ctx;
mod demand;
mod edit;
mod error;
mod idempotency;
mod list_moves;
mod lists;
mod merge;
mod output;
mod own_cart;
mod prefetch;
mod reads;
mod recover;
mod reorder;
mod shares;
mod view;
mod write;

use std::sync::Arc;

use chrono::Duration;

pub use demand::DemandBoard;
pub use error::ServiceError;
pub use idempotency::RequestKey;
pub use list_moves::Moved;
pub use merge::Merged;
pub use output::CartWritten;
pub use reads::EventPage;
pub use recover::{Recovered, Recovery, RecoveryKind, RecoverySource};
pub use write::{Encoder, WriteOptions, Written};

use crate::cache::CartCache;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::domain::rules::Limits;
use crate::domain::view::ViewSettings;
use crate::live::Hub;
use crate::metrics::Metrics;
use crate::recovery::RecoveryPolicy;
use crate::storage::Database;

/// The knobs of the cart rules.
#[derive(Debug, Clone)]
pub struct Policy {
    /// A cart expires this long after its last change.
    pub ttl: Duration,
    /// How long a request id is remembered.
    pub idempotency_window: Duration,
    /// Line limits.
    pub limits: Limits,
    /// View settings (low-stock threshold, default currency).
    pub view: ViewSettings,
}

/// The cart use cases.
#[derive(Debug, Clone)]
pub struct CartService {
    db: Database,
    catalog: Arc<dyn Catalog>,
    clock: Arc<dyn Clock>,
    policy: Policy,
    /// The keyed writes running in this process.
    in_flight: idempotency::InFlight,
    metrics: Arc<Metrics>,
    /// Keys and rules of RecoverCart and UnsubscribeRecovery.
    recovery: RecoveryPolicy,
    /// Where committed changes are announced in-process (SQLite only:
    /// PostgreSQL notifies every replica itself).
    live: Option<Hub>,
    /// Units held in active carts, as last counted (HIGH_DEMAND warnings).
    demand: DemandBoard,
    /// GetCart's read cache, when configured.
    cache: Option<CartCache>,
}

impl CartService {
    /// The use cases over `db` and `catalog`.
    pub fn new(
        db: Database,
        catalog: Arc<dyn Catalog>,
        clock: Arc<dyn Clock>,
        policy: Policy,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            db,
            catalog,
            clock,
            policy,
            in_flight: idempotency::InFlight::default(),
            metrics,
            recovery: RecoveryPolicy::disabled(),
            live: None,
            demand: DemandBoard::default(),
            cache: None,
        }
    }

    /// Reads GetCart's carts through `cache`.
    #[must_use]
    pub fn with_cache(mut self, cache: CartCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Warns of high demand from the counts `board` holds.
    #[must_use]
    pub fn with_demand(mut self, board: DemandBoard) -> Self {
        self.demand = board;
        self
    }

    /// Announces each committed change to `hub`'s watchers in-process.
    #[must_use]
    pub fn with_live(mut self, hub: Hub) -> Self {
        self.live = Some(hub);
        self
    }

    /// With recovery keys and rules (off without).
    #[must_use]
    pub fn with_recovery(mut self, recovery: RecoveryPolicy) -> Self {
        self.recovery = recovery;
        self
    }
}
