//! MergeGuestCart's rule: combining a guest cart's lines with the customer's
//! at sign-in.

use chrono::{DateTime, Utc};

use super::Change;
use super::{Limits, Rejection, line_cap};
use crate::domain::adjustment::{Adjustment, AdjustmentKind};
use crate::domain::cart::{Cart, Line, LineChange, MergeStrategy};
use crate::domain::catalog::{CatalogSnapshot, Sellable, no_longer_available};
use crate::domain::ids::ItemId;

/// Merges `guest` lines into the customer's `lines` (the customer cart is
/// `cart`), per `strategy`. Lines that cannot go over as they were are
/// reported as adjustments, never refused: a sign-in must not fail because of
/// stock. The customer's own quantities are never lowered.
///
/// # Errors
/// [`Rejection::CatalogUnavailable`] when guest lines need the catalog and it
/// did not answer.
pub fn merge(
    cart: &Cart,
    lines: &mut Vec<Line>,
    guest: &[Line],
    strategy: MergeStrategy,
    catalog: &CatalogSnapshot,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<Change, Rejection> {
    let mut change = Change::default();
    match strategy {
        MergeStrategy::KeepCustomer => {
            for g in guest {
                change.adjustments.push(Adjustment::dropped(
                    AdjustmentKind::DroppedByStrategy,
                    g,
                    format!("{} from the guest cart was not kept", g.product_name),
                ));
            }
            return Ok(change);
        }
        MergeStrategy::KeepGuest => {
            for l in lines.drain(..) {
                change.lines.push(LineChange::Removed(l.id));
                change.adjustments.push(Adjustment::dropped(
                    AdjustmentKind::DroppedByStrategy,
                    &l,
                    format!("{} was replaced by the guest cart", l.product_name),
                ));
            }
        }
        MergeStrategy::Merge => {}
    }
    for g in guest {
        let cap = match catalog.get(&g.variant_id).sellable_in(&cart.currency) {
            Sellable::Yes(variant) => line_cap(variant),
            Sellable::No => {
                change.adjustments.push(Adjustment::dropped(
                    AdjustmentKind::DroppedUnavailable,
                    g,
                    no_longer_available(&g.product_name),
                ));
                continue;
            }
            Sellable::Unknown => return Err(Rejection::CatalogUnavailable),
        };
        merge_line(lines, g, cap, limits, now, &mut change);
    }
    Ok(change)
}

/// Brings guest line `g` over into `lines`, holding at most `cap` units:
/// onto the customer's line of the same variant, or as a new line.
fn merge_line(
    lines: &mut Vec<Line>,
    g: &Line,
    cap: u32,
    limits: Limits,
    now: DateTime<Utc>,
    change: &mut Change,
) {
    if let Some(line) = lines.iter_mut().find(|l| l.variant_id == g.variant_id) {
        let (kept, total) = line.quantity.plus_at_most(g.quantity, cap);
        if kept.get() < total {
            change.adjustments.push(Adjustment::clamped(
                &g.variant_id,
                line.id,
                total,
                kept.get(),
                &g.product_name,
            ));
        }
        if kept != line.quantity {
            line.quantity = kept;
            line.updated_at = now;
            change.lines.push(LineChange::QuantitySet {
                id: line.id,
                quantity: kept,
            });
        }
        return;
    }
    if lines.len() >= limits.max_lines {
        change.adjustments.push(Adjustment::dropped(
            AdjustmentKind::DroppedLineLimit,
            g,
            format!("{} did not fit: the cart is full", g.product_name),
        ));
        return;
    }
    let Some(kept) = g.quantity.at_most(cap) else {
        change.adjustments.push(Adjustment::dropped(
            AdjustmentKind::DroppedOutOfStock,
            g,
            format!("{} is out of stock", g.product_name),
        ));
        return;
    };
    let line = Line {
        id: ItemId::new(),
        quantity: kept,
        added_at: now,
        updated_at: now,
        ..g.clone()
    };
    if kept < g.quantity {
        change.adjustments.push(Adjustment::clamped(
            &g.variant_id,
            line.id,
            g.quantity.get(),
            kept.get(),
            &g.product_name,
        ));
    }
    lines.push(line.clone());
    change.lines.push(LineChange::Added(line));
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::test_support::rules::{LIMITS, add_to, cart, now, variant};

    #[test]
    fn a_merge_never_lowers_the_customers_own_quantity() {
        let mut lines = vec![];
        let v = variant("v1", 100);
        add_to(&mut lines, &v, 5).unwrap();
        let guest = lines.clone();
        let mut mine = lines;
        let low = variant("v1", 2);
        let catalog = CatalogSnapshot::Answered(HashMap::from([(low.id.clone(), Some(low))]));
        let change = merge(
            &cart(),
            &mut mine,
            &guest,
            MergeStrategy::Merge,
            &catalog,
            LIMITS,
            now(),
        )
        .unwrap();
        assert_eq!(mine[0].quantity, 5, "stock 2 < own 5: kept at 5");
        assert!(change.lines.is_empty());
        assert_eq!(change.adjustments[0].kind, AdjustmentKind::QuantityClamped);
        assert_eq!(
            (
                change.adjustments[0].requested,
                change.adjustments[0].quantity
            ),
            (10, 5)
        );
    }

    #[test]
    fn keep_guest_removes_every_customer_line_first() {
        let mut mine = vec![];
        add_to(&mut mine, &variant("v1", 10), 1).unwrap();
        let mut guest = vec![];
        let v2 = variant("v2", 10);
        add_to(&mut guest, &v2, 2).unwrap();
        let catalog = CatalogSnapshot::Answered(HashMap::from([(v2.id.clone(), Some(v2))]));
        let change = merge(
            &cart(),
            &mut mine,
            &guest,
            MergeStrategy::KeepGuest,
            &catalog,
            LIMITS,
            now(),
        )
        .unwrap();
        assert!(matches!(
            change.lines[..],
            [LineChange::Removed(_), LineChange::Added(_)]
        ));
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].variant_id.as_str(), "v2");
    }
}
