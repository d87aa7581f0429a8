//! The shopper's edits of their own cart — AddItem, UpdateItem, RemoveItem,
//! ClearCart, SetEmail and RefreshCart — each a cart rule run by one [`Edit`]
//! step through [`CartService::write`].

use chrono::{DateTime, Utc};

use super::idempotency::Scope;
use super::write::{AtOnce, Ctx, Outcome, Step, WriteOptions, Written, lock_active};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, Line, Shopper};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::email::Email;
use crate::domain::event::Event;
use crate::domain::ids::{ItemId, VariantId};
use crate::domain::quantity::Quantity;
use crate::domain::rules::{self, AddItem, Change, Rejection};
use crate::storage::{StorageError, carts, lines, one_statement};

/// A cart rule as an edit runs it: given the locked cart and lines, what the
/// catalog said and the time, the change to write (or a refusal).
pub(super) trait CartRule:
    Fn(&mut Cart, &mut Vec<Line>, &CatalogSnapshot, DateTime<Utc>) -> Result<Change, Rejection>
{
}

impl<F> CartRule for F where
    F: Fn(&mut Cart, &mut Vec<Line>, &CatalogSnapshot, DateTime<Utc>) -> Result<Change, Rejection>
{
}

/// What to do when the shopper has no active cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WhenAbsent {
    /// Create it (AddItem, SetEmail).
    Create,
    /// Run the rule on an empty cart and write nothing (ClearCart,
    /// RefreshCart, and the line RPCs, whose rules then refuse with NOT_FOUND).
    WriteNothing,
}

