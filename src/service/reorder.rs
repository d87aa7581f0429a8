//! Reorder: the lines of one of the shopper's completed carts copied into
//! their active cart (created if needed) at today's prices, by the MERGE
//! rules, in one transaction.

use super::idempotency::Scope;
use super::output::{CartOutcome, CartWritten};
use super::own_cart::{lock_active, own_or_new};
use super::prefetch::Touches;
use super::reads::cart_by_id;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, CartStatus, Shopper};
use crate::domain::event::Event;
use crate::domain::ids::CartId;
use crate::domain::rules::{self, Rejection};
use crate::storage::lines;

impl CartService {
    /// Copies completed cart `order`'s lines into the shopper's cart.
    ///
    /// # Errors
    /// `CartNotFound` unless the cart is the shopper's; `CartNotCompleted`;
    /// `CatalogUnavailable`; the write pipeline's errors.
    #[tracing::instrument(skip_all, fields(order_cart_id = %order))]
    pub async fn reorder(
        &self,
        shopper: &Shopper,
        order: CartId,
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let catalog = self.prefetch(vec![Touches::ActiveCart(shopper), Touches::Cart(order)]);
        let step = Reorder { shopper, order };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }
}

/// The transaction of a reorder.
struct Reorder<'a> {
    shopper: &'a Shopper,
    order: CartId,
}

impl Step for Reorder<'_> {
    /// The completed cart (read: it never changes again) and the shopper's
    /// active cart, locked.
    type Locked = (Cart, Option<Cart>);
    type Output = CartOutcome;

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let ordered = cart_by_id(ctx.tx(), self.order, false).await?;
        if !ordered.is_owned_by(self.shopper) {
            return Err(Rejection::CartNotFound(self.order).into());
        }
        if ordered.status != CartStatus::Completed {
            return Err(Rejection::CartNotCompleted {
                cart_id: ordered.id,
                status: ordered.status,
            }
            .into());
        }
        let own = lock_active(ctx, self.shopper).await?;
        let version = own.as_ref().map_or(0, |c| c.version);
        Ok(((ordered, own), version))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<CartOutcome, ServiceError> {
        let (ordered, own) = locked;
        let (now, tx, policy) = (ctx.now, ctx.tx(), ctx.policy);
        let (mut cart, mut lines, new) = own_or_new(ctx, self.shopper, own).await?;
        let ordered_lines = lines::of_cart(tx, &ordered).await?;
        let change = rules::reorder(
            &cart,
            &mut lines,
            &ordered_lines,
            ctx.snapshot,
            policy.limits,
            now,
        )?;
        let mut events = vec![Event::Reordered {
            from_cart_id: ordered.id,
            adjustments: change.adjustments.clone(),
        }];
        events.extend(change.events);
        ctx.write_cart(&mut cart, new, &change.lines, events)
            .await?;
        Ok(CartOutcome {
            adjustments: change.adjustments,
            ..CartOutcome::of(Some(cart), lines)
        })
    }
}
