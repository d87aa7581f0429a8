//! RefreshCart's rule: accepting the catalog as it is now.

use chrono::{DateTime, Utc};

use super::Change;
use super::{Rejection, line_cap};
use crate::domain::adjustment::{Adjustment, AdjustmentKind};
use crate::domain::cart::{Cart, Line, LineChange};
use crate::domain::catalog::{CatalogSnapshot, CatalogVariant, Sellable, no_longer_available};
use crate::domain::event::Event;

/// Accepts the catalog as it is: re-prices lines, clamps them to stock, drops
/// those gone or inactive. With nothing to change, the change is empty.
///
/// # Errors
/// [`Rejection::CatalogUnavailable`] when the cart has lines and the catalog
/// did not answer.
pub fn refresh(
    cart: &Cart,
    lines: &mut Vec<Line>,
    catalog: &CatalogSnapshot,
    now: DateTime<Utc>,
) -> Result<Change, Rejection> {
    if lines.is_empty() {
        return Ok(Change::default());
    }
    if matches!(catalog, CatalogSnapshot::Unavailable) {
        return Err(Rejection::CatalogUnavailable);
    }
    let mut change = Change::default();
    let mut kept = Vec::with_capacity(lines.len());
    for line in lines.drain(..) {
        match catalog.get(&line.variant_id).sellable_in(&cart.currency) {
            Sellable::Yes(variant) => {
                kept.extend(refresh_line(line, variant, now, &mut change));
            }
            Sellable::No => {
                change.lines.push(LineChange::Removed(line.id));
                change.adjustments.push(Adjustment::dropped(
                    AdjustmentKind::DroppedUnavailable,
                    &line,
                    no_longer_available(&line.product_name),
                ));
            }
            // Added by another call after the catalog was asked: left as is.
            Sellable::Unknown => kept.push(line),
        }
    }
    *lines = kept;
    if !change.adjustments.is_empty() {
        change.events.push(Event::Refreshed {
            adjustments: change.adjustments.clone(),
        });
    }
    Ok(change)
}

/// Brings one sellable line in line with `variant`: its price, then its
/// quantity. `None` when it is dropped for lack of stock.
fn refresh_line(
    mut line: Line,
    variant: &CatalogVariant,
    now: DateTime<Utc>,
    change: &mut Change,
) -> Option<Line> {
    if variant.price != line.unit_price {
        change
            .adjustments
            .push(Adjustment::repriced(&line, &variant.price));
        line.unit_price = variant.price.clone();
        line.updated_at = now;
        change.lines.push(LineChange::Repriced {
            id: line.id,
            unit_price: variant.price.clone(),
        });
    }
    let cap = line_cap(variant);
    if line.quantity.get() <= cap {
        return Some(line);
    }
    let Some(kept) = line.quantity.at_most(cap) else {
        change.lines.push(LineChange::Removed(line.id));
        change.adjustments.push(Adjustment::dropped(
            AdjustmentKind::DroppedOutOfStock,
            &line,
            format!("{} is out of stock", line.product_name),
        ));
        return None;
    };
    change.adjustments.push(Adjustment::clamped(
        &line.variant_id,
        line.id,
        line.quantity.get(),
        kept.get(),
        &line.product_name,
    ));
    line.quantity = kept;
    line.updated_at = now;
    change.lines.push(LineChange::QuantitySet {
        id: line.id,
        quantity: kept,
    });
    Some(line)
}