/// What catalog data an edit's rule needs before its transaction.
#[derive(Debug, Clone, Copy)]
pub(super) enum Needs<'a> {
    /// This variant's, if any (adding it; or nothing at all).
    Only(Option<&'a VariantId>),
    /// These variants' (adding a batch).
    Many(&'a [VariantId]),
    /// Every line's, and this variant's if any (raising a quantity,
    /// re-pricing).
    EveryLine(Option<&'a VariantId>),
}

impl CartService {
    /// Adds units of a variant, creating the cart if needed.
    ///
    /// # Errors
    /// [`ServiceError::Rejected`] when a rule refuses (the catalog being
    /// unavailable included); the write pipeline's errors.
    #[tracing::instrument(skip_all, fields(variant_id = %add.variant_id, quantity = add.quantity.get()))]
    pub async fn add_item(
        &self,
        shopper: &Shopper,
        add: AddItem,
        opts: &WriteOptions,
    ) -> Result<Written, ServiceError> {
        let variant_id = add.variant_id.clone();
        let limits = self.policy.limits;
        let rule = |cart: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            let known = catalog.get(&variant_id);
            rules::add_item(cart, lines, known, add.clone(), limits, now)
        };
        let needs = Needs::Only(Some(&variant_id));
        self.edit(shopper, needs, WhenAbsent::Create, opts, rule)
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
        opts: &WriteOptions,
    ) -> Result<Written, ServiceError> {
        let rule = |_: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            rules::update_item(lines, item_id, quantity, catalog, now)
        };
        let needs = Needs::EveryLine(None);
        self.edit(shopper, needs, WhenAbsent::WriteNothing, opts, rule)
            .await
    }

    /// Removes a line.
    ///
    /// # Errors
    /// `ItemNotFound` when the line is not the shopper's; the write
    /// pipeline's errors.
    #[tracing::instrument(skip_all, fields(item_id = %item_id))]
    pub async fn remove_item(
        &self,
        shopper: &Shopper,
        item_id: ItemId,
        opts: &WriteOptions,
    ) -> Result<Written, ServiceError> {
        let rule = |_: &mut Cart, lines: &mut Vec<Line>, _: &CatalogSnapshot, _| {
            rules::remove_item(lines, item_id)
        };
        let needs = Needs::Only(None);
        self.edit(shopper, needs, WhenAbsent::WriteNothing, opts, rule)
            .await
    }

    /// Removes every line; a shopper with no cart gets the empty view.
    ///
    /// # Errors
    /// The write pipeline's errors.
    #[tracing::instrument(skip_all)]
    pub async fn clear(
        &self,
        shopper: &Shopper,
        opts: &WriteOptions,
    ) -> Result<Written, ServiceError> {
        let rule =
            |_: &mut Cart, lines: &mut Vec<Line>, _: &CatalogSnapshot, _| Ok(rules::clear(lines));
        let needs = Needs::Only(None);
        self.edit(shopper, needs, WhenAbsent::WriteNothing, opts, rule)
            .await
    }

    /// Sets the checkout e-mail address, creating the cart if needed.
    ///
    /// # Errors
    /// The write pipeline's errors.
    #[tracing::instrument(skip_all)]
    pub async fn set_email(
        &self,
        shopper: &Shopper,
        email: Email,
        opts: &WriteOptions,
    ) -> Result<Written, ServiceError> {
        let rule = |cart: &mut Cart, _: &mut Vec<Line>, _: &CatalogSnapshot, _| {
            Ok(rules::set_email(cart, email.clone()))
        };
        let needs = Needs::Only(None);
        self.edit(shopper, needs, WhenAbsent::Create, opts, rule)
            .await
    }

    /// Accepts current catalog prices and stock; returns what changed.
    ///
    /// # Errors
    /// `CatalogUnavailable` when the cart has lines and the catalog does not
    /// answer; the write pipeline's errors.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(
        &self,
        shopper: &Shopper,
        opts: &WriteOptions,
    ) -> Result<Written, ServiceError> {
        let rule = |cart: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            rules::refresh(cart, lines, catalog, now)
        };
        let needs = Needs::EveryLine(None);
        self.edit(shopper, needs, WhenAbsent::WriteNothing, opts, rule)
            .await
    }

    /// Runs `rule` on the shopper's cart through the write pipeline, asking
    /// the catalog first about what `needs` says.
    pub(super) async fn edit(
        &self,
        shopper: &Shopper,
        needs: Needs<'_>,
        when_absent: WhenAbsent,
        opts: &WriteOptions,
        rule: impl CartRule,
    ) -> Result<Written, ServiceError> {
        let catalog = async {
            Ok(match needs {
                // The rule needs at most one variant, and the view is built
                // after commit, asking about the other lines then (from the
                // cache, as a rule): one statement less than reading the
                // lines first.
                Needs::Only(variant) if opts.request.is_none() => self.lookup(variant).await,
                Needs::Many(variants) if opts.request.is_none() => self.lookup(variants).await,
                Needs::Many(variants) => {
                    let known = carts::active_variant_ids(self.db.conn(), shopper).await?;
                    self.lookup(known.iter().chain(variants)).await
                }
                // The rule needs every line's variant, or (with a request id)
                // the whole view is built inside the transaction.
                Needs::Only(variant) | Needs::EveryLine(variant) => {
                    let known = carts::active_variant_ids(self.db.conn(), shopper).await?;
                    self.lookup(known.iter().chain(variant)).await
                }
            })
        };
        let step = Edit {
            shopper,
            when_absent,
            rule: &rule,
        };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }
}

/// The event of `cart`'s creation.
pub(super) fn created(cart: &Cart) -> Event {
    Event::Created {
        session_id: cart.session_id.clone(),
        customer_id: cart.customer_id.clone(),
        currency: cart.currency.clone(),
    }
}

/// The transaction of an edit: these functions issue its SQL.
struct Edit<'a, R> {
    shopper: &'a Shopper,
    when_absent: WhenAbsent,
    rule: &'a R,
}

