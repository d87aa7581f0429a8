//! The cart use cases behind `shop.cart.v1.CartService`.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use super::ServiceError;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::domain::cart::{
    Adjustment, Cart, CartStatus, Change, Event, Line, RecordedEvent, Shopper,
};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::email::Email;
use crate::domain::ids::{CartId, ItemId, OrderId, RequestId, SessionId, VariantId};
use crate::domain::quantity::Quantity;
use crate::domain::rules::{self, AddItem, Limits, MergeStrategy, Rejection};
use crate::domain::view::{self, CartView, Issue, ViewSettings};
use crate::storage::{Database, StorageError, WriterTurn, carts, idempotency};

/// How many times a transaction that hit a serialization failure, deadlock or
/// unique-index race is run again before the failure reaches the caller.
const MAX_ATTEMPTS: u32 = 3;

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

/// A cart rule as a use case runs it: given the locked cart and lines, what
/// the catalog said and the time, the change to write (or a refusal).
trait CartRule:
    Fn(&mut Cart, &mut Vec<Line>, &CatalogSnapshot, DateTime<Utc>) -> Result<Change, Rejection>
{
}

impl<F> CartRule for F where
    F: Fn(&mut Cart, &mut Vec<Line>, &CatalogSnapshot, DateTime<Utc>) -> Result<Change, Rejection>
{
}

/// What to do when the shopper has no active cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WhenAbsent {
    /// Create it (AddItem, SetEmail).
    Create,
    /// Run the rule on an empty cart and write nothing (ClearCart,
    /// RefreshCart, and the line RPCs, whose rules then refuse with NOT_FOUND).
    WriteNothing,
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

/// Encodes a write's response, to be remembered with its request id.
pub type Encoder<'a> = dyn Fn(&WriteResult) -> Vec<u8> + Send + Sync + 'a;

/// The request id of a write and what identifies its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// Whose keys these are (the shopper, or the cart for service calls).
    pub scope: String,
    /// The caller's key.
    pub request_id: RequestId,
    /// Digest of the RPC and its request, request id excluded.
    pub fingerprint: String,
}

/// Options every write takes.
pub struct WriteOptions<'a> {
    /// AIP-155 request id, when given.
    pub idempotency: Option<Idempotency>,
    /// AIP-154 expected version, when given.
    pub expected_version: Option<i64>,
    /// How the response is encoded, to be remembered for retries.
    pub encode: &'a Encoder<'a>,
}

/// A page of cart events.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    /// Events, oldest first.
    pub events: Vec<RecordedEvent>,
    /// Sequence number to continue after, when there are more.
    pub next_after: Option<i64>,
}

/// Runs `attempt` again while it fails with a retryable storage conflict, at
/// most [`MAX_ATTEMPTS`] times.
async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, ServiceError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(ServiceError::Storage(StorageError::Conflict(error))) if tries < MAX_ATTEMPTS => {
                tracing::debug!(%error, tries, "transaction conflict; retrying");
                tries += 1;
            }
            other => return other,
        }
    }
}

/// What catalog data a write's rule needs before its transaction.
#[derive(Debug, Clone, Copy)]
enum Needs<'a> {
    /// This variant's, if any (adding it; or nothing at all).
    Only(Option<&'a VariantId>),
    /// Every line's, and this variant's if any (raising a quantity,
    /// re-pricing).
    EveryLine(Option<&'a VariantId>),
}

/// Refuses a write whose `expected_version` is not the cart's (0 when there
/// is no cart).
fn check_version(opts: &WriteOptions<'_>, cart: Option<&Cart>) -> Result<(), Rejection> {
    let current = cart.map_or(0, |c| c.version);
    match opts.expected_version {
        Some(expected) if expected != current => {
            Err(Rejection::VersionMismatch { expected, current })
        }
        _ => Ok(()),
    }
}

/// Rolls `tx` back and returns the rejection as an error.
async fn refuse<T>(tx: DatabaseTransaction, rejection: Rejection) -> Result<T, ServiceError> {
    tx.rollback().await?;
    Err(rejection.into())
}

/// The cart use cases.
#[derive(Debug, Clone)]
pub struct CartService {
    db: Database,
    catalog: Arc<dyn Catalog>,
    clock: Arc<dyn Clock>,
    policy: Policy,
    /// Request ids (with their scope) of the keyed writes running in this
    /// process.
    running: Arc<Mutex<HashSet<(String, String)>>>,
}

/// How a write starts: replaying a remembered response, or running (holding
/// its request id, if any).
enum Start {
    Replay(Vec<u8>),
    Run(Option<Running>),
}

/// A keyed write's hold on its request id while it runs; released on drop.
#[derive(Debug)]
struct Running {
    key: (String, String),
    running: Arc<Mutex<HashSet<(String, String)>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
    }
}

