//! The shopper's cart as a write's step finds it: read, or locked (an
//! expired one set aside), or made new.

use super::ServiceError;
use super::write::{Ctx, raced};
use crate::domain::cart::{Cart, CartStatus, Line, Shopper};
use crate::domain::event::Event;
use crate::storage::{StorageError, carts, lines};

/// The shopper's active cart with its lines: locked on the locking attempt
/// (an expired one is set aside, with its event, and `None` returned); read
/// in one statement without a lock on the optimistic one (an expired cart,
/// or a dead pooled connection, sends the write to the locking attempt).
///
/// # Errors
/// Storage failures; `Conflict` to fall back to locking.
pub(super) async fn read_active(
    ctx: &Ctx<'_>,
    shopper: &Shopper,
) -> Result<Option<(Cart, Vec<Line>)>, ServiceError> {
    if ctx.tx().in_transaction() {
        let Some(cart) = lock_active(ctx, shopper).await? else {
            return Ok(None);
        };
        let lines = lines::of_cart(ctx.tx(), &cart).await?;
        return Ok(Some((cart, lines)));
    }
    match carts::find_active_with_lines(ctx.tx(), shopper).await {
        Ok(Some((cart, _))) if cart.is_expired(ctx.now) => Err(raced("the cart expired")),
        Ok(found) => Ok(found),
        Err(StorageError::Unavailable(_)) => Err(raced("a pooled connection was dead")),
        Err(error) => Err(error.into()),
    }
}

/// `own` (the shopper's locked active cart) with its lines, or a new cart of
/// the shopper's (not yet stored: its write inserts it). The flag says
/// whether it is new.
///
/// # Errors
/// Storage failures.
pub(super) async fn own_or_new(
    ctx: &Ctx<'_>,
    shopper: &Shopper,
    own: Option<Cart>,
) -> Result<(Cart, Vec<Line>, bool), ServiceError> {
    Ok(match own {
        Some(cart) => {
            let lines = lines::of_cart(ctx.tx(), &cart).await?;
            (cart, lines, false)
        }
        None => (ctx.new_cart(shopper), Vec::new(), true),
    })
}

/// The shopper's active cart, locked; an expired one is set aside
/// (`abandoned`, with its event) in this transaction and `None` returned.
pub(super) async fn lock_active(
    ctx: &Ctx<'_>,
    shopper: &Shopper,
) -> Result<Option<Cart>, ServiceError> {
    let now = ctx.now;
    let Some(mut cart) = carts::find_active(ctx.tx(), shopper, true).await? else {
        return Ok(None);
    };
    if !cart.is_expired(now) {
        return Ok(Some(cart));
    }
    let abandoned = Event::Abandoned {
        expires_at: cart.expires_at,
    };
    // A change like any other: the version moves, so a write conditioned on
    // the version read before cannot land on the abandoned cart. Its expiry
    // stays as it was.
    let read = cart.version;
    cart.status = CartStatus::Abandoned;
    cart.version += 1;
    cart.updated_at = now;
    ctx.store(&cart, read, false, &[], vec![abandoned]).await?;
    Ok(None)
}
