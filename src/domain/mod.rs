//! Pure types and rules of carts: identifiers, quantities, money, e-mail
//! addresses, metadata, the cart and its lines, pricing, warnings and
//! validation. No I/O and no framework types: the gRPC layer parses into these
//! types once, and storage and the catalog client translate to and from them.

pub mod cart;
pub mod catalog;
pub mod email;
pub mod ids;
pub mod metadata;
pub mod money;
pub mod quantity;
pub mod rules;
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
}
