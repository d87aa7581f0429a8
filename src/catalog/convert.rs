//! Conversions between the catalog contract and domain types.

use crate::domain::catalog::{CatalogVariant, Image, Inventory};
use crate::domain::ids::{ProductId, VariantId};
use crate::domain::money::Money;
use crate::proto::shop::catalog::v1 as pb;
use crate::proto::shop::common::v1 as money_pb;

/// Reads a variant from the catalog's answer.
///
/// # Errors
/// A description of the first malformed field.
pub fn variant_from_proto(v: pb::Variant) -> Result<CatalogVariant, String> {
    let bad = |field: &str, e: &dyn std::fmt::Display| format!("variant {:?}: {field}: {e}", v.id);
    let price = v
        .price
        .as_ref()
        .ok_or_else(|| bad("price", &"missing"))
        .and_then(|p| {
            Money::from_units_nanos(&p.currency_code, p.units, p.nanos)
                .map_err(|e| bad("price", &e))
        })?;
    let inventory = v.inventory.unwrap_or_default();
    Ok(CatalogVariant {
        id: VariantId::parse(&v.id).map_err(|e| bad("id", &e))?,
        product_id: ProductId::parse(&v.product_id).map_err(|e| bad("product_id", &e))?,
        product_name: v.product_name,
        product_slug: v.product_slug,
        images: v
            .images
            .into_iter()
            .map(|i| Image {
                url: i.url,
                alt_text: i.alt_text,
            })
            .collect(),
        sku: v.sku,
        name: v.name,
        attributes: v.attributes.into_iter().collect(),
        price,
        active: v.active,
        inventory: Inventory {
            tracked: inventory.tracked,
            available: inventory.available_quantity.max(0),
            backorder_allowed: inventory.backorder_allowed,
        },
    })
}

/// Writes a variant as the catalog contract describes it.
pub fn variant_to_proto(v: &CatalogVariant) -> pb::Variant {
    let (units, nanos) = v.price.to_units_nanos();
    pb::Variant {
        id: v.id.to_string(),
        product_id: v.product_id.to_string(),
        product_name: v.product_name.clone(),
        product_slug: v.product_slug.clone(),
        images: v
            .images
            .iter()
            .map(|i| pb::Image {
                url: i.url.clone(),
                alt_text: i.alt_text.clone(),
            })
            .collect(),
        sku: v.sku.clone(),
        name: v.name.clone(),
        attributes: v.attributes.clone().into_iter().collect(),
        price: Some(money_pb::Money {
            currency_code: v.price.currency.to_string(),
            units,
            nanos,
        }),
        active: v.active,
        inventory: Some(pb::Inventory {
            tracked: v.inventory.tracked,
            available_quantity: v.inventory.available,
            backorder_allowed: v.inventory.backorder_allowed,
        }),
    }
}
