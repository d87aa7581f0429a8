//! MergeGuestCart: a guest cart joins the customer's at sign-in — linked when
//! the customer has no cart, merged by the chosen strategy otherwise — and the
//! guest's saved-for-later list joins the customer's, in one transaction, all
//! or nothing.

use super::idempotency::Scope;
use super::lists::merge_saved_lists;
use super::output::{CartOutcome, CartWritten};
use super::own_cart::lock_active;
use super::prefetch::Touches;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, CartStatus, Shopper, SignedIn};
use crate::domain::event::Event;
use crate::domain::ids::SessionId;
use crate::domain::rules::{self, MergeStrategy};
use crate::storage::{carts, lines};

/// What a merge leaves: the customer's cart, and whether a guest cart was
/// merged or linked (false when there was none).
pub type Merged = (CartWritten, bool);

impl CartService {
    /// Merges the active guest cart of `guest_session` into the customer's,
    /// per `strategy`, atomically.
    ///
    /// # Errors
    /// `CatalogUnavailable` when guest lines need the catalog and it does not
    /// answer; the write pipeline's errors.
    #[tracing::instrument(skip_all, fields(strategy = strategy.as_str()))]
    pub async fn merge_guest_cart(
        &self,
        customer: &SignedIn,
        guest_session: SessionId,
        strategy: MergeStrategy,
        opts: &WriteOptions<Merged>,
    ) -> Result<Written<Merged>, ServiceError> {
        let guest = Shopper::guest(guest_session);
        let catalog = self.prefetch(vec![
            Touches::ActiveCart(&guest),
            Touches::ActiveCart(customer.shopper()),
        ]);
        let step = Merge {
            customer,
            guest: &guest,
            strategy,
        };
        self.write(Scope::shopper(customer.shopper()), opts, catalog, step)
            .await
    }
}

/// The transaction of a merge: these functions issue its SQL.
struct Merge<'a> {
    customer: &'a SignedIn,
    guest: &'a Shopper,
    strategy: MergeStrategy,
}

impl Step for Merge<'_> {
    /// The guest's active, unexpired cart and the customer's active cart.
    type Locked = (Option<Cart>, Option<Cart>);
    type Output = (CartOutcome, bool);

    /// Locks the guest cart, then the customer's (always in that order, so
    /// two merges cannot deadlock). The caller's `expected_version` is the
    /// customer cart's.
    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let guest_cart = carts::find_active(ctx.tx(), self.guest, true)
            .await?
            .filter(|c| !c.is_expired(ctx.now));
        let customer_cart = lock_active(ctx, self.customer.shopper()).await?;
        let version = customer_cart.as_ref().map_or(0, |c| c.version);
        Ok(((guest_cart, customer_cart), version))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        // Lists go over whether or not there was a guest cart (locked after
        // both carts, as every write that touches both does).
        merge_saved_lists(ctx, self.guest, self.customer.shopper()).await?;
        match locked {
            // Nothing to merge (or merged by an earlier call): no change
            // beyond setting aside an expired customer cart.
            (None, None) => Ok((CartOutcome::default(), false)),
            (None, Some(cart)) => {
                let lines = lines::of_cart(ctx.tx(), &cart).await?;
                Ok((CartOutcome::of(Some(cart), lines), false))
            }
            (Some(guest), None) => Ok((link(ctx, guest, self.customer, Vec::new()).await?, true)),
            (Some(guest), Some(target)) => {
                let merged = combine(ctx, guest, target, self.strategy, Vec::new()).await?;
                Ok((merged, true))
            }
        }
    }
}

/// The customer has no cart: the guest cart becomes theirs, recording
/// `also` after its link event.
pub(super) async fn link(
    ctx: &Ctx<'_>,
    mut cart: Cart,
    customer: &SignedIn,
    also: Vec<Event>,
) -> Result<CartOutcome, ServiceError> {
    cart.customer_id = Some(customer.customer_id().clone());
    let mut events = vec![Event::CustomerLinked {
        customer_id: customer.customer_id().clone(),
    }];
    events.extend(also);
    ctx.write_cart(&mut cart, false, &[], events).await?;
    let lines = lines::of_cart(ctx.tx(), &cart).await?;
    Ok(CartOutcome::of(Some(cart), lines))
}

/// Both have a cart: the guest's lines go into the customer's by `strategy`,
/// and the guest cart ends `merged`, recording `also` after its merge event.
/// (RecoverCart merges a recovered cart into the shopper's the same way.)
pub(super) async fn combine(
    ctx: &Ctx<'_>,
    mut guest: Cart,
    mut target: Cart,
    strategy: MergeStrategy,
    also: Vec<Event>,
) -> Result<CartOutcome, ServiceError> {
    let (tx, now) = (ctx.tx(), ctx.now);
    let guest_lines = lines::of_cart(tx, &guest).await?;
    let mut lines = lines::of_cart(tx, &target).await?;
    let limits = ctx.policy.limits;
    let change = rules::merge(
        &target,
        &mut lines,
        &guest_lines,
        strategy,
        ctx.snapshot,
        limits,
        now,
    )?;
    let mut events = vec![Event::MergedFrom {
        from_cart_id: guest.id,
        strategy,
        adjustments: change.adjustments.clone(),
    }];
    // The address the shopper gave as a guest is kept when the customer's
    // cart has none (recovery e-mail needs it); the customer's own wins.
    if target.email.is_none() && guest.email.is_some() {
        target.email = guest.email.clone();
        events.push(Event::EmailSet { replaced: false });
    }
    ctx.write_cart(&mut target, false, &change.lines, events)
        .await?;
    guest.status = CartStatus::Merged;
    guest.merged_into = Some(target.id);
    let mut events = vec![Event::MergedInto {
        into_cart_id: target.id,
        strategy,
    }];
    events.extend(also);
    ctx.write_cart(&mut guest, false, &[], events).await?;
    Ok(CartOutcome {
        cart: Some(target),
        lines,
        adjustments: change.adjustments,
    })
}
