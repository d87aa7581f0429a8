//! Rows as domain values: the one place stored models become [`Cart`]s,
//! [`Line`]s, lists and their items, refusing data that does not parse.

use serde_json::Value;

use super::StorageError;
use super::entity::{cart_items, carts, list_items, shopping_lists};
use crate::domain::cart::{Cart, CartStatus, Line};
use crate::domain::email::Email;
use crate::domain::ids::{
    CartId, CustomerId, ItemId, ListId, ListItemId, OrderId, ProductId, SessionId, VariantId,
};
use crate::domain::list::{ListItem, ListKind, ShoppingList};
use crate::domain::metadata::Metadata;
use crate::domain::money::{Currency, Money};
use crate::domain::quantity::Quantity;

pub(super) fn corrupt(what: &str, err: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("{what}: {err}"))
}

pub(super) fn cart_from_model(m: carts::Model) -> Result<Cart, StorageError> {
    Ok(Cart {
        id: CartId::from_uuid(m.id),
        session_id: SessionId::parse(&m.session_id).map_err(|e| corrupt("carts.session_id", e))?,
        customer_id: m
            .customer_id
            .as_deref()
            .map(CustomerId::parse)
            .transpose()
            .map_err(|e| corrupt("carts.customer_id", e))?,
        email: m
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(|e| corrupt("carts.email", e))?,
        currency: Currency::parse(&m.currency).map_err(|e| corrupt("carts.currency", e))?,
        status: CartStatus::from_stored(&m.status)
            .ok_or_else(|| corrupt("carts.status", &m.status))?,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
        expires_at: m.expires_at,
        order_id: m
            .completed_order_id
            .as_deref()
            .map(OrderId::parse)
            .transpose()
            .map_err(|e| corrupt("carts.completed_order_id", e))?,
        merged_into: m.merged_into_cart_id.map(CartId::from_uuid),
    })
}

pub(super) fn metadata_from_json(value: Option<Value>) -> Option<Metadata> {
    match value {
        Some(Value::Object(map)) => Some(Metadata::from_stored(map)),
        _ => None,
    }
}

/// A [`Line`] from a row `$m` of `cart_items` or `list_items` (`$table`),
/// priced in `$currency`: the two tables share these columns by name, so the
/// one reading serves both (a macro, as the two models are distinct types).
macro_rules! line_of_row {
    ($m:ident, $table:literal, $currency:expr) => {
        Line {
            id: ItemId::from_uuid($m.id),
            product_id: ProductId::parse(&$m.product_id)
                .map_err(|e| corrupt(concat!($table, ".product_id"), e))?,
            variant_id: VariantId::parse(&$m.variant_id)
                .map_err(|e| corrupt(concat!($table, ".variant_id"), e))?,
            quantity: Quantity::stored($m.quantity)
                .map_err(|e| corrupt(concat!($table, ".quantity"), e))?,
            unit_price: Money {
                amount: $m.price_at_time.0,
                currency: $currency,
            },
            product_name: $m.product_name,
            variant_name: $m.variant_name,
            sku: $m.sku,
            metadata: metadata_from_json($m.metadata),
            added_at: $m.added_at,
            updated_at: $m.updated_at,
        }
    };
}

pub(super) fn line_from_model(
    m: cart_items::Model,
    currency: &Currency,
) -> Result<Line, StorageError> {
    Ok(line_of_row!(m, "cart_items", currency.clone()))
}

pub(super) fn list_from_model(m: shopping_lists::Model) -> Result<ShoppingList, StorageError> {
    Ok(ShoppingList {
        id: ListId::from_uuid(m.id),
        kind: ListKind::from_stored(&m.kind)
            .ok_or_else(|| corrupt("shopping_lists.kind", &m.kind))?,
        name: m.name,
        session_id: SessionId::parse(&m.session_id)
            .map_err(|e| corrupt("shopping_lists.session_id", e))?,
        customer_id: m
            .customer_id
            .as_deref()
            .map(CustomerId::parse)
            .transpose()
            .map_err(|e| corrupt("shopping_lists.customer_id", e))?,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(super) fn item_from_model(m: list_items::Model) -> Result<ListItem, StorageError> {
    let currency = Currency::parse(&m.currency).map_err(|e| corrupt("list_items.currency", e))?;
    let note = m.note;
    Ok(ListItem {
        id: ListItemId::from_uuid(m.id),
        line: line_of_row!(m, "list_items", currency),
        note,
        // Whether an alert is set is another table's (storage/lists.rs
        // fills it in).
        alert: false,
    })
}
