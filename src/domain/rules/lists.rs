//! The rules of lists: saving a line into a list (one item per variant),
//! taking an item into the cart, and merging a guest's list into the
//! customer's at sign-in.

use chrono::{DateTime, Utc};

use super::edit::AddItem;
use super::reorder::reorder;
use super::{Change, Limits, Rejection, line_cap, new_line, sum, variant_to_add};
use crate::domain::adjustment::Adjustment;
use crate::domain::cart::{Cart, Line};
use crate::domain::catalog::{CatalogSnapshot, Known};
use crate::domain::ids::{ItemId, ListItemId};
use crate::domain::list::{ListItem, ListItemChange, MAX_LIST_ITEMS, ShoppingList};
use crate::domain::quantity::{MAX_LINE_QUANTITY, Quantity};

/// What saving a line into a list did.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// The write.
    pub change: ListItemChange,
    /// The item the line went into.
    pub item_id: ListItemId,
    /// Units this save added.
    pub added: u32,
    /// The item's quantity afterwards.
    pub quantity: Quantity,
    /// Set when the item could not hold every unit (100 at most).
    pub adjustment: Option<Adjustment>,
}

/// Saves `line` (with `note`, when given) into `list`, whose items are
/// `items`: onto the item of the same variant (quantities summed up to 100,
/// the note and metadata replaced when given, the price when first saved
/// kept), or as a new item.
///
/// # Errors
/// [`Rejection::ListFull`] when a new item would pass
/// [`MAX_LIST_ITEMS`].
pub fn save(
    list: &ShoppingList,
    items: &mut Vec<ListItem>,
    line: &Line,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<Saved, Rejection> {
    if let Some(item) = items
        .iter_mut()
        .find(|i| i.line.variant_id == line.variant_id)
    {
        let (kept, total) = item
            .line
            .quantity
            .plus_at_most(line.quantity, MAX_LINE_QUANTITY);
        let adjustment = (kept.get() < total).then(|| {
            Adjustment::clamped(
                &line.variant_id,
                item.line.id,
                total,
                kept.get(),
                &line.product_name,
            )
        });
        let added = kept.get() - item.line.quantity.get();
        item.line.quantity = kept;
        item.line.updated_at = now;
        if line.metadata.is_some() {
            item.line.metadata.clone_from(&line.metadata);
        }
        if note.is_some() {
            item.note = note;
        }
        return Ok(Saved {
            change: ListItemChange::Updated {
                id: item.id,
                quantity: kept,
                note: item.note.clone(),
                metadata: item.line.metadata.clone(),
            },
            item_id: item.id,
            added,
            quantity: kept,
            adjustment,
        });
    }
    if items.len() >= MAX_LIST_ITEMS {
        return Err(Rejection::ListFull {
            list_id: list.id,
            max_items: MAX_LIST_ITEMS,
        });
    }
    let id = ListItemId::new();
    let item = ListItem {
        id,
        line: Line {
            id: ItemId::from_uuid(id.uuid()),
            added_at: now,
            updated_at: now,
            ..line.clone()
        },
        note,
        alert: false,
    };
    let quantity = item.line.quantity;
    items.push(item.clone());
    Ok(Saved {
        change: ListItemChange::Added(Box::new(item)),
        item_id: id,
        added: quantity.get(),
        quantity,
        adjustment: None,
    })
}

/// The line AddListItem saves: `add`'s variant as the catalog describes it
/// now (its price is the price when saved). Out of stock is no refusal:
/// that is what back-in-stock alerts are for.
///
/// # Errors
/// `VariantNotFound` (also for a variant of another product),
/// `VariantInactive`, `CatalogUnavailable`.
pub fn line_for(known: Known<'_>, add: AddItem, now: DateTime<Utc>) -> Result<Line, Rejection> {
    let variant = variant_to_add(known, &add)?;
    Ok(new_line(variant, add, now))
}

/// Saves cart line `line` into `list` whole, as MoveItemToList does: the
/// line leaves the cart, so every unit must fit (an item holds 100 at most).
///
/// # Errors
/// `LineQuantityLimit` when the item of that variant cannot take every
/// unit; `ListFull`.
pub fn save_whole(
    list: &ShoppingList,
    items: &mut Vec<ListItem>,
    line: &Line,
    now: DateTime<Utc>,
) -> Result<Saved, Rejection> {
    let held = items.iter().find(|i| i.line.variant_id == line.variant_id);
    if let Some(item) = held {
        sum(&line.variant_id, item.line.quantity, line.quantity)?;
    }
    save(list, items, line, None, now)
}

/// Takes list `item` into the cart (`cart` with `lines`) at today's price,
/// by the MERGE rules: onto the line of the same variant or as a new line,
/// clamped to stock and the line cap (each clamp, and a price that changed
/// since the item was saved, reported as an adjustment). Refused when not
/// one unit can move, so the item stays in its list.
///
/// # Errors
/// `VariantNotFound`, `VariantInactive`, `CurrencyMismatch`,
/// `CatalogUnavailable`; `OutOfStock` when the cart already holds all the
/// stock allows; `LineQuantityLimit` when its line already holds the line
/// cap; `CartLineLimit` when a new line does not fit.
pub fn take(
    cart: &Cart,
    lines: &mut Vec<Line>,
    item: &ListItem,
    catalog: &CatalogSnapshot,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<Change, Rejection> {
    let saved = &item.line;
    let variant = match catalog.get(&saved.variant_id) {
        Known::Found(v) if !v.active => return Err(Rejection::VariantInactive(v.id.clone())),
        Known::Found(v) if v.price.currency != cart.currency => {
            return Err(Rejection::CurrencyMismatch {
                cart: cart.currency.clone(),
                price: v.price.currency.clone(),
            });
        }
        Known::Found(v) => v,
        Known::Missing => return Err(Rejection::VariantNotFound(saved.variant_id.clone())),
        Known::Unknown => return Err(Rejection::CatalogUnavailable),
    };
    let cap = line_cap(variant);
    let held = lines
        .iter()
        .find(|l| l.variant_id == saved.variant_id)
        .map(|l| l.quantity);
    if held.is_none() && lines.len() >= limits.max_lines {
        return Err(Rejection::CartLineLimit {
            max_lines: limits.max_lines,
        });
    }
    let held_units = held.map_or(0, Quantity::get);
    if held_units >= cap {
        let requested = held_units + saved.quantity.get();
        if held == Some(Quantity::MAX) {
            return Err(Rejection::LineQuantityLimit {
                variant_id: saved.variant_id.clone(),
                requested,
            });
        }
        return Err(Rejection::OutOfStock {
            variant_id: saved.variant_id.clone(),
            requested,
            available: variant.inventory.available.max(0),
        });
    }
    reorder(
        cart,
        lines,
        std::slice::from_ref(saved),
        catalog,
        limits,
        now,
    )
}

/// How a guest's list went into the customer's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListsMerged {
    /// Item writes of the customer's list.
    pub changes: Vec<ListItemChange>,
    /// Guest items that became new items.
    pub added: usize,
    /// Guest items summed onto an item of the same variant.
    pub combined: usize,
    /// Guest items that did not fit (the list was full).
    pub dropped: usize,
}

/// Merges `guest` items into the customer's `list` (items `items`), one
/// item per variant: quantities summed up to 100, the customer's note kept
/// unless it has none, a guest item dropped when the list is full.
pub fn merge_lists(
    list: &ShoppingList,
    items: &mut Vec<ListItem>,
    guest: &[ListItem],
    now: DateTime<Utc>,
) -> ListsMerged {
    let mut merged = ListsMerged::default();
    for g in guest {
        let existing = items
            .iter()
            .find(|i| i.line.variant_id == g.line.variant_id)
            .map(|i| i.note.is_none());
        let note = match existing {
            Some(false) => None,
            _ => g.note.clone(),
        };
        match save(list, items, &g.line, note, now) {
            Ok(saved) => {
                if existing.is_some() {
                    merged.combined += 1;
                } else {
                    merged.added += 1;
                }
                merged.changes.push(saved.change);
            }
            Err(_) => merged.dropped += 1,
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::cart::Shopper;
    use crate::domain::ids::SessionId;
    use crate::domain::test_support::rules::{LIMITS, add_to, cart, now, variant};

    fn list() -> ShoppingList {
        ShoppingList::saved_for_later(&Shopper::guest(SessionId::parse("s").unwrap()), now())
    }

    fn line(id: &str, quantity: i64) -> Line {
        let mut lines = vec![];
        add_to(&mut lines, &variant(id, 1000), quantity).unwrap();
        lines.remove(0)
    }

    #[test]
    fn a_variant_saved_twice_is_one_item_summed_up_to_the_line_cap() {
        let list = list();
        let mut items = vec![];
        save(&list, &mut items, &line("v1", 60), None, now()).unwrap();
        let saved = save(
            &list,
            &mut items,
            &line("v1", 60),
            Some("gift".into()),
            now(),
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!((saved.added, saved.quantity.get()), (40, 100));
        assert_eq!(items[0].note.as_deref(), Some("gift"));
        let clamp = saved.adjustment.expect("clamped");
        assert_eq!((clamp.requested, clamp.quantity), (120, 100));
    }

    #[test]
    fn a_line_that_would_not_fit_whole_is_refused_not_clamped() {
        let list = list();
        let mut items = vec![];
        save(&list, &mut items, &line("v1", 98), None, now()).unwrap();
        assert!(matches!(
            save_whole(&list, &mut items, &line("v1", 5), now()),
            Err(Rejection::LineQuantityLimit { requested: 103, .. })
        ));
        assert_eq!(items[0].line.quantity, 98);
        assert!(save_whole(&list, &mut items, &line("v1", 2), now()).is_ok());
    }

    #[test]
    fn a_full_list_refuses_a_new_variant_but_takes_more_of_one_it_holds() {
        let list = list();
        let mut items = vec![];
        for n in 0..MAX_LIST_ITEMS {
            save(&list, &mut items, &line(&format!("v{n}"), 1), None, now()).unwrap();
        }
        assert!(matches!(
            save(&list, &mut items, &line("new", 1), None, now()),
            Err(Rejection::ListFull { .. })
        ));
        assert!(save(&list, &mut items, &line("v0", 1), None, now()).is_ok());
    }

    #[test]
    fn taking_an_item_refuses_when_not_one_unit_can_move() {
        let v = variant("v1", 2);
        let catalog = CatalogSnapshot::Answered(HashMap::from([(v.id.clone(), Some(v.clone()))]));
        let mut lines = vec![];
        add_to(&mut lines, &v, 2).unwrap();
        let item = ListItem {
            id: ListItemId::new(),
            line: line("v1", 1),
            note: None,
            alert: false,
        };
        assert!(matches!(
            take(&cart(), &mut lines, &item, &catalog, LIMITS, now()),
            Err(Rejection::OutOfStock { available: 2, .. })
        ));
    }

    #[test]
    fn taking_an_item_onto_a_full_line_is_the_line_cap_not_stock() {
        let v = variant("v1", 1000);
        let catalog = CatalogSnapshot::Answered(HashMap::from([(v.id.clone(), Some(v.clone()))]));
        let mut lines = vec![];
        add_to(&mut lines, &v, 100).unwrap();
        let item = ListItem {
            id: ListItemId::new(),
            line: line("v1", 3),
            note: None,
            alert: false,
        };
        assert!(matches!(
            take(&cart(), &mut lines, &item, &catalog, LIMITS, now()),
            Err(Rejection::LineQuantityLimit { requested: 103, .. })
        ));
        assert_eq!(lines[0].quantity, 100);
    }

    #[test]
    fn taking_an_item_clamps_to_stock_at_todays_price() {
        let mut v = variant("v1", 3);
        v.price.amount = rust_decimal::Decimal::new(800, 2);
        let catalog = CatalogSnapshot::Answered(HashMap::from([(v.id.clone(), Some(v))]));
        let mut lines = vec![];
        let item = ListItem {
            id: ListItemId::new(),
            line: line("v1", 5),
            note: None,
            alert: false,
        };
        let change = take(&cart(), &mut lines, &item, &catalog, LIMITS, now()).unwrap();
        assert_eq!(lines[0].quantity, 3);
        assert_eq!(
            lines[0].unit_price.amount,
            rust_decimal::Decimal::new(800, 2)
        );
        let kinds: Vec<_> = change.adjustments.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["price_updated", "quantity_clamped"]);
    }

    #[test]
    fn guest_items_merge_by_variant_keeping_the_customers_note() {
        let list = list();
        let mut mine = vec![];
        save(&list, &mut mine, &line("v1", 1), Some("mine".into()), now()).unwrap();
        let mut guest = vec![];
        save(
            &list,
            &mut guest,
            &line("v1", 2),
            Some("theirs".into()),
            now(),
        )
        .unwrap();
        save(&list, &mut guest, &line("v2", 1), Some("new".into()), now()).unwrap();
        let merged = merge_lists(&list, &mut mine, &guest, now());
        assert_eq!((merged.added, merged.combined, merged.dropped), (1, 1, 0));
        assert_eq!(mine[0].line.quantity, 3);
        assert_eq!(mine[0].note.as_deref(), Some("mine"));
        assert_eq!(mine[1].note.as_deref(), Some("new"));
    }
}
