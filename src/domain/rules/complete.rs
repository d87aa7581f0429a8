//! CompleteCart's rule: a cart becomes an order once.

use chrono::{DateTime, Utc};

use super::Change;
use super::Rejection;
use crate::domain::cart::{Cart, CartStatus};
use crate::domain::event::Event;
use crate::domain::ids::OrderId;

/// Completes the cart by `order_id`. `None` when it already was, by the same
/// order: nothing to write.
///
/// # Errors
/// A [`Rejection`] when completed by another order, not active, expired or
/// empty.
pub fn complete(
    cart: &mut Cart,
    order_id: OrderId,
    line_count: usize,
    now: DateTime<Utc>,
) -> Result<Option<Change>, Rejection> {
    match cart.status {
        CartStatus::Completed if cart.order_id.as_ref() == Some(&order_id) => Ok(None),
        CartStatus::Completed => Err(Rejection::CartAlreadyCompleted(cart.id)),
        CartStatus::Merged | CartStatus::Abandoned => Err(Rejection::CartNotActive {
            cart_id: cart.id,
            status: cart.status,
        }),
        CartStatus::Active if cart.is_expired(now) => Err(Rejection::CartExpired(cart.id)),
        CartStatus::Active if line_count == 0 => Err(Rejection::CartEmpty(cart.id)),
        CartStatus::Active => {
            cart.status = CartStatus::Completed;
            cart.order_id = Some(order_id.clone());
            Ok(Some(Change::recorded(
                Vec::new(),
                Event::Completed { order_id },
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::test_support::rules::{cart, now};

    #[test]
    fn completion_follows_the_cart_status() {
        let order = OrderId::parse("o1").unwrap();
        let mut c = cart();
        assert_eq!(
            complete(&mut c, order.clone(), 0, now()),
            Err(Rejection::CartEmpty(c.id))
        );
        assert!(complete(&mut c, order.clone(), 1, now()).unwrap().is_some());
        assert_eq!(c.status, CartStatus::Completed);
        assert_eq!(complete(&mut c, order, 1, now()), Ok(None));
        let other = OrderId::parse("o2").unwrap();
        assert_eq!(
            complete(&mut c, other.clone(), 1, now()),
            Err(Rejection::CartAlreadyCompleted(c.id))
        );
        let mut late = cart();
        assert_eq!(
            complete(&mut late, other, 1, now() + Duration::days(31)),
            Err(Rejection::CartExpired(late.id))
        );
    }
}
