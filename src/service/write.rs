//! The write pipeline every mutation goes through, and its unit of work.
//!
//! [`CartService::write`] runs one write of a [`Step`]:
//! 1. with a request id: a retry of a finished call is answered from its
//!    remembered response at once; otherwise the id is held in this process
//!    while the call runs (a duplicate here is `RequestInProgress`);
//! 2. the catalog is asked, once and before any transaction, about what the
//!    write needs (so no lock is ever held across a network call);
//! 3. an attempt: the step reads what it changes ([`Step::lock`]), the
//!    caller's `expected_version` is checked against it — here, once — and
//!    the step applies its rule and writes ([`Step::apply`]), every cart
//!    change through [`Ctx::write_cart`].
//!
//! The attempt runs one of two ways, with the same step code:
//! - **optimistic** (PostgreSQL, no request id, a step that writes one cart
//!   change: [`Step::OPTIMISTIC`]): no transaction and no lock; the change
//!   is one statement conditioned on the version read, so it commits in one
//!   round trip or writes nothing. When the cart moved meanwhile, the change
//!   needs more than one statement, or the cart must first be set aside, the
//!   locking attempt runs instead;
//! - **locking**: one transaction ([`Tx`]) that claims the request id
//!   (PostgreSQL advisory lock: a duplicate on another replica is refused),
//!   replays if a call with it committed meanwhile, lets the step lock what
//!   it changes and, with a request id, remembers the response before it
//!   commits.
//!
//! Serialization failures, deadlocks and unique-index races run the locking
//! attempt again (at most [`MAX_ATTEMPTS`] times). A refusal rolls back.
//! Each step declares its own [`Output`]; what the caller gets is that
//! output's [`Output::Result`], built after commit (or inside the
//! transaction, from the catalog's earlier answer, when it is remembered).
//!
//! One file past the usual size: the pipeline, the context a step sees and
//! the step's contract are read together, and each refers to the others.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::idempotency::{Keyed, RequestKey, Running, Scope};
use super::output::{Answering, Output};
use super::{CartService, Policy, ServiceError};
use crate::domain::cart::{Cart, CartStatus, LineChange, Shopper};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::device::DeviceSignals;
use crate::domain::event::Event;
use crate::live::Owner;
use crate::storage::cart_write::{self, CartChange, Header, Wrote};
use crate::storage::{Conn, StorageError, Tx, devices};

/// How many times a transaction that hit a serialization failure, deadlock or
/// unique-index race is run before the failure reaches the caller.
const MAX_ATTEMPTS: u32 = 3;

/// Encodes a write's result as its response, to be remembered with its
/// request id.
pub type Encoder<T> = fn(&T) -> Vec<u8>;

/// Options every write takes; `T` is the use case's result.
#[derive(Debug, Clone)]
pub struct WriteOptions<T> {
    /// AIP-155 request id, when given.
    pub request: Option<RequestKey>,
    /// AIP-154 expected version, when given.
    pub expected_version: Option<i64>,
    /// How the response is encoded, to be remembered for retries.
    pub encode: Encoder<T>,
}

/// A write's outcome: done now, or the remembered response of an earlier
/// call with the same request id.
#[derive(Debug, Clone, PartialEq)]
pub enum Written<T> {
    /// Done by this call.
    Fresh(Box<T>),
    /// Done before: the first call's encoded response, byte for byte.
    Replayed(Vec<u8>),
}

/// What a step sees during its attempt.
pub(super) struct Ctx<'a> {
    /// What the attempt runs on: its transaction, or (optimistic) the pool.
    conn: Conn<'a>,
    /// The time of this attempt.
    pub now: DateTime<Utc>,
    /// What the catalog said before the attempt.
    pub snapshot: &'a CatalogSnapshot,
    /// The cart rules' knobs.
    pub policy: &'a Policy,
    /// The events this attempt wrote, counted once it commits.
    recorded: Recorded,
    service: &'a CartService,
}

