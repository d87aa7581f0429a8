//! The cart use cases behind `shop.cart.v1.CartService`.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::ServiceError;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::domain::cart::{Cart, Change, Event, Line, Shopper};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::email::Email;
use crate::domain::ids::{ItemId, VariantId};
use crate::domain::quantity::Quantity;
use crate::domain::rules::{self, AddItem, Limits, Rejection};
use crate::domain::view::{self, CartView, Issue, ViewSettings};
use crate::storage::{Database, StorageError, carts};

/// How many times a transaction that hit a serialization failure or deadlock
/// is run again before the failure reaches the caller.
const MAX_ATTEMPTS: u32 = 3;

/// The knobs of the cart rules.
#[derive(Debug, Clone)]
pub struct Policy {
    /// A cart expires this long after its last change.
    pub ttl: Duration,
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
    /// Run the rule on an empty cart and write nothing (ClearCart, and the
    /// line RPCs, whose rules then refuse with NOT_FOUND).
    WriteNothing,
}

/// The cart use cases.
#[derive(Debug, Clone)]
pub struct CartService {
    db: Database,
    catalog: Arc<dyn Catalog>,
    clock: Arc<dyn Clock>,
    policy: Policy,
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
        let conn = self.db.conn();
        let cart = carts::find_active(conn, shopper, false)
            .await?
            .filter(|c| !c.is_expired(now));
        let lines = match &cart {
            Some(cart) => carts::lines(conn, cart).await?,
            None => Vec::new(),
        };
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
    ) -> Result<CartView, ServiceError> {
        let variant_id = add.variant_id.clone();
        let limits = self.policy.limits;
        self.mutate(
            shopper,
            Some(&variant_id),
            WhenAbsent::Create,
            |cart, lines, catalog, now| {
                rules::add_item(
                    cart,
                    lines,
                    catalog.get(&variant_id),
                    add.clone(),
                    limits,
                    now,
                )
            },
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
    ) -> Result<CartView, ServiceError> {
        self.mutate(
            shopper,
            None,
            WhenAbsent::WriteNothing,
            |_, lines, catalog, now| rules::update_item(lines, item_id, quantity, catalog, now),
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
    ) -> Result<CartView, ServiceError> {
        self.mutate(shopper, None, WhenAbsent::WriteNothing, |_, lines, _, _| {
            rules::remove_item(lines, item_id)
        })
        .await
    }

    /// Removes every line; a shopper with no cart gets the empty view.
    ///
    /// # Errors
    /// Storage failures.
    #[tracing::instrument(skip_all)]
    pub async fn clear(&self, shopper: &Shopper) -> Result<CartView, ServiceError> {
        self.mutate(shopper, None, WhenAbsent::WriteNothing, |_, lines, _, _| {
            Ok(rules::clear(lines))
        })
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
    ) -> Result<CartView, ServiceError> {
        self.mutate(shopper, None, WhenAbsent::Create, |cart, _, _, _| {
            Ok(rules::set_email(cart, email.clone()))
        })
        .await
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

    /// Runs one change of the shopper's cart: asks the catalog first (about
    /// the lines already in the cart and `extra`), then in one transaction
    /// locks the cart, applies `rule`, writes the lines, the header (version,
    /// expiry) and the events. Serialization failures are retried.
    async fn mutate<F>(
        &self,
        shopper: &Shopper,
        extra: Option<&VariantId>,
        when_absent: WhenAbsent,
        rule: F,
    ) -> Result<CartView, ServiceError>
    where
        F: CartRule,
    {
        let known = carts::active_variant_ids(self.db.conn(), shopper).await?;
        let mut snapshot = self.lookup(known.iter().chain(extra)).await;
        let mut attempt = 1;
        let (cart, lines) = loop {
            match self
                .transaction(shopper, when_absent, &snapshot, &rule)
                .await
            {
                Err(ServiceError::Storage(StorageError::Conflict(error)))
                    if attempt < MAX_ATTEMPTS =>
                {
                    tracing::debug!(%error, attempt, "transaction conflict; retrying");
                    attempt += 1;
                }
                other => break other?,
            }
        };
        // A line added meanwhile from another device: ask about it too.
        let unknown = snapshot.not_asked(lines.iter().map(|l| &l.variant_id));
        if !unknown.is_empty() {
            snapshot.extend(self.lookup(&unknown).await);
        }
        Ok(view::build(cart, lines, &snapshot, &self.policy.view))
    }

    async fn transaction<F>(
        &self,
        shopper: &Shopper,
        when_absent: WhenAbsent,
        snapshot: &CatalogSnapshot,
        rule: &F,
    ) -> Result<(Option<Cart>, Vec<Line>), ServiceError>
    where
        F: CartRule,
    {
        let now = self.clock.now();
        let policy = &self.policy;
        let tx = self.db.begin_write().await?;
        let mut found = carts::find_active(&tx, shopper, true).await?;
        if let Some(expired) = found.as_mut().filter(|c| c.is_expired(now)) {
            // An expired cart is never served or changed: set it aside and
            // start afresh, in this same transaction.
            expired.status = crate::domain::cart::CartStatus::Abandoned;
            carts::save_header(&tx, expired).await?;
            carts::append_events(&tx, expired.id, &[Event::abandoned_on_expiry(expired)], now)
                .await?;
            found = None;
        }
        let mut events = Vec::new();
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
            Err(rejection) => {
                tx.rollback().await?;
                return Err(rejection.into());
            }
        };
        if !stored {
            tx.rollback().await?;
            return Ok((None, Vec::new()));
        }
        cart.touch(now, policy.ttl);
        events.extend(change.events);
        carts::apply(&tx, cart.id, &change.lines, now).await?;
        carts::save_header(&tx, &cart).await?;
        carts::append_events(&tx, cart.id, &events, now).await?;
        tx.commit().await?;
        Ok((Some(cart), lines))
    }
}
