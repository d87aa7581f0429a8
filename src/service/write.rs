//! The write pipeline every mutation goes through, and its unit of work.
//!
//! [`CartService::write`] runs one write of a [`Step`]:
//! 1. with a request id: the id is held in this process while the call runs
//!    (a duplicate here is `RequestInProgress`); before a locking attempt, a
//!    retry of a finished call is answered from its remembered response at
//!    once;
//! 2. the catalog is asked, once and before any transaction, about what the
//!    write needs (so no lock is ever held across a network call);
//! 3. an attempt: the step reads what it changes ([`Step::lock`]), the
//!    caller's `expected_version` is checked against it — here, once — and
//!    the step applies its rule and writes ([`Step::apply`]), every cart
//!    change through [`Ctx::write_cart`].
//!
//! The attempt runs one of two ways, with the same step code:
//! - **optimistic** (PostgreSQL, a step that writes one cart change:
//!   [`Step::OPTIMISTIC`]): no transaction and no lock; the change is one
//!   statement conditioned on the version read, so it commits in one round
//!   trip or writes nothing. With a request id, the statement also claims
//!   the key (an advisory lock: held by a write on another replica, the
//!   statement writes nothing) and inserts the record of the response under
//!   the same condition (a key with a record fails the statement on its
//!   primary key, and nothing is written). When the cart
//!   moved meanwhile, the key has a record, the change needs more than one
//!   statement, or the cart must first be set aside, the locking attempt
//!   runs instead;
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
//! What a step sees during its attempt, and how it writes, is
//! [`Ctx`] (`ctx.rs`).

use std::future::Future;

use chrono::{DateTime, Utc};

pub(super) use super::ctx::{Ctx, raced};
use super::idempotency::{Keyed, RequestKey, Running, Scope};
use super::output::{Answering, Output};
use super::prefetch::Touches;
use super::{CartService, ServiceError};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::device::DeviceSignals;
use crate::domain::event::Event;
use crate::live::Owner;
use crate::storage::{Conn, Tx};

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

    /// What the catalog must also have been asked about when a keyed write
    /// falls back from the optimistic attempt to the locking one (which
    /// builds its response inside the transaction, from what the catalog
    /// said before it): what the optimistic attempt asked about later.
    fn before_locking(&self) -> Vec<Touches<'_>> {
        Vec::new()
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
        let optimistic = self.db.writes_in_one_statement() && step.optimistic(self);
        let _running: Option<Running> = match keyed {
            Some(keyed) => match self.hold_or_replay(keyed, !optimistic).await? {
                Ok(running) => Some(running),
                Err(response) => return Ok(Written::Replayed(response)),
            },
            None => None,
        };
        let mut snapshot = catalog.await?;
        if optimistic {
            if let Some(written) = self.optimistic(keyed, opts, &snapshot, &step).await? {
                return Ok(written);
            }
            if keyed.is_some() {
                snapshot.extend(self.prefetch(step.before_locking()).await?);
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

    /// Holds `keyed` in this process for the call (`Ok`), or finds the
    /// remembered response of a finished call with it (`Err`): a retry after
    /// the first call ended replays at once, however many retries run
    /// together. Looked for first when `look_first`; an optimistic attempt
    /// needs no look (the record it writes with its change fails the whole
    /// statement when one exists, and the locking attempt then replays), so
    /// only a call that finds the key held here looks.
    ///
    /// # Errors
    /// `RequestInProgress` when a call with the key runs here;
    /// `RequestIdReused`; storage failures.
    async fn hold_or_replay(
        &self,
        keyed: Keyed<'_>,
        look_first: bool,
    ) -> Result<Result<Running, Vec<u8>>, ServiceError> {
        if look_first
            && let Some(response) = keyed.replayed(self.db.conn(), self.clock.now()).await?
        {
            return Ok(Err(response));
        }
        match self.in_flight.hold(keyed) {
            Ok(running) => Ok(Ok(running)),
            Err(in_progress) => match keyed.replayed(self.db.conn(), self.clock.now()).await? {
                Some(response) => Ok(Err(response)),
                None => Err(in_progress),
            },
        }
    }

    /// The optimistic attempt: `None` when the locking attempt must run.
    /// With a request id, the step's change is held back until its result
    /// is built and encoded, then written with the record of that response
    /// in one statement: the claim of the key (an advisory lock), the change
    /// and the remembered response commit together.
    async fn optimistic<S: Step>(
        &self,
        keyed: Option<Keyed<'_>>,
        opts: &WriteOptions<ResultOf<S>>,
        snapshot: &CatalogSnapshot,
        step: &S,
    ) -> Result<Option<Written<ResultOf<S>>>, ServiceError> {
        let mut ctx = self.ctx(Conn::Alone(&self.db), snapshot);
        ctx.hold_back(keyed.is_some());
        let attempt = async {
            let output = self.run(&ctx, opts, step).await?;
            let result = output.answer_later(self, snapshot).await;
            if let Some(keyed) = keyed {
                let response = (opts.encode)(&result);
                let until = ctx.now + self.policy.idempotency_window;
                ctx.write_held(keyed.record(&response, until)).await?;
            }
            Ok(result)
        };
        match attempt.await {
            Ok(result) => {
                self.after_commit(ctx.take_recorded());
                Ok(Some(Written::Fresh(Box::new(result))))
            }
            // Moved, lost a race, or a pooled connection found dead before
            // the statement ran: the locking attempt converges.
            Err(ServiceError::Conflict(_)) => Ok(None),
            Err(ServiceError::DatabaseUnavailable(e)) if e.never_ran() => Ok(None),
            // A refusal of a call whose key was not looked up first may be
            // the retry of one that succeeded (its change now fills the line,
            // or moved the version): that one's response is the answer.
            Err(refusal) if refusal.is_refusal() => {
                let Some(keyed) = keyed else {
                    return Err(refusal);
                };
                match keyed.replayed(self.db.conn(), self.clock.now()).await? {
                    Some(response) => Ok(Some(Written::Replayed(response))),
                    None => Err(refusal),
                }
            }
            Err(error) => Err(error),
        }
    }

    fn ctx<'a>(&'a self, conn: Conn<'a>, snapshot: &'a CatalogSnapshot) -> Ctx<'a> {
        Ctx::new(self, conn, snapshot)
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
            match keyed.claim(&tx).await {
                // Held elsewhere, or by our own optimistic statement that
                // failed on the key's record a moment ago and whose end the
                // database has not yet processed: the record tells which.
                Err(ServiceError::RequestInProgress) => {
                    drop(ctx);
                    tx.rollback().await?;
                    let now = self.clock.now();
                    return match keyed.replayed(self.db.conn(), now).await? {
                        Some(response) => Ok(Written::Replayed(response)),
                        None => Err(ServiceError::RequestInProgress),
                    };
                }
                other => other?,
            }
            if let Some(response) = keyed.replayed(&tx, ctx.now).await? {
                tx.rollback().await?;
                return Ok(Written::Replayed(response));
            }
        }
        match self.run(&ctx, opts, step).await {
            Ok(output) => {
                let (recorded, now) = (ctx.take_recorded(), ctx.now);
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
