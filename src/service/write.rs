//! The write pipeline every mutation goes through, and its unit of work.
//!
//! [`CartService::write`] runs one write:
//! 1. with a request id: a retry of a finished call is answered from its
//!    remembered response at once; otherwise the id is held in this process
//!    while the call runs (a duplicate here is `RequestInProgress`);
//! 2. the catalog is asked, once and before any transaction, about what the
//!    write needs (so no lock is ever held across a network call);
//! 3. one transaction ([`Tx`]): claim the request id (PostgreSQL advisory
//!    lock: a duplicate on another replica is refused), replay if a call with
//!    it committed meanwhile, let the [`Step`] lock what it changes, check
//!    `expected_version` against it, let the step apply its rule and write,
//!    then commit the [`Outcome`] — with a request id, the response is built
//!    and remembered in the same transaction.
//!
//! Serialization failures, deadlocks and unique-index races run step 3 again
//! (at most [`MAX_ATTEMPTS`] times). A refusal rolls back.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::edit::created;
use super::idempotency::{Keyed, RequestKey, Running, Scope};
use super::recover::Recovery;
use super::{CartService, Policy, ServiceError};
use crate::domain::adjustment::Adjustment;
use crate::domain::cart::{Cart, CartStatus, Line, Shopper};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::device::DeviceSignals;
use crate::domain::event::Event;
use crate::domain::list::{self, ListItem, ListView, ShoppingList};
use crate::domain::view::{self, CartView, ViewSettings};
use crate::live::Owner;
use crate::storage::{Database, StorageError, Tx, carts, devices};

/// How many times a transaction that hit a serialization failure, deadlock or
/// unique-index race is run before the failure reaches the caller.
const MAX_ATTEMPTS: u32 = 3;

/// Encodes a write's response, to be remembered with its request id.
pub type Encoder = fn(&WriteResult) -> Vec<u8>;

/// Options every write takes.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// AIP-155 request id, when given.
    pub request: Option<RequestKey>,
    /// AIP-154 expected version, when given.
    pub expected_version: Option<i64>,
    /// How the response is encoded, to be remembered for retries.
    pub encode: Encoder,
    /// The guest's device signals, stored (hashed) on the guest cart the
    /// write leaves, for recovery by device.
    pub device: Option<DeviceSignals>,
}

/// What a write returns.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResult {
    /// The cart afterwards.
    pub view: CartView,
    /// Lines a merge or refresh changed or dropped.
    pub adjustments: Vec<Adjustment>,
    /// MergeGuestCart: false when there was no active guest cart.
    pub merged: bool,
    /// RecoverCart: what it did.
    pub recovery: Option<Recovery>,
    /// List writes: the list afterwards.
    pub list: Option<ListView>,
}

/// A write's outcome: done now, or the remembered response of an earlier
/// call with the same request id.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Done by this call.
    Fresh(Box<WriteResult>),
    /// Done before: the first call's encoded response, byte for byte.
    Replayed(Vec<u8>),
}

/// What a step's transaction leaves, for the response.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// The cart afterwards (`None`: the shopper still has none).
    pub cart: Option<Cart>,
    /// Its lines.
    pub lines: Vec<Line>,
    /// Lines changed or dropped on the shopper's behalf.
    pub adjustments: Vec<Adjustment>,
    /// MergeGuestCart: whether a guest cart was merged or linked.
    pub merged: bool,
    /// RecoverCart: what it did.
    pub recovery: Option<Recovery>,
    /// List writes: the list written, with its items.
    pub list: Option<(ShoppingList, Vec<ListItem>)>,
}

impl Outcome {
    /// The response: the view `view` builds from the cart and its lines,
    /// with what was adjusted and merged, and the list's view from what the
    /// catalog said before the write.
    async fn answer<F>(
        self,
        snapshot: &CatalogSnapshot,
        settings: &ViewSettings,
        view: impl FnOnce(Option<Cart>, Vec<Line>) -> F,
    ) -> WriteResult
    where
        F: Future<Output = CartView>,
    {
        let list = (self.list).map(|(l, items)| list::view(Some(l), items, snapshot, settings));
        WriteResult {
            view: view(self.cart, self.lines).await,
            adjustments: self.adjustments,
            merged: self.merged,
            recovery: self.recovery,
            list,
        }
    }

