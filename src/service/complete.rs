//! CompleteCart: checkout hands the cart over to an order, once.

use super::idempotency::Scope;
use super::output::{CartOutcome, CartWritten};
use super::prefetch::Touches;
use super::reads::cart_by_id;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::Cart;
use crate::domain::ids::{CartId, OrderId};
use crate::domain::rules;
use crate::storage::lines;

impl CartService {
    /// Completes a cart by an order; repeating with the same order changes
    /// nothing.
    ///
    /// # Errors
    /// `CartNotFound`, `CartAlreadyCompleted`, `CartNotActive`, `CartExpired`,
    /// `CartEmpty`; the write pipeline's errors.
    #[tracing::instrument(skip_all, fields(cart_id = %id, order_id = %order_id))]
    pub async fn complete_cart(
        &self,
        id: CartId,
        order_id: OrderId,
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let catalog = self.prefetch(vec![Touches::Cart(id)]);
        let step = Complete {
            id,
            order_id: &order_id,
        };
        self.write(Scope::cart(id), opts, catalog, step).await
    }
}

/// The transaction of a completion: these two functions issue its SQL.
struct Complete<'a> {
    id: CartId,
    order_id: &'a OrderId,
}

impl Step for Complete<'_> {
    /// The cart, whatever its status.
    type Locked = Cart;
    type Output = CartOutcome;

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Cart, i64), ServiceError> {
        let cart = cart_by_id(ctx.tx(), self.id, true).await?;
        let version = cart.version;
        Ok((cart, version))
    }

    async fn apply(&self, ctx: &Ctx<'_>, mut cart: Cart) -> Result<CartOutcome, ServiceError> {
        let lines = lines::of_cart(ctx.tx(), &cart).await?;
        let order_id = self.order_id.clone();
        if let Some(change) = rules::complete(&mut cart, order_id, lines.len(), ctx.now)? {
            ctx.write_cart(&mut cart, false, &[], change.events).await?;
        }
        Ok(CartOutcome::of(Some(cart), lines))
    }
}
