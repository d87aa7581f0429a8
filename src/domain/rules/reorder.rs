//! Reorder's rule: the lines of a completed cart copied into the shopper's
//! cart at today's prices, by the MERGE rules.

use chrono::{DateTime, Utc};

use super::merge::merge;
use super::{Change, Limits, Rejection};
use crate::domain::adjustment::Adjustment;
use crate::domain::cart::{Cart, Line, MergeStrategy};
use crate::domain::catalog::{CatalogSnapshot, Sellable};

/// Copies `ordered` lines into `lines` (the shopper's cart is `cart`): each
/// at the catalog's price and names of today, merged as MergeGuestCart's
/// MERGE does (clamped to stock and the line cap, dropped when unavailable
/// or past the line limit, each reported). A new line whose price changed
/// since the order is reported as `price_updated` with both prices; units
/// that join a line the cart already has take that line's price.
///
/// # Errors
/// [`Rejection::CatalogUnavailable`] when the catalog did not answer.
pub fn reorder(
    cart: &Cart,
    lines: &mut Vec<Line>,
    ordered: &[Line],
    catalog: &CatalogSnapshot,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<Change, Rejection> {
    let mut repriced = Vec::new();
    let today: Vec<Line> = ordered
        .iter()
        .map(
            |line| match catalog.get(&line.variant_id).sellable_in(&cart.currency) {
                Sellable::Yes(variant) => {
                    // Units that join a line already in the cart take that
                    // line's price: only a new line is priced today.
                    let joins = lines.iter().any(|l| l.variant_id == line.variant_id);
                    if variant.price != line.unit_price && !joins {
                        repriced.push(Adjustment::repriced(line, &variant.price));
                    }
                    Line {
                        unit_price: variant.price.clone(),
                        product_name: variant.product_name.clone(),
                        variant_name: variant.name.clone(),
                        sku: variant.sku.clone(),
                        ..line.clone()
                    }
                }
                // Merge drops it (unavailable), or refuses (no answer).
                Sellable::No | Sellable::Unknown => line.clone(),
            },
        )
        .collect();
    let mut change = merge(
        cart,
        lines,
        &today,
        MergeStrategy::Merge,
        catalog,
        limits,
        now,
    )?;
    // A repriced line's adjustment names the line it became in this cart.
    for adjustment in &mut repriced {
        adjustment.item_id = (lines.iter())
            .find(|l| l.variant_id == adjustment.variant_id)
            .map(|l| l.id);
    }
    change.adjustments.splice(0..0, repriced);
    Ok(change)
}