impl Ctx<'_> {
    /// The attempt's connection, for the repositories.
    pub fn tx(&self) -> &Conn<'_> {
        &self.conn
    }

    /// A new cart of `shopper`'s, not yet stored: [`Self::write_cart`]
    /// with `new` inserts it.
    pub fn new_cart(&self, shopper: &Shopper) -> Cart {
        let currency = self.policy.view.default_currency.clone();
        Cart::new(shopper, currency, self.now, self.policy.ttl)
    }

    /// Writes one change of `cart`: its version and times moved on, its
    /// header stored (inserted when `new`, with its `created` event first),
    /// `lines` and `events` — one statement on PostgreSQL where it can be.
    ///
    /// # Errors
    /// `Conflict` when a new cart lost the race to another (the retry finds
    /// it), or when an optimistic attempt cannot write (it falls back to
    /// locking); storage failures.
    pub async fn write_cart(
        &self,
        cart: &mut Cart,
        new: bool,
        lines: &[LineChange],
        events: Vec<Event>,
    ) -> Result<(), ServiceError> {
        let read = cart.version;
        cart.touch(self.now, self.policy.ttl);
        self.store(cart, read, new, lines, events).await
    }

    /// Stores `cart` as it is, changed from version `read`: the one write
    /// of a cart's header, lines and events.
    pub(super) async fn store(
        &self,
        cart: &Cart,
        read: i64,
        new: bool,
        lines: &[LineChange],
        mut events: Vec<Event>,
    ) -> Result<(), ServiceError> {
        let locking = self.conn.in_transaction();
        let header = if new {
            events.insert(0, created(cart));
            Header::New(cart)
        } else {
            let read = (!locking).then_some(read);
            Header::Stored { cart, read }
        };
        let change = CartChange {
            header,
            lines,
            events: &events,
        };
        match cart_write::write(&self.conn, change, self.now, locking).await? {
            Wrote::All => {
                self.recorded.push(&events);
                self.recorded.owner(cart);
                Ok(())
            }
            Wrote::Nothing if new => Err(raced("a cart was created")),
            Wrote::Nothing | Wrote::NeedsTransaction => Err(raced("the cart moved")),
        }
    }

    /// Wakes the watchers of `cart`'s owner as it is now, once the attempt
    /// commits (a cart that changes owner tells the one it leaves).
    pub fn announce(&self, cart: &Cart) {
        self.recorded.owner(cart);
    }

    /// Stores `device`'s signals, hashed, on `cart` when it is an active
    /// guest cart and hashing is configured (recovery by device).
    pub async fn keep_device(
        &self,
        cart: Option<&Cart>,
        device: Option<&DeviceSignals>,
    ) -> Result<(), ServiceError> {
        let (Some(device), Some(hasher), Some(cart)) =
            (device, &self.service.recovery.hasher, cart)
        else {
            return Ok(());
        };
        if cart.customer_id.is_none() && cart.status == CartStatus::Active {
            let hashes = hasher.device(device);
            devices::save_device(&self.conn, cart.id, &hashes, self.now).await?;
        }
        Ok(())
    }
}