impl<R: CartRule> Step for Edit<'_, R> {
    /// Reads the cart and its lines in one statement, applies the rule, and
    /// writes everything in one more, conditioned on the version read.
    async fn at_once(&self, ctx: &AtOnce<'_>) -> Result<Option<Outcome>, ServiceError> {
        let (now, policy) = (ctx.now, ctx.policy);
        let found = match carts::find_active_with_lines(ctx.db.conn(), self.shopper).await {
            Ok(found) => found,
            // A pooled connection found dead: nothing was written, and the
            // locking path takes another.
            Err(StorageError::Unavailable(_)) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let (mut cart, mut lines, stored) = match found {
            // Setting an expired cart aside is the locking path's work.
            Some((cart, _)) if cart.is_expired(now) => return Ok(None),
            Some((cart, lines)) => (cart, lines, true),
            None => {
                let currency = policy.view.default_currency.clone();
                let fresh = Cart::new(self.shopper, currency, now, policy.ttl);
                (fresh, Vec::new(), false)
            }
        };
        let read = if stored { cart.version } else { 0 };
        if let Some(expected) = ctx.expected_version
            && expected != read
        {
            return Err(ServiceError::VersionMismatch {
                expected,
                current: read,
            });
        }
        let change = (self.rule)(&mut cart, &mut lines, ctx.snapshot, now)?;
        if !one_statement::suits(&change.lines) {
            return Ok(None);
        }
        let Change {
            lines: writes,
            events,
            adjustments,
        } = change;
        let conn = ctx.db.conn();
        let written = match (stored, self.when_absent) {
            (false, WhenAbsent::WriteNothing) => {
                return Ok(Some(Outcome {
                    adjustments,
                    ..Outcome::default()
                }));
            }
            (true, _) if writes.is_empty() && events.is_empty() => Ok(true),
            (true, _) => {
                cart.touch(now, policy.ttl);
                let written =
                    one_statement::update_if_unchanged(conn, &cart, read, &writes, &events, now)
                        .await;
                if matches!(written, Ok(true)) {
                    ctx.recorded.push(&events);
                }
                written
            }
            (false, WhenAbsent::Create) => {
                let mut all = vec![created(&cart)];
                all.extend(events);
                cart.touch(now, policy.ttl);
                let written = one_statement::create(conn, &cart, &writes, &all, now).await;
                if matches!(written, Ok(true)) {
                    ctx.recorded.push(&all);
                }
                written
            }
        };
        let written = match written {
            Ok(written) => written,
            // A dead pooled connection: nothing ran, the locking path retries.
            Err(error) if error.never_ran() => false,
            Err(error) => return Err(error.into()),
        };
        Ok(written.then(|| Outcome {
            adjustments,
            ..Outcome::of(Some(cart), lines)
        }))
    }

    /// The shopper's active cart, if any.
    type Locked = Option<Cart>;

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Option<Cart>, i64), ServiceError> {
        let found = lock_active(ctx, self.shopper).await?;
        let version = found.as_ref().map_or(0, |c| c.version);
        Ok((found, version))
    }

    async fn apply(&self, ctx: &Ctx<'_>, found: Option<Cart>) -> Result<Outcome, ServiceError> {
        let (now, tx, policy) = (ctx.now, ctx.tx, ctx.policy);
        let mut events = Vec::new();
        let (mut cart, mut lines, stored) = match found {
            Some(cart) => {
                let lines = lines::of_cart(tx, &cart).await?;
                (cart, lines, true)
            }
            None => {
                let currency = policy.view.default_currency.clone();
                let fresh = Cart::new(self.shopper, currency, now, policy.ttl);
                match self.when_absent {
                    WhenAbsent::WriteNothing => (fresh, Vec::new(), false),
                    WhenAbsent::Create if carts::insert_if_absent(tx, &fresh).await? => {
                        events.push(created(&fresh));
                        (fresh, Vec::new(), true)
                    }
                    WhenAbsent::Create => {
                        // Another call created it between our read and insert
                        // (PostgreSQL: it committed while we waited on the
                        // unique index); it is visible to this statement.
                        let cart = carts::find_active(tx, self.shopper, true)
                            .await?
                            .ok_or_else(|| StorageError::Corrupt("active cart vanished".into()))?;
                        let lines = lines::of_cart(tx, &cart).await?;
                        (cart, lines, true)
                    }
                }
            }
        };
        let change = (self.rule)(&mut cart, &mut lines, ctx.snapshot, now)?;
        if !stored {
            return Ok(Outcome {
                adjustments: change.adjustments,
                ..Outcome::default()
            });
        }
        if !(change.is_empty() && events.is_empty()) {
            cart.touch(now, policy.ttl);
            events.extend(change.events);
            lines::apply(tx, cart.id, &change.lines, now).await?;
            ctx.save(&cart, &events).await?;
        }
        Ok(Outcome {
            adjustments: change.adjustments,
            ..Outcome::of(Some(cart), lines)
        })
    }
}
