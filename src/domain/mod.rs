//! Pure types and rules of carts: identifiers, quantities, money, e-mail
//! addresses, device signals, metadata, the cart and its lines, the rules of changing them
//! (one module per use case), adjustments, the event log's events, pricing,
//! warnings and validation. No I/O and no framework types: the gRPC layer parses into these
//! types once, and storage and the catalog client translate to and from them.

pub mod adjustment;
pub mod cart;
pub mod catalog;
pub mod demand;
pub mod device;
pub mod email;
pub mod event;
pub mod ids;
pub mod list;
pub mod metadata;
pub mod money;
pub mod quantity;
pub mod rules;
pub mod share;
pub mod view;

use std::fmt;

/// Why a value given by a caller was refused by a `parse` constructor.
///
/// The description is written for the caller; the gRPC layer pairs it with the
/// request field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl ParseError {
    pub(crate) fn new(description: impl Into<String>) -> Self {
        Self(description.into())
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// Builders shared by the domain's unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;

    use rust_decimal::Decimal;

    use super::catalog::{CatalogVariant, Inventory};
    use super::ids::{ProductId, VariantId};
    use super::money::{Currency, Money};

    pub fn usd() -> Currency {
        Currency::parse("USD").expect("valid")
    }

    /// An active, tracked variant of product `p` priced in USD.
    pub fn variant(id: &str, price: Decimal, available: i64) -> CatalogVariant {
        CatalogVariant {
            id: VariantId::parse(id).expect("valid"),
            product_id: ProductId::parse("p").expect("valid"),
            product_name: "P".into(),
            product_slug: "p".into(),
            images: vec![],
            sku: "SKU".into(),
            name: "V".into(),
            attributes: BTreeMap::new(),
            price: Money {
                amount: price,
                currency: usd(),
            },
            active: true,
            inventory: Inventory {
                tracked: true,
                available,
                backorder_allowed: false,
            },
        }
    }

    /// Builders shared by the rules' unit tests.
    pub mod rules {
        use chrono::{DateTime, Duration, TimeZone, Utc};
        use rust_decimal::Decimal;

        use crate::domain::cart::{Cart, Line, Shopper};
        use crate::domain::catalog::{CatalogVariant, Known};
        use crate::domain::ids::{ProductId, SessionId, VariantId};
        use crate::domain::quantity::Quantity;
        use crate::domain::rules::{AddItem, Change, Limits, Rejection, add_item};

        pub const LIMITS: Limits = Limits { max_lines: 2 };

        pub fn now() -> DateTime<Utc> {
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        }

        pub fn cart() -> Cart {
            let shopper = Shopper::guest(SessionId::parse("s").unwrap());
            Cart::new(&shopper, super::usd(), now(), Duration::days(30))
        }

        pub fn variant(id: &str, available: i64) -> CatalogVariant {
            super::variant(id, Decimal::new(1000, 2), available)
        }

        pub fn add(id: &str, quantity: i64) -> AddItem {
            AddItem {
                product_id: ProductId::parse("p").unwrap(),
                variant_id: VariantId::parse(id).unwrap(),
                quantity: Quantity::parse(quantity).unwrap(),
                metadata: None,
            }
        }

        /// Adds `quantity` of `v` to a fresh cart's `lines`.
        pub fn add_to(
            lines: &mut Vec<Line>,
            v: &CatalogVariant,
            quantity: i64,
        ) -> Result<Change, Rejection> {
            add_item(
                &cart(),
                lines,
                Known::Found(v),
                add(v.id.as_str(), quantity),
                LIMITS,
                now(),
            )
        }
    }
}