/// A race this attempt lost: the locking attempt, or its retry, converges.
pub(super) fn raced(what: &str) -> ServiceError {
    ServiceError::Conflict(StorageError::raced(what))
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
    fn push(&self, events: &[Event]) {
        self.lock().0.extend_from_slice(events);
    }

    /// Notes a change of a cart owned by `cart`'s owner as it is now.
    fn owner(&self, cart: &Cart) {
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

/// One write's work, run once per attempt.
pub(super) trait Step {
    /// What [`Step::lock`] found, for [`Step::apply`].
    type Locked;
    /// What the write leaves.
    type Output: Output;
    /// Whether the step writes at most one cart change, through
    /// [`Ctx::write_cart`], and nothing else, so it may run optimistically.
    const OPTIMISTIC: bool = false;

    /// Reads (locking, on the locking attempt) what the write changes;
    /// returns it, with the version the caller's `expected_version` is
    /// checked against (0: no cart).
    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError>;

    /// Applies the rule to what was read and writes the change.
    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError>;

    /// Whether this write may run optimistically (by default, when the
    /// step's kind may).
    fn optimistic(&self, _service: &CartService) -> bool {
        Self::OPTIMISTIC
    }
}

/// The result a step's write gives its caller.
pub(super) type ResultOf<S> = <<S as Step>::Output as Output>::Result;

impl CartService {
    /// Runs a write of `scope` (see the module documentation): `catalog` is
    /// awaited before any attempt, `step` is each attempt's work.
    ///
    /// # Errors
    /// The step's refusals; `RequestIdReused`, `RequestInProgress`,
    /// `VersionMismatch`; storage failures.
    pub(super) async fn write<S: Step>(
        &self,
        scope: Scope,
        opts: &WriteOptions<ResultOf<S>>,
        catalog: impl Future<Output = Result<CatalogSnapshot, ServiceError>>,
        step: S,
    ) -> Result<Written<ResultOf<S>>, ServiceError> {
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
        // A keyed write needs its claim, held by a transaction: it locks.
        if keyed.is_none()
            && self.db.writes_in_one_statement()
            && step.optimistic(self)
            && let Some(written) = self.optimistic(opts, &snapshot, &step).await?
        {
            return Ok(written);
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

    /// The optimistic attempt: `None` when the locking attempt must run.
    async fn optimistic<S: Step>(
        &self,
        opts: &WriteOptions<ResultOf<S>>,
        snapshot: &CatalogSnapshot,
        step: &S,
    ) -> Result<Option<Written<ResultOf<S>>>, ServiceError> {
        let ctx = self.ctx(Conn::Alone(&self.db), snapshot);
        match self.run(&ctx, opts, step).await {
            Ok(output) => {
                self.after_commit(ctx.recorded.take());
                let result = output.answer_later(self, snapshot).await;
                Ok(Some(Written::Fresh(Box::new(result))))
            }
            // Moved, lost a race, or a pooled connection found dead before
            // the statement ran: the locking attempt converges.
            Err(ServiceError::Conflict(_)) => Ok(None),
            Err(ServiceError::DatabaseUnavailable(e)) if e.never_ran() => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn ctx<'a>(&'a self, conn: Conn<'a>, snapshot: &'a CatalogSnapshot) -> Ctx<'a> {
        Ctx {
            conn,
            now: self.clock.now(),
            snapshot,
            policy: &self.policy,
            recorded: Recorded::default(),
            service: self,
        }
    }

    /// The step's read, the version check, and its rule and writes.
    async fn run<S: Step>(
        &self,
        ctx: &Ctx<'_>,
        opts: &WriteOptions<ResultOf<S>>,
        step: &S,
    ) -> Result<S::Output, ServiceError> {
        let (locked, current) = step.lock(ctx).await?;
        match opts.expected_version {
            Some(expected) if expected != current => {
                Err(ServiceError::VersionMismatch { expected, current })
            }
            _ => step.apply(ctx, locked).await,
        }
    }

    /// One locking attempt: the transaction of a write.
    async fn attempt<S: Step>(
        &self,
        keyed: Option<Keyed<'_>>,
        opts: &WriteOptions<ResultOf<S>>,
        snapshot: &CatalogSnapshot,
        step: &S,
    ) -> Result<Written<ResultOf<S>>, ServiceError> {
        let tx = self.db.begin_write().await?;
        let ctx = self.ctx(Conn::Tx(&tx), snapshot);
        if let Some(keyed) = keyed {
            keyed.claim(&tx).await?;
            if let Some(response) = keyed.replayed(&tx, ctx.now).await? {
                tx.rollback().await?;
                return Ok(Written::Replayed(response));
            }
        }
        match self.run(&ctx, opts, step).await {
            Ok(output) => {
                let (recorded, now) = (ctx.recorded.take(), ctx.now);
                drop(ctx);
                let written = self.commit(tx, keyed, opts, snapshot, output, now).await?;
                self.after_commit(recorded);
                Ok(written)
            }
            Err(refusal) if refusal.is_refusal() => {
                drop(ctx);
                tx.rollback().await?;
                Err(refusal)
            }
            Err(error) => Err(error),
        }
    }

    /// Ends a locking attempt: with a request id, builds and encodes the
    /// result and remembers it in the same transaction; then commits.
    async fn commit<O: Output>(
        &self,
        tx: Tx,
        keyed: Option<Keyed<'_>>,
        opts: &WriteOptions<O::Result>,
        snapshot: &CatalogSnapshot,
        output: O,
        now: DateTime<Utc>,
    ) -> Result<Written<O::Result>, ServiceError> {
        let Some(keyed) = keyed else {
            tx.commit().await?;
            let result = output.answer_later(self, snapshot).await;
            return Ok(Written::Fresh(Box::new(result)));
        };
        let demand = self.demand.current();
        let answering = Answering {
            snapshot,
            settings: &self.policy.view,
            demand: &demand,
        };
        let result = output.answer_now(&answering);
        let until = now + self.policy.idempotency_window;
        keyed
            .remember(&tx, (opts.encode)(&result), now, until)
            .await?;
        tx.commit().await?;
        Ok(Written::Fresh(Box::new(result)))
    }

    /// Whether a write carrying `device`'s signals stores them
    /// ([`Ctx::keep_device`]): such a write needs a transaction.
    pub(super) fn stores_device(&self, device: Option<&DeviceSignals>) -> bool {
        device.is_some() && self.recovery.hasher.is_some()
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
}

/// The event of `cart`'s creation.
fn created(cart: &Cart) -> Event {
    Event::Created {
        session_id: cart.session_id.clone(),
        customer_id: cart.customer_id.clone(),
        currency: cart.currency.clone(),
    }
}
