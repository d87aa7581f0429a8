//! A shopper's cart rows as the read cache keeps them (`crate::cache`): the
//! columns GetCart reads, as JSON, read back through the same checks as a
//! row from the database ([`super::rows`]), so a cached cart is never
//! trusted more than a stored one.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::StorageError;
use super::decimal::DbDecimal;
use super::entity::{cart_items, carts};
use super::rows::{cart_from_model, corrupt, line_from_model};
use crate::domain::cart::{Cart, Line};
use crate::domain::metadata::Metadata;

/// A shopper's active cart and its lines, or none.
pub type Found = Option<(Cart, Vec<Line>)>;

#[derive(Serialize, Deserialize)]
struct Rows {
    cart: Option<CartRow>,
    lines: Vec<LineRow>,
}

#[derive(Serialize, Deserialize)]
struct CartRow {
    id: Uuid,
    session_id: String,
    customer_id: Option<String>,
    email: Option<String>,
    currency: String,
    status: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    completed_order_id: Option<String>,
    merged_into_cart_id: Option<Uuid>,
}

#[derive(Serialize, Deserialize)]
struct LineRow {
    id: Uuid,
    product_id: String,
    variant_id: String,
    quantity: i32,
    price_at_time: Decimal,
    product_name: String,
    variant_name: String,
    sku: String,
    metadata: Option<serde_json::Value>,
    added_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// `found` as the cache stores it.
pub fn encode(found: &Found) -> Vec<u8> {
    let rows = match found {
        None => Rows {
            cart: None,
            lines: Vec::new(),
        },
        Some((cart, lines)) => Rows {
            cart: Some(cart_row(cart)),
            lines: lines.iter().map(line_row).collect(),
        },
    };
    // Plain data of strings, numbers and JSON values: it always serialises.
    serde_json::to_vec(&rows).unwrap_or_default()
}

/// What [`encode`] stored.
///
/// # Errors
/// [`StorageError::Corrupt`] when the bytes are not such rows or a value in
/// them does not parse.
pub fn decode(bytes: &[u8]) -> Result<Found, StorageError> {
    let rows: Rows = serde_json::from_slice(bytes).map_err(|e| corrupt("cached cart", e))?;
    let Some(row) = rows.cart else {
        return Ok(None);
    };
    let cart = cart_from_model(carts::Model {
        id: row.id,
        session_id: row.session_id,
        customer_id: row.customer_id,
        email: row.email,
        currency: row.currency,
        status: row.status,
        version: row.version,
        metadata: None,
        created_at: row.created_at,
        updated_at: row.updated_at,
        expires_at: row.expires_at,
        expires_day: None,
        completed_order_id: row.completed_order_id,
        merged_into_cart_id: row.merged_into_cart_id,
    })?;
    let lines = rows
        .lines
        .into_iter()
        .map(|l| {
            let model = cart_items::Model {
                id: l.id,
                cart_id: row.id,
                product_id: l.product_id,
                variant_id: l.variant_id,
                quantity: l.quantity,
                price_at_time: DbDecimal(l.price_at_time),
                product_name: l.product_name,
                variant_name: l.variant_name,
                sku: l.sku,
                metadata: l.metadata,
                added_at: l.added_at,
                updated_at: l.updated_at,
            };
            line_from_model(model, &cart.currency)
        })
        .collect::<Result<_, _>>()?;
    Ok(Some((cart, lines)))
}

fn cart_row(cart: &Cart) -> CartRow {
    CartRow {
        id: cart.id.uuid(),
        session_id: cart.session_id.as_str().to_owned(),
        customer_id: cart.customer_id.as_ref().map(|c| c.as_str().to_owned()),
        email: cart.email.as_ref().map(|e| e.as_str().to_owned()),
        currency: cart.currency.as_str().to_owned(),
        status: cart.status.as_str().to_owned(),
        version: cart.version,
        created_at: cart.created_at,
        updated_at: cart.updated_at,
        expires_at: cart.expires_at,
        completed_order_id: cart.order_id.as_ref().map(|o| o.as_str().to_owned()),
        merged_into_cart_id: cart.merged_into.map(|m| m.uuid()),
    }
}

fn line_row(line: &Line) -> LineRow {
    LineRow {
        id: line.id.uuid(),
        product_id: line.product_id.as_str().to_owned(),
        variant_id: line.variant_id.as_str().to_owned(),
        quantity: i32::try_from(line.quantity.get()).unwrap_or(i32::MAX),
        price_at_time: line.unit_price.amount,
        product_name: line.product_name.clone(),
        variant_name: line.variant_name.clone(),
        sku: line.sku.clone(),
        metadata: line.metadata.as_ref().map(Metadata::to_value),
        added_at: line.added_at,
        updated_at: line.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cart::Shopper;
    use crate::domain::ids::SessionId;
    use crate::domain::money::Currency;

    #[test]
    fn no_cart_and_a_cart_read_back_as_they_were() {
        assert_eq!(decode(&encode(&None)).expect("decodes"), None);
        let shopper = Shopper::guest(SessionId::parse("s-1").expect("id"));
        let currency = Currency::parse("EUR").expect("currency");
        let mut cart = Cart::new(&shopper, currency, Utc::now(), chrono::Duration::days(1));
        cart.version = 7;
        let found = Some((cart, Vec::new()));
        assert_eq!(decode(&encode(&found)).expect("decodes"), found);
    }

    #[test]
    fn bytes_that_are_not_rows_are_corrupt() {
        assert!(matches!(decode(b"{}"), Err(StorageError::Corrupt(_))));
        assert!(matches!(
            decode(br#"{"cart":{"id":"x"},"lines":[]}"#),
            Err(StorageError::Corrupt(_))
        ));
    }
}
