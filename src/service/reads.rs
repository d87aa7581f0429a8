//! The reads: GetCart, Validate, GetCartById and ListCartEvents. A read
//! writes nothing — not even a cart for a shopper who has none.

use super::{CartService, ServiceError};
use crate::cache::Looked;
use crate::domain::cart::{Cart, CartStatus, Shopper};
use crate::domain::event::RecordedEvent;
use crate::domain::ids::CartId;
use crate::domain::rules::Rejection;
use crate::domain::view::{self, CartView, Issue};
use crate::storage::cached::Found;
use crate::storage::{Executor, carts, events};

/// The version of a shopper's cart as found (0: none).
fn version_of(found: &Found) -> i64 {
    found.as_ref().map_or(0, |(cart, _)| cart.version)
}

/// A page of cart events.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    /// Events, oldest first.
    pub events: Vec<RecordedEvent>,
    /// Sequence number to continue after, when there are more.
    pub next_after: Option<i64>,
}

impl CartService {
    /// The shopper's cart, enriched from the catalog. With no (unexpired)
    /// cart, an empty view. Degrades to stored snapshots with a warning when
    /// the catalog does not answer.
    ///
    /// # Errors
    /// Storage failures.
    #[tracing::instrument(skip_all)]
    pub async fn get_cart(&self, shopper: &Shopper) -> Result<CartView, ServiceError> {
        let found = carts::find_active_with_lines(self.db.conn(), shopper).await?;
        Ok(self.view_of_found(found).await)
    }

    /// The view of a shopper's active cart as read, none when it expired.
    async fn view_of_found(&self, found: Found) -> CartView {
        let now = self.clock.now();
        let (cart, lines) = found
            .filter(|(c, _)| !c.is_expired(now))
            .map_or((None, Vec::new()), |(c, lines)| (Some(c), lines));
        self.view_of_lines(cart, lines).await
    }

    /// GetCart: the shopper's cart as [`Self::get_cart`] reads it, through
    /// the read cache when one is configured and usable, never older than
    /// `min_version` (0 for no bound).
    ///
    /// # Errors
    /// Storage failures.
    #[tracing::instrument(skip_all)]
    pub async fn read_cart(
        &self,
        shopper: &Shopper,
        min_version: i64,
    ) -> Result<CartView, ServiceError> {
        let Some(cache) = &self.cache else {
            return self.get_cart(shopper).await;
        };
        let key = crate::live::shopper_key(shopper);
        let (outcome, ticket) = match cache.look(&key).await {
            None => ("bypassed", None),
            Some(Looked {
                found: Some(found), ..
            }) if version_of(&found) >= min_version => {
                cache.metrics().cart_cache_read("hit");
                return Ok(self.view_of_found(found).await);
            }
            Some(Looked {
                found: Some(_),
                ticket,
            }) => ("behind", Some(ticket)),
            Some(Looked {
                found: None,
                ticket,
            }) => ("miss", Some(ticket)),
        };
        cache.metrics().cart_cache_read(outcome);
        let found = carts::find_active_with_lines(self.db.conn(), shopper).await?;
        if let Some(ticket) = ticket {
            cache.fill(&key, &ticket, &found).await;
        }
        Ok(self.view_of_found(found).await)
    }

    /// Checks the cart for checkout against the catalog now.
    ///
    /// # Errors
    /// Storage failures.
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
        let cart = cart_by_id(self.db.conn(), id, false).await?;
        self.view_of(Some(cart)).await
    }

    /// What became of cart `id` once it is no longer its watcher's shopper's
    /// (WatchCart's `ended`): its status and the cart its lines are in now:
    /// the cart it was merged into, itself when it changed owner, none when
    /// it ended. An active cart past its expiry counts as abandoned; a cart
    /// deleted meanwhile as abandoned into nothing.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn whereabouts(
        &self,
        id: CartId,
    ) -> Result<(CartStatus, Option<CartId>), ServiceError> {
        let cart = match cart_by_id(self.db.conn(), id, false).await {
            Ok(cart) => cart,
            Err(ServiceError::Rejected(Rejection::CartNotFound(_))) => {
                return Ok((CartStatus::Abandoned, None));
            }
            Err(error) => return Err(error),
        };
        Ok(match cart.status {
            CartStatus::Active if cart.is_expired(self.clock.now()) => {
                (CartStatus::Abandoned, None)
            }
            CartStatus::Active => (CartStatus::Active, Some(cart.id)),
            status => (status, cart.merged_into),
        })
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
        cart_by_id(conn, id, false).await?;
        let mut events = events::after(conn, id, after, page_size + 1).await?;
        let more = events.len() as u64 > page_size;
        events.truncate(usize::try_from(page_size).unwrap_or(usize::MAX));
        let next_after = if more {
            events.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(EventPage { events, next_after })
    }
}

/// The cart with `id`, whatever its status; locked for the rest of the
/// transaction when `lock` is set.
///
/// # Errors
/// `CartNotFound`; storage failures.
pub(super) async fn cart_by_id(
    conn: &impl Executor,
    id: CartId,
    lock: bool,
) -> Result<Cart, ServiceError> {
    Ok(carts::find_by_id(conn, id, lock)
        .await?
        .ok_or(Rejection::CartNotFound(id))?)
}