impl CartService {
    /// The use cases over `db` and `catalog`.
    pub fn new(
        db: Database,
        catalog: Arc<dyn Catalog>,
        clock: Arc<dyn Clock>,
        policy: Policy,
    ) -> Self {
        Self {
            db,
            catalog,
            clock,
            policy,
            running: Arc::default(),
        }
    }

    /// The start of a write: with a request id seen before, its remembered
    /// response; otherwise the id is marked as running in this process until
    /// the returned hold is dropped.
    ///
    /// # Errors
    /// `RequestInProgress` when a call with the same id is running here;
    /// `RequestIdReused`; storage failures.
    async fn start(&self, opts: &WriteOptions<'_>) -> Result<Start, ServiceError> {
        let Some(idem) = &opts.idempotency else {
            return Ok(Start::Run(None));
        };
        // A retry after the first call ended replays at once, however many
        // retries run together.
        if let Some(response) = self
            .replayed(self.db.conn(), opts, self.clock.now())
            .await?
        {
            return Ok(Start::Replay(response));
        }
        let key = (idem.scope.clone(), idem.request_id.as_str().to_owned());
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if !running.insert(key.clone()) {
            return Err(Rejection::RequestInProgress.into());
        }
        Ok(Start::Run(Some(Running {
            key,
            running: self.running.clone(),
        })))
    }

    /// The first statement of a keyed write on PostgreSQL: claims the request
    /// id for this transaction, so a duplicate running on another replica is
    /// refused instead of waiting on the cart lock.
    ///
    /// # Errors
    /// `RequestInProgress` when another transaction holds it.
    async fn claim(
        &self,
        tx: &DatabaseTransaction,
        opts: &WriteOptions<'_>,
    ) -> Result<(), ServiceError> {
        let Some(idem) = &opts.idempotency else {
            return Ok(());
        };
        if idempotency::try_claim(tx, &idem.scope, idem.request_id.as_str()).await? {
            Ok(())
        } else {
            Err(Rejection::RequestInProgress.into())
        }
    }

    /// The shopper's cart, enriched from the catalog. Writes nothing; with no
    /// (unexpired) cart, an empty view. Degrades to stored snapshots with a
    /// warning when the catalog does not answer.
    ///
    /// # Errors
    /// [`ServiceError::Storage`] when the database fails.
    #[tracing::instrument(skip_all)]
    pub async fn get_cart(&self, shopper: &Shopper) -> Result<CartView, ServiceError> {
        let now = self.clock.now();
        let (cart, lines) = carts::find_active_with_lines(self.db.conn(), shopper)
            .await?
            .filter(|(c, _)| !c.is_expired(now))
            .map_or((None, Vec::new()), |(c, lines)| (Some(c), lines));
        let snapshot = self.lookup(lines.iter().map(|l| &l.variant_id)).await;
        Ok(view::build(cart, lines, &snapshot, &self.policy.view))
    }

    /// Checks the cart for checkout against the catalog now. Writes nothing.
    ///
    /// # Errors
    /// [`ServiceError::Storage`] when the database fails.
    #[tracing::instrument(skip_all)]
    pub async fn validate(
        &self,
        shopper: &Shopper,
    ) -> Result<(CartView, Vec<Issue>), ServiceError> {
        let view = self.get_cart(shopper).await?;
        let issues = view::validate(&view);
        Ok((view, issues))
    }

