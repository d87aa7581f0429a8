//! What a write asks the catalog about before its transaction: the variants
//! of every cart and list the write will touch, read without a lock, looked
//! up in one batch. The transaction reads again under its lock. A variant
//! that arrived meanwhile is `Known::Unknown` to the rules (a merge or a
//! move then refuses with CATALOG_UNAVAILABLE, a refresh leaves its line as
//! it is, and the caller may retry); the view built after commit looks it
//! up.

use super::{CartService, ServiceError};
use crate::domain::cart::Shopper;
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::ids::{CartId, ListItemId, VariantId};
use crate::domain::list::{ListItem, ListRef};
use crate::storage::{StorageError, carts, lines, lists};

/// Something whose variants a write will touch.
pub(super) enum Touches<'a> {
    /// The shopper's active cart.
    ActiveCart(&'a Shopper),
    /// The cart with this id, whatever its status (an order, a recovered
    /// cart); nothing when there is none.
    Cart(CartId),
    /// List `to` of the shopper's; nothing when it does not exist or is
    /// someone else's (the write refuses it under its lock).
    List(&'a Shopper, ListRef),
    /// The list that holds this item; nothing when there is none. Not
    /// checked for its owner here: the write checks it under its lock, and
    /// a lookup of someone else's variants tells the caller nothing.
    ListOfItem(ListItemId),
    /// Variants the use case already knows.
    Variants(Vec<VariantId>),
}

impl CartService {
    /// Looks up, in one batch, every variant of `touches`.
    ///
    /// # Errors
    /// [`ServiceError`] when the reads fail; an unanswered lookup is no
    /// error (see [`CatalogSnapshot::Unavailable`]).
    pub(super) async fn prefetch(
        &self,
        touches: Vec<Touches<'_>>,
    ) -> Result<CatalogSnapshot, ServiceError> {
        let mut known = Vec::new();
        for touched in touches {
            known.extend(self.variants_of(touched).await?);
        }
        Ok(self.lookup(&known).await)
    }

    async fn variants_of(&self, touched: Touches<'_>) -> Result<Vec<VariantId>, StorageError> {
        let conn = self.db.conn();
        let items = match touched {
            Touches::ActiveCart(shopper) => return carts::active_variant_ids(conn, shopper).await,
            Touches::Variants(ids) => return Ok(ids),
            Touches::Cart(id) => {
                let Some(cart) = carts::find_by_id(conn, id, false).await? else {
                    return Ok(Vec::new());
                };
                let lines = lines::of_cart(conn, &cart).await?;
                return Ok(lines.into_iter().map(|l| l.variant_id).collect());
            }
            Touches::ListOfItem(id) => match lists::list_of_item(conn, id).await? {
                Some(list) => lists::items(conn, list).await?,
                None => Vec::new(),
            },
            Touches::List(shopper, to) => {
                let list = match to {
                    ListRef::SavedForLater => lists::saved_for_later(conn, shopper, false).await?,
                    ListRef::Id(id) => lists::find(conn, id, false).await?,
                };
                match list {
                    Some(list) if list.is_owned_by(shopper) => lists::items(conn, list.id).await?,
                    _ => Vec::new(),
                }
            }
        };
        Ok(items
            .into_iter()
            .map(|i: ListItem| i.line.variant_id)
            .collect())
    }
}
