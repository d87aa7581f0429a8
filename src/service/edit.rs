//! The shopper's edits of their own cart — AddItem, UpdateItem, RemoveItem,
//! ClearCart, SetEmail and RefreshCart — each a cart rule run by one [`Edit`]
//! step through [`CartService::write`].

use chrono::{DateTime, Utc};

use super::idempotency::Scope;
use super::output::{CartOutcome, CartWritten};
use super::own_cart::read_active;
use super::prefetch::Touches;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, Line, Shopper};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::device::DeviceSignals;
use crate::domain::email::Email;
use crate::domain::ids::{ItemId, VariantId};
use crate::domain::quantity::Quantity;
use crate::domain::rules::{self, AddItem, Change, Rejection};

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
    /// These variants' (the ones being added; none at all).
    Variants(&'a [VariantId]),
    /// Every line's (raising a quantity, re-pricing).
    EveryLine,
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
        device: Option<&DeviceSignals>,
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let variant_id = add.variant_id.clone();
        let limits = self.policy.limits;
        let rule = |cart: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            let known = catalog.get(&variant_id);
            rules::add_item(cart, lines, known, add.clone(), limits, now)
        };
        let needs = Needs::Variants(std::slice::from_ref(&variant_id));
        self.edit(shopper, (needs, WhenAbsent::Create, device), opts, rule)
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
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let rule = |_: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            rules::update_item(lines, item_id, quantity, catalog, now)
        };
        let needs = Needs::EveryLine;
        self.edit(shopper, (needs, WhenAbsent::WriteNothing, None), opts, rule)
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
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let rule = |_: &mut Cart, lines: &mut Vec<Line>, _: &CatalogSnapshot, _| {
            rules::remove_item(lines, item_id)
        };
        let needs = Needs::Variants(&[]);
        self.edit(shopper, (needs, WhenAbsent::WriteNothing, None), opts, rule)
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
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let rule =
            |_: &mut Cart, lines: &mut Vec<Line>, _: &CatalogSnapshot, _| Ok(rules::clear(lines));
        let needs = Needs::Variants(&[]);
        self.edit(shopper, (needs, WhenAbsent::WriteNothing, None), opts, rule)
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
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let rule = |cart: &mut Cart, _: &mut Vec<Line>, _: &CatalogSnapshot, _| {
            Ok(rules::set_email(cart, email.clone()))
        };
        let needs = Needs::Variants(&[]);
        self.edit(shopper, (needs, WhenAbsent::Create, None), opts, rule)
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
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let rule = |cart: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            rules::refresh(cart, lines, catalog, now)
        };
        let needs = Needs::EveryLine;
        self.edit(shopper, (needs, WhenAbsent::WriteNothing, None), opts, rule)
            .await
    }

    /// Runs `rule` on the shopper's cart through the write pipeline, asking
    /// the catalog first about what `needs` says; `device`'s signals are
    /// stored on the guest cart the edit leaves.
    pub(super) async fn edit(
        &self,
        shopper: &Shopper,
        (needs, when_absent, device): (Needs<'_>, WhenAbsent, Option<&DeviceSignals>),
        opts: &WriteOptions<CartWritten>,
        rule: impl CartRule,
    ) -> Result<Written<CartWritten>, ServiceError> {
        // Adding, the rule needs at most the variants it adds, and the view
        // is built outside a transaction (after commit, or before the one
        // statement of a keyed optimistic edit), asking about the other
        // lines then (from the cache, as a rule): one statement less than
        // reading the lines first. The rule needs every line's variant when
        // raising or re-pricing, and a keyed edit that locks builds its
        // whole view inside the transaction (a keyed optimistic edit that
        // falls back asks then: `Step::before_locking`).
        let locks = !self.db.writes_in_one_statement() || self.stores_device(device);
        let (asked, every_line) = match needs {
            Needs::Variants(variants) => (variants.to_vec(), opts.request.is_some() && locks),
            Needs::EveryLine => (Vec::new(), true),
        };
        let mut touches = vec![Touches::Variants(asked)];
        if every_line {
            touches.push(Touches::ActiveCart(shopper));
        }
        let catalog = self.prefetch(touches);
        let step = Edit {
            shopper,
            when_absent,
            device,
            rule: &rule,
        };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }
}

/// The transaction of an edit: these functions issue its SQL.
struct Edit<'a, R> {
    shopper: &'a Shopper,
    when_absent: WhenAbsent,
    device: Option<&'a DeviceSignals>,
    rule: &'a R,
}

impl<R: CartRule> Step for Edit<'_, R> {
    /// The shopper's active cart with its lines, if any.
    type Locked = Option<(Cart, Vec<Line>)>;
    type Output = CartOutcome;
    const OPTIMISTIC: bool = true;

    /// Unless it stores device signals (which takes a transaction).
    fn optimistic(&self, service: &CartService) -> bool {
        !service.stores_device(self.device)
    }

    /// The cart's lines, whose view a keyed locking attempt builds.
    fn before_locking(&self) -> Vec<Touches<'_>> {
        vec![Touches::ActiveCart(self.shopper)]
    }

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let found = read_active(ctx, self.shopper).await?;
        let version = found.as_ref().map_or(0, |(c, _)| c.version);
        Ok((found, version))
    }

    async fn apply(&self, ctx: &Ctx<'_>, found: Self::Locked) -> Result<CartOutcome, ServiceError> {
        let (mut cart, mut lines, new) = match found {
            Some((cart, lines)) => (cart, lines, false),
            None => (ctx.new_cart(self.shopper), Vec::new(), true),
        };
        let change = (self.rule)(&mut cart, &mut lines, ctx.snapshot, ctx.now)?;
        if new && self.when_absent == WhenAbsent::WriteNothing {
            return Ok(CartOutcome {
                adjustments: change.adjustments,
                ..CartOutcome::default()
            });
        }
        let Change {
            lines: writes,
            events,
            adjustments,
        } = change;
        if new || !(writes.is_empty() && events.is_empty()) {
            ctx.write_cart(&mut cart, new, &writes, events).await?;
        }
        ctx.keep_device(Some(&cart), self.device).await?;
        Ok(CartOutcome {
            adjustments,
            ..CartOutcome::of(Some(cart), lines)
        })
    }
}