    /// Any cart by id, whatever its status (checkout).
    ///
    /// # Errors
    /// `CartNotFound`; storage failures.
    #[tracing::instrument(skip_all, fields(cart_id = %id))]
    pub async fn get_cart_by_id(&self, id: CartId) -> Result<CartView, ServiceError> {
        let cart = carts::find_by_id(self.db.conn(), id, false)
            .await?
            .ok_or(Rejection::CartNotFound(id))?;
        self.view_of(Some(cart)).await
    }

    /// Adds units of a variant.
    ///
    /// # Errors
    /// [`ServiceError::Rejected`] when a rule refuses (the catalog being
    /// unavailable included); [`ServiceError::Storage`] on database failure.
    #[tracing::instrument(skip_all, fields(variant_id = %add.variant_id, quantity = add.quantity.get()))]
    pub async fn add_item(
        &self,
        shopper: &Shopper,
        add: AddItem,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let variant_id = add.variant_id.clone();
        let limits = self.policy.limits;
        let rule = |cart: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            rules::add_item(
                cart,
                lines,
                catalog.get(&variant_id),
                add.clone(),
                limits,
                now,
            )
        };
        self.mutate(
            shopper,
            Needs::Only(Some(&variant_id)),
            WhenAbsent::Create,
            opts,
            rule,
        )
        .await
    }

    /// Sets a line's quantity; `None` removes the line.
    ///
    /// # Errors
    /// As [`Self::add_item`]; `ItemNotFound` when the line is not the
    /// shopper's.
    #[tracing::instrument(skip_all, fields(item_id = %item_id))]
    pub async fn update_item(
        &self,
        shopper: &Shopper,
        item_id: ItemId,
        quantity: Option<Quantity>,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let rule = |_: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            rules::update_item(lines, item_id, quantity, catalog, now)
        };
        self.mutate(
            shopper,
            Needs::EveryLine(None),
            WhenAbsent::WriteNothing,
            opts,
            rule,
        )
        .await
    }

    /// Removes a line.
    ///
    /// # Errors
    /// `ItemNotFound` when the line is not the shopper's; storage failures.
    #[tracing::instrument(skip_all, fields(item_id = %item_id))]
    pub async fn remove_item(
        &self,
        shopper: &Shopper,
        item_id: ItemId,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let rule = |_: &mut Cart, lines: &mut Vec<Line>, _: &CatalogSnapshot, _| {
            rules::remove_item(lines, item_id)
        };
        self.mutate(
            shopper,
            Needs::Only(None),
            WhenAbsent::WriteNothing,
            opts,
            rule,
        )
        .await
    }

    /// Removes every line; a shopper with no cart gets the empty view.
    ///
    /// # Errors
    /// Storage failures.
    #[tracing::instrument(skip_all)]
    pub async fn clear(
        &self,
        shopper: &Shopper,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let rule =
            |_: &mut Cart, lines: &mut Vec<Line>, _: &CatalogSnapshot, _| Ok(rules::clear(lines));
        self.mutate(
            shopper,
            Needs::Only(None),
            WhenAbsent::WriteNothing,
            opts,
            rule,
        )
        .await
    }

    /// Sets the checkout e-mail address, creating the cart if needed.
    ///
    /// # Errors
    /// Storage failures.
    #[tracing::instrument(skip_all)]
    pub async fn set_email(
        &self,
        shopper: &Shopper,
        email: Email,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let rule = |cart: &mut Cart, _: &mut Vec<Line>, _: &CatalogSnapshot, _| {
            Ok(rules::set_email(cart, email.clone()))
        };
        self.mutate(shopper, Needs::Only(None), WhenAbsent::Create, opts, rule)
            .await
    }

    /// Accepts current catalog prices and stock; returns what changed.
    ///
    /// # Errors
    /// `CatalogUnavailable` when the cart has lines and the catalog does not
    /// answer; storage failures.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(
        &self,
        shopper: &Shopper,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let rule = |cart: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            rules::refresh(cart, lines, catalog, now)
        };
        self.mutate(
            shopper,
            Needs::EveryLine(None),
            WhenAbsent::WriteNothing,
            opts,
            rule,
        )
        .await
    }

    /// Merges the active guest cart of `guest_session` into the customer's
    /// (`customer.customer_id` must be set), per `strategy`, atomically.
    ///
    /// # Errors
    /// `CatalogUnavailable` when guest lines need the catalog and it does not
    /// answer; storage failures.
    #[tracing::instrument(skip_all, fields(strategy = strategy.as_str()))]
    pub async fn merge_guest_cart(
        &self,
        customer: &Shopper,
        guest_session: SessionId,
        strategy: MergeStrategy,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let _running = match self.start(opts).await? {
            Start::Replay(response) => return Ok(Written::Replayed(response)),
            Start::Run(running) => running,
        };
        let guest = Shopper {
            session_id: guest_session,
            customer_id: None,
        };
        let conn = self.db.conn();
        let mut known = carts::active_variant_ids(conn, &guest).await?;
        known.extend(carts::active_variant_ids(conn, customer).await?);
        let snapshot = self.lookup(&known).await;
        retrying(|| self.merge_transaction(customer, &guest, strategy, &snapshot, opts)).await
    }

    /// Completes a cart by an order; repeating with the same order changes
    /// nothing.
    ///
    /// # Errors
    /// `CartNotFound`, `CartAlreadyCompleted`, `CartNotActive`, `CartExpired`,
    /// `CartEmpty`; storage failures.
    #[tracing::instrument(skip_all, fields(cart_id = %id, order_id = %order_id))]
    pub async fn complete_cart(
        &self,
        id: CartId,
        order_id: OrderId,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let _running = match self.start(opts).await? {
            Start::Replay(response) => return Ok(Written::Replayed(response)),
            Start::Run(running) => running,
        };
        let conn = self.db.conn();
        let known = match carts::find_by_id(conn, id, false).await? {
            Some(cart) => carts::lines(conn, &cart).await?,
            None => Vec::new(),
        };
        let snapshot = self.lookup(known.iter().map(|l| &l.variant_id)).await;
        retrying(|| self.complete_transaction(id, order_id.clone(), &snapshot, opts)).await
    }

    /// A page of at most `page_size` events of a cart, after sequence number
    /// `after`.
    ///
    /// # Errors
    /// `CartNotFound`; storage failures.
    #[tracing::instrument(skip_all, fields(cart_id = %id))]
    pub async fn list_events(
        &self,
        id: CartId,
        after: i64,
        page_size: u64,
    ) -> Result<EventPage, ServiceError> {
        let conn = self.db.conn();
        carts::find_by_id(conn, id, false)
            .await?
            .ok_or(Rejection::CartNotFound(id))?;
        let mut events = carts::events_after(conn, id, after, page_size + 1).await?;
        let more = events.len() as u64 > page_size;
        events.truncate(usize::try_from(page_size).unwrap_or(usize::MAX));
        let next_after = if more {
            events.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(EventPage { events, next_after })
    }

    /// The view of `cart` (or the empty view), its lines read and the catalog
    /// asked once.
    async fn view_of(&self, cart: Option<Cart>) -> Result<CartView, ServiceError> {
        let lines = match &cart {
            Some(cart) => carts::lines(self.db.conn(), cart).await?,
            None => Vec::new(),
        };
        let snapshot = self.lookup(lines.iter().map(|l| &l.variant_id)).await;
        Ok(view::build(cart, lines, &snapshot, &self.policy.view))
    }

    /// The view of `cart` with `lines`, asking the catalog only about variants
    /// `snapshot` does not cover (lines another call added meanwhile).
    async fn view_with(
        &self,
        cart: Option<Cart>,
        lines: Vec<Line>,
        mut snapshot: CatalogSnapshot,
    ) -> CartView {
        let unknown = snapshot.not_asked(lines.iter().map(|l| &l.variant_id));
        if !unknown.is_empty() {
            snapshot.extend(self.lookup(&unknown).await);
        }
        view::build(cart, lines, &snapshot, &self.policy.view)
    }

    /// Asks the catalog about `ids`; an unanswered lookup becomes
    /// [`CatalogSnapshot::Unavailable`] (logged), for the rules and the view to
    /// handle.
    async fn lookup<'a>(&self, ids: impl IntoIterator<Item = &'a VariantId>) -> CatalogSnapshot {
        let ids: Vec<VariantId> = ids
            .into_iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if ids.is_empty() {
            return CatalogSnapshot::Answered(Default::default());
        }
        match self.catalog.variants(&ids).await {
            Ok(mut found) => CatalogSnapshot::Answered(
                ids.into_iter()
                    .map(|id| {
                        let variant = found.remove(&id);
                        (id, variant)
                    })
                    .collect(),
            ),
            Err(error) => {
                tracing::warn!(%error, "catalog lookup failed; serving stored snapshots");
                CatalogSnapshot::Unavailable
            }
        }
    }

    /// The shopper's active cart, locked; an expired one is set aside
    /// (`abandoned`, with its event) in this transaction and `None` returned.
    async fn open_active(
        &self,
        tx: &DatabaseTransaction,
        shopper: &Shopper,
        now: DateTime<Utc>,
    ) -> Result<Option<Cart>, ServiceError> {
        let Some(mut cart) = carts::find_active(tx, shopper, true).await? else {
            return Ok(None);
        };
        if !cart.is_expired(now) {
            return Ok(Some(cart));
        }
        cart.status = CartStatus::Abandoned;
        carts::save(tx, &cart, &[Event::abandoned_on_expiry(&cart)], now).await?;
        Ok(None)
    }

    /// Runs one change of the shopper's cart: asks the catalog first (about
    /// the lines already in the cart and `extra`), then in one transaction
    /// locks the cart, applies `rule`, writes the lines, the header (version,
    /// expiry) and the events.
    async fn mutate(
        &self,
        shopper: &Shopper,
        needs: Needs<'_>,
        when_absent: WhenAbsent,
        opts: &WriteOptions<'_>,
        rule: impl CartRule,
    ) -> Result<Written, ServiceError> {
        let _running = match self.start(opts).await? {
            Start::Replay(response) => return Ok(Written::Replayed(response)),
            Start::Run(running) => running,
        };
        let snapshot = match needs {
            // The rule needs at most one variant, and the view is built after
            // commit, asking about the other lines then (from the cache, as a
            // rule): one statement less than reading the lines first.
            Needs::Only(variant) if opts.idempotency.is_none() => self.lookup(variant).await,
            // The rule needs every line's variant, or (with a request id) the
            // whole view is built inside the transaction.
            Needs::Only(variant) | Needs::EveryLine(variant) => {
                let known = carts::active_variant_ids(self.db.conn(), shopper).await?;
                self.lookup(known.iter().chain(variant)).await
            }
        };
        retrying(|| self.transaction(shopper, when_absent, &snapshot, opts, &rule)).await
    }

    /// The remembered response when `opts` carries a request id seen before
    /// with the same request.
    ///
    /// # Errors
    /// `RequestIdReused` when it was seen with another request.
    async fn replayed(
        &self,
        tx: &impl ConnectionTrait,
        opts: &WriteOptions<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        let Some(idem) = &opts.idempotency else {
            return Ok(None);
        };
        match idempotency::find(tx, &idem.scope, idem.request_id.as_str(), now).await? {
            None => Ok(None),
            Some(seen) if seen.fingerprint == idem.fingerprint => Ok(Some(seen.response)),
            Some(_) => Err(Rejection::RequestIdReused.into()),
        }
    }

    /// Ends a write: with a request id, builds and encodes the response and
    /// remembers it in the same transaction; then commits.
    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        tx: DatabaseTransaction,
        turn: WriterTurn,
        opts: &WriteOptions<'_>,
        snapshot: &CatalogSnapshot,
        cart: Option<Cart>,
        lines: Vec<Line>,
        adjustments: Vec<Adjustment>,
        merged: bool,
        now: DateTime<Utc>,
    ) -> Result<Written, ServiceError> {
        let Some(idem) = &opts.idempotency else {
            tx.commit().await?;
            // The view may ask the catalog: never while other writers wait.
            drop(turn);
            let view = self.view_with(cart, lines, snapshot.clone()).await;
            return Ok(Written::Fresh(Box::new(WriteResult {
                view,
                adjustments,
                merged,
            })));
        };
        // Built from what the catalog said before the transaction: no network
        // call while the cart is locked.
        let result = WriteResult {
            view: view::build(cart, lines, snapshot, &self.policy.view),
            adjustments,
            merged,
        };
        idempotency::remember(
            &tx,
            &idem.scope,
            idem.request_id.as_str(),
            &idem.fingerprint,
            (opts.encode)(&result),
            now,
            now + self.policy.idempotency_window,
        )
        .await?;
        tx.commit().await?;
        Ok(Written::Fresh(Box::new(result)))
    }

    async fn transaction(
        &self,
        shopper: &Shopper,
        when_absent: WhenAbsent,
        snapshot: &CatalogSnapshot,
        opts: &WriteOptions<'_>,
        rule: &impl CartRule,
    ) -> Result<Written, ServiceError> {
        let now = self.clock.now();
        let policy = &self.policy;
        let (turn, tx) = self.db.begin_write().await?;
        self.claim(&tx, opts).await?;
        let mut events = Vec::new();
        let found = self.open_active(&tx, shopper, now).await?;
        if let Some(response) = self.replayed(&tx, opts, now).await? {
            tx.rollback().await?;
            return Ok(Written::Replayed(response));
        }
        if let Err(rejection) = check_version(opts, found.as_ref()) {
            return refuse(tx, rejection).await;
        }
        let (mut cart, mut lines, stored) = match found {
            Some(cart) => {
                let lines = carts::lines(&tx, &cart).await?;
                (cart, lines, true)
            }
            None => {
                let fresh = Cart::new(
                    shopper,
                    policy.view.default_currency.clone(),
                    now,
                    policy.ttl,
                );
                match when_absent {
                    WhenAbsent::WriteNothing => (fresh, Vec::new(), false),
                    WhenAbsent::Create if carts::insert_if_absent(&tx, &fresh).await? => {
                        events.push(Event::created(&fresh));
                        (fresh, Vec::new(), true)
                    }
                    WhenAbsent::Create => {
                        // Another call created it between our read and insert
                        // (PostgreSQL: it committed while we waited on the
                        // unique index); it is visible to this statement.
                        let cart = carts::find_active(&tx, shopper, true)
                            .await?
                            .ok_or_else(|| StorageError::Corrupt("active cart vanished".into()))?;
                        let lines = carts::lines(&tx, &cart).await?;
                        (cart, lines, true)
                    }
                }
            }
        };
        let change = match rule(&mut cart, &mut lines, snapshot, now) {
            Ok(change) => change,
            Err(rejection) => return refuse(tx, rejection).await,
        };
        if !stored {
            return self
                .finish(
                    tx,
                    turn,
                    opts,
                    snapshot,
                    None,
                    Vec::new(),
                    change.adjustments,
                    false,
                    now,
                )
                .await;
        }
        if !(change.is_empty() && events.is_empty()) {
            cart.touch(now, policy.ttl);
            events.extend(change.events);
            carts::apply(&tx, cart.id, &change.lines, now).await?;
            carts::save(&tx, &cart, &events, now).await?;
        }
        self.finish(
            tx,
            turn,
            opts,
            snapshot,
            Some(cart),
            lines,
            change.adjustments,
            false,
            now,
        )
        .await
    }

    /// Locks the guest cart, then the customer's (always in that order, so
    /// two merges cannot deadlock), and links or merges in one transaction.
    async fn merge_transaction(
        &self,
        customer: &Shopper,
        guest: &Shopper,
        strategy: MergeStrategy,
        snapshot: &CatalogSnapshot,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let now = self.clock.now();
        let ttl = self.policy.ttl;
        let (turn, tx) = self.db.begin_write().await?;
        self.claim(&tx, opts).await?;
        let guest_cart = carts::find_active(&tx, guest, true)
            .await?
            .filter(|c| !c.is_expired(now));
        let customer_cart = self.open_active(&tx, customer, now).await?;
        if let Some(response) = self.replayed(&tx, opts, now).await? {
            tx.rollback().await?;
            return Ok(Written::Replayed(response));
        }
        if let Err(rejection) = check_version(opts, customer_cart.as_ref()) {
            return refuse(tx, rejection).await;
        }
        let (mut guest_cart, customer_cart) = match (guest_cart, customer_cart) {
            (None, customer_cart) => {
                // Nothing to merge (or merged by an earlier call): no change
                // beyond setting aside an expired customer cart.
                let lines = match &customer_cart {
                    Some(cart) => carts::lines(&tx, cart).await?,
                    None => Vec::new(),
                };
                return self
                    .finish(
                        tx,
                        turn,
                        opts,
                        snapshot,
                        customer_cart,
                        lines,
                        Vec::new(),
                        false,
                        now,
                    )
                    .await;
            }
            (Some(guest_cart), None) => {
                let mut cart = guest_cart;
                cart.customer_id.clone_from(&customer.customer_id);
                cart.touch(now, ttl);
                let linked: Vec<Event> = customer
                    .customer_id
                    .iter()
                    .map(Event::customer_linked)
                    .collect();
                carts::save(&tx, &cart, &linked, now).await?;
                let lines = carts::lines(&tx, &cart).await?;
                return self
                    .finish(
                        tx,
                        turn,
                        opts,
                        snapshot,
                        Some(cart),
                        lines,
                        Vec::new(),
                        true,
                        now,
                    )
                    .await;
            }
            (Some(guest_cart), Some(customer_cart)) => (guest_cart, customer_cart),
        };
        let mut target = customer_cart;
        let guest_lines = carts::lines(&tx, &guest_cart).await?;
        let mut lines = carts::lines(&tx, &target).await?;
        let change = match rules::merge(
            &target,
            &mut lines,
            &guest_lines,
            strategy,
            snapshot,
            self.policy.limits,
            now,
        ) {
            Ok(change) => change,
            Err(rejection) => return refuse(tx, rejection).await,
        };
        target.touch(now, ttl);
        carts::apply(&tx, target.id, &change.lines, now).await?;
        let strategy_name = strategy.as_str();
        carts::save(
            &tx,
            &target,
            &[Event::merged_from(
                guest_cart.id,
                strategy_name,
                &change.adjustments,
            )],
            now,
        )
        .await?;
        guest_cart.status = CartStatus::Merged;
        guest_cart.merged_into = Some(target.id);
        guest_cart.touch(now, ttl);
        carts::save(
            &tx,
            &guest_cart,
            &[Event::merged_into(target.id, strategy_name)],
            now,
        )
        .await?;
        self.finish(
            tx,
            turn,
            opts,
            snapshot,
            Some(target),
            lines,
            change.adjustments,
            true,
            now,
        )
        .await
    }

    async fn complete_transaction(
        &self,
        id: CartId,
        order_id: OrderId,
        snapshot: &CatalogSnapshot,
        opts: &WriteOptions<'_>,
    ) -> Result<Written, ServiceError> {
        let now = self.clock.now();
        let (turn, tx) = self.db.begin_write().await?;
        self.claim(&tx, opts).await?;
        let Some(mut cart) = carts::find_by_id(&tx, id, true).await? else {
            return refuse(tx, Rejection::CartNotFound(id)).await;
        };
        if let Some(response) = self.replayed(&tx, opts, now).await? {
            tx.rollback().await?;
            return Ok(Written::Replayed(response));
        }
        if let Err(rejection) = check_version(opts, Some(&cart)) {
            return refuse(tx, rejection).await;
        }
        let lines = carts::lines(&tx, &cart).await?;
        match rules::complete(&mut cart, order_id, lines.len(), now) {
            Ok(Some(change)) => {
                cart.touch(now, self.policy.ttl);
                carts::save(&tx, &cart, &change.events, now).await?;
            }
            Ok(None) => {}
            Err(rejection) => return refuse(tx, rejection).await,
        }
        self.finish(
            tx,
            turn,
            opts,
            snapshot,
            Some(cart),
            lines,
            Vec::new(),
            false,
            now,
        )
        .await
    }
}