    /// `cart` with `lines`, nothing adjusted.
    pub fn of(cart: Option<Cart>, lines: Vec<Line>) -> Self {
        Self {
            cart,
            lines,
            ..Self::default()
        }
    }
}

/// What a step sees inside its transaction.
pub(super) struct Ctx<'a> {
    /// The transaction.
    pub tx: &'a Tx,
    /// The time of this attempt.
    pub now: DateTime<Utc>,
    /// What the catalog said before the transaction.
    pub snapshot: &'a CatalogSnapshot,
    /// The cart rules' knobs.
    pub policy: &'a Policy,
    /// The events this attempt wrote, counted once it commits.
    pub recorded: Recorded,
}

impl Ctx<'_> {
    /// Saves `cart`'s header with `events`, recording them and its owner.
    pub async fn save(&self, cart: &Cart, events: &[Event]) -> Result<(), ServiceError> {
        carts::save(self.tx, cart, events, self.now).await?;
        self.recorded.push(events);
        self.recorded.owner(cart);
        Ok(())
    }
}

/// What an attempt wrote, acted on after its commit (so a rolled-back
/// attempt counts and announces nothing): its events, for the business
/// metrics, and the owners of the carts it changed, whose watchers are woken
/// (in-process on SQLite; PostgreSQL's trigger notifies every replica).
#[derive(Default)]
pub(super) struct Recorded(std::sync::Mutex<(Vec<Event>, Vec<Owner>)>);

impl Recorded {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Event>, Vec<Owner>)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes `events` as written.
    pub fn push(&self, events: &[Event]) {
        self.lock().0.extend_from_slice(events);
    }

    /// Notes a change of a cart owned by `cart`'s owner as it is now.
    pub fn owner(&self, cart: &Cart) {
        let owner = (
            cart.session_id.as_str().to_owned(),
            cart.customer_id.as_ref().map(|c| c.as_str().to_owned()),
        );
        self.lock().1.push(owner);
    }

    fn take(&self) -> (Vec<Event>, Vec<Owner>) {
        std::mem::take(&mut *self.lock())
    }
}

/// What a step sees when it writes without a transaction.
pub(super) struct AtOnce<'a> {
    /// The database: each statement commits on its own.
    pub db: &'a Database,
    /// The time of this attempt.
    pub now: DateTime<Utc>,
    /// What the catalog said before.
    pub snapshot: &'a CatalogSnapshot,
    /// The cart rules' knobs.
    pub policy: &'a Policy,
    /// The caller's expected version.
    pub expected_version: Option<i64>,
    /// The events written, counted once the write is done.
    pub recorded: Recorded,
}

/// One write's work inside its transaction, run once per attempt.
pub(super) trait Step {
    /// What [`Step::lock`] found, for [`Step::apply`].
    type Locked;

    /// Reads and locks what the write changes; returns it, with the version
    /// the caller's `expected_version` is checked against (0: no cart).
    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError>;

