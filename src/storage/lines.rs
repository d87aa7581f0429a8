//! The line repository: a cart's lines. A rule's line changes are written
//! with the cart's change, by [`super::cart_write`].

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StorageError;
use super::entity::cart_items;
use super::rows::line_from_model;
use crate::domain::cart::{Cart, Line};

/// The cart's lines, oldest first.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn of_cart(conn: &impl ConnectionTrait, cart: &Cart) -> Result<Vec<Line>, StorageError> {
    cart_items::Entity::find()
        .filter(cart_items::Column::CartId.eq(cart.id.uuid()))
        .order_by_asc(cart_items::Column::AddedAt)
        .order_by_asc(cart_items::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| line_from_model(m, &cart.currency))
        .collect()
}
