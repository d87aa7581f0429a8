//! The line repository: a cart's lines, and writing a rule's line changes.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::StorageError;
use super::decimal::DbDecimal;
use super::entity::cart_items;
use super::rows::line_from_model;
use crate::domain::cart::{Cart, Line, LineChange};
use crate::domain::ids::{CartId, ItemId};
use crate::domain::metadata::Metadata;

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

/// Writes line changes of `cart` made at `now`.
///
/// A new line is an upsert that adds to the quantity of a line of the same
/// variant, so two adds can never make two lines.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn apply(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    changes: &[LineChange],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    use cart_items::Column;
    for change in changes {
        match change {
            LineChange::Added(line) => insert(conn, cart_id, line).await?,
            LineChange::Incremented { id, by, metadata } => {
                let mut set = vec![(
                    Column::Quantity,
                    Expr::col(Column::Quantity).add(quantity_column(*by)),
                )];
                if let Some(metadata) = metadata {
                    set.push((Column::Metadata, Expr::value(metadata.to_value())));
                }
                update(conn, cart_id, *id, set, now).await?;
            }
            LineChange::QuantitySet { id, quantity } => {
                let set = vec![(Column::Quantity, Expr::value(quantity_column(*quantity)))];
                update(conn, cart_id, *id, set, now).await?;
            }
            LineChange::Repriced { id, unit_price } => {
                let price = Expr::value(DbDecimal(unit_price.amount));
                update(conn, cart_id, *id, vec![(Column::PriceAtTime, price)], now).await?;
            }
            LineChange::Removed(id) => {
                cart_items::Entity::delete_many()
                    .filter(Column::CartId.eq(cart_id.uuid()))
                    .filter(Column::Id.eq(id.uuid()))
                    .exec(conn)
                    .await?;
            }
            LineChange::Cleared => {
                cart_items::Entity::delete_many()
                    .filter(Column::CartId.eq(cart_id.uuid()))
                    .exec(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Inserts `line`, or adds its quantity to the line of the same variant.
async fn insert(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    line: &Line,
) -> Result<(), StorageError> {
    use cart_items::Column;
    let model = cart_items::ActiveModel {
        id: Set(line.id.uuid()),
        cart_id: Set(cart_id.uuid()),
        product_id: Set(line.product_id.as_str().to_owned()),
        variant_id: Set(line.variant_id.as_str().to_owned()),
        quantity: Set(quantity_column(line.quantity)),
        price_at_time: Set(DbDecimal(line.unit_price.amount)),
        product_name: Set(line.product_name.clone()),
        variant_name: Set(line.variant_name.clone()),
        sku: Set(line.sku.clone()),
        metadata: Set(line.metadata.as_ref().map(Metadata::to_value)),
        added_at: Set(line.added_at),
        updated_at: Set(line.updated_at),
    };
    let same_variant = OnConflict::columns([Column::CartId, Column::VariantId])
        .value(
            Column::Quantity,
            Expr::cust("cart_items.quantity + excluded.quantity"),
        )
        .value(
            Column::Metadata,
            Expr::cust("COALESCE(excluded.metadata, cart_items.metadata)"),
        )
        .update_column(Column::UpdatedAt)
        .to_owned();
    cart_items::Entity::insert(model)
        .on_conflict(same_variant)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Sets columns of line `id` of the cart, and its `updated_at`.
async fn update(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    id: ItemId,
    set: Vec<(cart_items::Column, SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    use cart_items::Column;
    let mut update = cart_items::Entity::update_many();
    for (column, value) in set {
        update = update.col_expr(column, value);
    }
    update
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::CartId.eq(cart_id.uuid()))
        .filter(Column::Id.eq(id.uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Quantities are at most 100, so they always fit the INTEGER column.
fn quantity_column(quantity: u32) -> i32 {
    i32::try_from(quantity).unwrap_or(i32::MAX)
}