    /// Applies the rule to what was locked and writes the change.
    async fn apply(&self, ctx: &Ctx<'_>, locked: Self::Locked) -> Result<Outcome, ServiceError>;

    /// The whole write without a transaction or a lock, where the database
    /// can write it in one statement conditioned on what was read
    /// (PostgreSQL): `None` when it cannot, or when the cart moved meanwhile,
    /// and the locking path runs instead.
    async fn at_once(&self, _ctx: &AtOnce<'_>) -> Result<Option<Outcome>, ServiceError> {
        Ok(None)
    }
}

impl CartService {
    /// Runs a write of `scope` (see the module documentation): `catalog` is
    /// awaited before the transaction, `step` is each attempt's work.
    ///
    /// # Errors
    /// The step's refusals; `RequestIdReused`, `RequestInProgress`,
    /// `VersionMismatch`; storage failures.
    pub(super) async fn write<S: Step>(
        &self,
        scope: Scope,
        opts: &WriteOptions,
        catalog: impl Future<Output = Result<CatalogSnapshot, ServiceError>>,
        step: S,
    ) -> Result<Written, ServiceError> {
        let keyed = opts
            .request
            .as_ref()
            .map(|key| Keyed { scope: &scope, key });
        let _running: Option<Running> = match keyed {
            Some(keyed) => {
                // A retry after the first call ended replays at once, however
                // many retries run together.
                if let Some(response) = keyed.replayed(self.db.conn(), self.clock.now()).await? {
                    return Ok(Written::Replayed(response));
                }
                Some(self.in_flight.hold(keyed)?)
            }
            None => None,
        };
        let snapshot = catalog.await?;
        // A keyed write needs its claim, held by a transaction: it locks;
        // so does one storing device signals (when they are kept at all).
        let stores_device = opts.device.is_some() && self.recovery.hasher.is_some();
        if keyed.is_none() && !stores_device && self.db.writes_in_one_statement() {
            let ctx = AtOnce {
                db: &self.db,
                now: self.clock.now(),
                snapshot: &snapshot,
                policy: &self.policy,
                expected_version: opts.expected_version,
                recorded: Recorded::default(),
            };
            match step.at_once(&ctx).await {
                Ok(Some(outcome)) => {
                    self.after_commit(ctx.recorded.take());
                    return Ok(self.fresh(outcome, &snapshot).await);
                }
                // Moved, or lost a race: the locking path converges.
                Ok(None) | Err(ServiceError::Conflict(_)) => {}
                Err(error) => return Err(error),
            }
        }
        let mut tries = 1;
        loop {
            match self.attempt(keyed, opts, &snapshot, &step).await {
                Err(ServiceError::Conflict(error)) if tries < MAX_ATTEMPTS => {
                    tracing::debug!(%error, tries, "transaction conflict; retrying");
                    self.metrics.write_retries.inc();
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// One attempt: the transaction of a write.
    async fn attempt(
        &self,
        keyed: Option<Keyed<'_>>,
        opts: &WriteOptions,
        snapshot: &CatalogSnapshot,
        step: &impl Step,
    ) -> Result<Written, ServiceError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        if let Some(keyed) = keyed {
            keyed.claim(&tx).await?;
            if let Some(response) = keyed.replayed(&tx, now).await? {
                tx.rollback().await?;
                return Ok(Written::Replayed(response));
            }
        }
        let ctx = Ctx {
            tx: &tx,
            now,
            snapshot,
            policy: &self.policy,
            recorded: Recorded::default(),
        };
        let applied = async {
            let (locked, current) = step.lock(&ctx).await?;
            match opts.expected_version {
                Some(expected) if expected != current => {
                    Err(ServiceError::VersionMismatch { expected, current })
                }
                _ => step.apply(&ctx, locked).await,
            }
        }
        .await;
        let applied = match applied {
            Ok(outcome) => self.keep_device(&ctx, opts, outcome).await,
            Err(error) => Err(error),
        };
        match applied {
            Ok(outcome) => {
                let recorded = ctx.recorded.take();
                let written = self.commit(tx, keyed, opts, snapshot, outcome, now).await?;
                self.after_commit(recorded);
                Ok(written)
            }
            Err(refusal) if refusal.is_refusal() => {
                tx.rollback().await?;
                Err(refusal)
            }
            Err(error) => Err(error),
        }
    }

    /// Ends a write: with a request id, builds and encodes the response and
    /// remembers it in the same transaction; then commits.
    async fn commit(
        &self,
        tx: Tx,
        keyed: Option<Keyed<'_>>,
        opts: &WriteOptions,
        snapshot: &CatalogSnapshot,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<Written, ServiceError> {
        let Some(keyed) = keyed else {
            tx.commit().await?;
            return Ok(self.fresh(outcome, snapshot).await);
        };
        // Built from what the catalog said before the transaction: no network
        // call while the cart is locked.
        let settings = &self.policy.view;
        let demand = self.demand.current();
        let result = outcome
            .answer(snapshot, settings, |cart, lines| async {
                view::build(cart, lines, snapshot, settings, &demand)
            })
            .await;
        let until = now + self.policy.idempotency_window;
        keyed
            .remember(&tx, (opts.encode)(&result), now, until)
            .await?;
        tx.commit().await?;
        Ok(Written::Fresh(Box::new(result)))
    }
}

impl CartService {
    /// Stores the caller's device signals, hashed, on the guest cart the
    /// write left (recovery by device), when both are there and hashing is
    /// configured.
    async fn keep_device(
        &self,
        ctx: &Ctx<'_>,
        opts: &WriteOptions,
        outcome: Outcome,
    ) -> Result<Outcome, ServiceError> {
        let (Some(device), Some(hasher), Some(cart)) =
            (&opts.device, &self.recovery.hasher, &outcome.cart)
        else {
            return Ok(outcome);
        };
        if cart.customer_id.is_none() && cart.status == CartStatus::Active {
            let hashes = hasher.device(device);
            devices::save_device(ctx.tx, cart.id, &hashes, ctx.now).await?;
        }
        Ok(outcome)
    }

    /// After a write committed: counts its events in the business metrics
    /// and, where changes are announced in-process (SQLite), wakes the
    /// watchers of the carts it changed.
    fn after_commit(&self, (events, owners): (Vec<Event>, Vec<Owner>)) {
        for event in &events {
            self.metrics.event(event.kind().as_str());
            if let Event::MergedFrom { strategy, .. } = event {
                self.metrics.merge(strategy.as_str());
            }
        }
        if let Some(live) = &self.live {
            live.publish(&owners);
        }
    }

    /// The response of a committed write without a request id: its view
    /// built from the in-memory lines, asking the catalog (after commit,
    /// never while other writers wait) only about lines it was not asked
    /// about before.
    async fn fresh(&self, outcome: Outcome, snapshot: &CatalogSnapshot) -> Written {
        let result = outcome
            .answer(snapshot, &self.policy.view, |cart, lines| {
                self.view_with(cart, lines, snapshot.clone())
            })
            .await;
        Written::Fresh(Box::new(result))
    }
}

/// `own` (the shopper's locked active cart), or a new cart of the shopper's
/// inserted now, with its `created` event pushed onto `events`.
pub(super) async fn or_new_cart(
    ctx: &Ctx<'_>,
    shopper: &Shopper,
    own: Option<Cart>,
    events: &mut Vec<Event>,
) -> Result<Cart, ServiceError> {
    if let Some(cart) = own {
        return Ok(cart);
    }
    let policy = ctx.policy;
    let currency = policy.view.default_currency.clone();
    let fresh = Cart::new(shopper, currency, ctx.now, policy.ttl);
    if !carts::insert_if_absent(ctx.tx, &fresh).await? {
        // Created by a concurrent call: the retry finds it.
        let raced = StorageError::raced("a cart was created");
        return Err(ServiceError::Conflict(raced));
    }
    events.push(created(&fresh));
    Ok(fresh)
}

/// The shopper's active cart, locked; an expired one is set aside
/// (`abandoned`, with its event) in this transaction and `None` returned.
pub(super) async fn lock_active(
    ctx: &Ctx<'_>,
    shopper: &Shopper,
) -> Result<Option<Cart>, ServiceError> {
    let now = ctx.now;
    let Some(mut cart) = carts::find_active(ctx.tx, shopper, true).await? else {
        return Ok(None);
    };
    if !cart.is_expired(now) {
        return Ok(Some(cart));
    }
    let abandoned = Event::Abandoned {
        expires_at: cart.expires_at,
    };
    // A change like any other: the version moves, so a write conditioned on
    // the version read before cannot land on the abandoned cart.
    cart.status = CartStatus::Abandoned;
    cart.version += 1;
    cart.updated_at = now;
    ctx.save(&cart, &[abandoned]).await?;
    Ok(None)
}
