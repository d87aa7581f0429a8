//! The shopper's direct edits: AddItem, UpdateItem, RemoveItem, ClearCart and
//! SetEmail.

use chrono::{DateTime, Utc};

use super::Change;
use super::{Limits, Rejection, active_variant, check_stock, new_line, sum, variant_to_add};
use crate::domain::cart::{Cart, Line, LineChange};
use crate::domain::catalog::{CatalogSnapshot, Known};
use crate::domain::email::Email;
use crate::domain::event::Event;
use crate::domain::ids::{ItemId, ProductId, VariantId};
use crate::domain::metadata::Metadata;
use crate::domain::quantity::Quantity;

/// What AddItem asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct AddItem {
    /// Product of the variant.
    pub product_id: ProductId,
    /// Variant to add.
    pub variant_id: VariantId,
    /// Units to add.
    pub quantity: Quantity,
    /// Data to keep with the line.
    pub metadata: Option<Metadata>,
}

/// The event of `added` units ending in `line`.
fn item_added(line: &Line, added: u32) -> Event {
    Event::ItemAdded {
        item_id: line.id,
        variant_id: line.variant_id.clone(),
        added,
        quantity: line.quantity.get(),
        unit_price: line.unit_price.amount,
    }
}

/// Adds `add.quantity` of a variant: increments its line, or adds a line
/// priced at the catalog price now.
///
/// # Errors
/// A [`Rejection`] when the variant is unknown, of another product, inactive,
/// priced in another currency, short of stock, or when the line or cart limits
/// would be passed.
pub fn add_item(
    cart: &Cart,
    lines: &mut Vec<Line>,
    known: Known<'_>,
    add: AddItem,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<Change, Rejection> {
    let variant = variant_to_add(known, &add)?;
    if variant.price.currency != cart.currency {
        return Err(Rejection::CurrencyMismatch {
            cart: cart.currency.clone(),
            price: variant.price.currency.clone(),
        });
    }
    let quantity = add.quantity;

    if let Some(line) = lines.iter_mut().find(|l| l.variant_id == add.variant_id) {
        let total = sum(&add.variant_id, line.quantity, quantity)?;
        check_stock(variant, total)?;
        line.quantity = total;
        line.updated_at = now;
        if add.metadata.is_some() {
            line.metadata.clone_from(&add.metadata);
        }
        let event = item_added(line, quantity.get());
        let write = LineChange::Incremented {
            id: line.id,
            by: quantity,
            metadata: add.metadata,
        };
        return Ok(Change::recorded(vec![write], event));
    }

    if lines.len() >= limits.max_lines {
        return Err(Rejection::CartLineLimit {
            max_lines: limits.max_lines,
        });
    }
    check_stock(variant, quantity)?;
    let line = new_line(variant, add, now);
    let event = item_added(&line, quantity.get());
    lines.push(line.clone());
    Ok(Change::recorded(vec![LineChange::Added(line)], event))
}

/// Sets a line's quantity; `None` removes it. Raising a quantity needs the
/// variant active and in stock; lowering one never needs the catalog.
///
/// # Errors
/// A [`Rejection`] when the line is not in the cart, or a raise finds the
/// variant gone, inactive or short of stock, or the catalog unavailable.
pub fn update_item(
    lines: &mut Vec<Line>,
    item_id: ItemId,
    quantity: Option<Quantity>,
    catalog: &CatalogSnapshot,
    now: DateTime<Utc>,
) -> Result<Change, Rejection> {
    let Some(quantity) = quantity else {
        return remove_item(lines, item_id);
    };
    let line = lines
        .iter_mut()
        .find(|l| l.id == item_id)
        .ok_or(Rejection::ItemNotFound(item_id))?;
    let new = quantity;
    if new > line.quantity {
        let variant = active_variant(catalog.get(&line.variant_id), &line.variant_id)?;
        check_stock(variant, new)?;
    }
    let event = Event::ItemUpdated {
        item_id,
        variant_id: line.variant_id.clone(),
        from: line.quantity.get(),
        to: new.get(),
    };
    line.quantity = new;
    line.updated_at = now;
    let write = LineChange::QuantitySet {
        id: item_id,
        quantity: new,
    };
    Ok(Change::recorded(vec![write], event))
}

/// Removes a line.
///
/// # Errors
/// [`Rejection::ItemNotFound`] when the line is not in the cart.
pub fn remove_item(lines: &mut Vec<Line>, item_id: ItemId) -> Result<Change, Rejection> {
    let index = lines
        .iter()
        .position(|l| l.id == item_id)
        .ok_or(Rejection::ItemNotFound(item_id))?;
    let line = lines.remove(index);
    let event = Event::ItemRemoved {
        item_id,
        variant_id: line.variant_id,
        quantity: line.quantity.get(),
    };
    Ok(Change::recorded(vec![LineChange::Removed(item_id)], event))
}

/// Removes every line.
pub fn clear(lines: &mut Vec<Line>) -> Change {
    let lines_removed = lines.len();
    lines.clear();
    Change::recorded(vec![LineChange::Cleared], Event::Cleared { lines_removed })
}

/// Sets the checkout e-mail address.
pub fn set_email(cart: &mut Cart, email: Email) -> Change {
    let replaced = cart.email.is_some();
    cart.email = Some(email);
    Change::recorded(Vec::new(), Event::EmailSet { replaced })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::money::Currency;
    use crate::domain::test_support::rules::{LIMITS, add, add_to, cart, now, variant};

    #[test]
    fn a_new_variant_becomes_a_line_priced_now() {
        let mut lines = vec![];
        let v = variant("v1", 10);
        let change = add_to(&mut lines, &v, 3).unwrap();
        assert!(matches!(change.lines[..], [LineChange::Added(_)]));
        assert_eq!(lines[0].quantity, 3);
        assert_eq!(lines[0].unit_price.amount, Decimal::new(1000, 2));
    }

    #[test]
    fn adding_again_increments_and_checks_the_total_against_stock() {
        let mut lines = vec![];
        let v = variant("v1", 5);
        add_to(&mut lines, &v, 3).unwrap();
        let refused = add_to(&mut lines, &v, 3);
        assert_eq!(
            refused,
            Err(Rejection::OutOfStock {
                variant_id: v.id.clone(),
                requested: 6,
                available: 5
            })
        );
        assert_eq!(lines[0].quantity, 3, "a refusal leaves the lines alone");
        let change = add_to(&mut lines, &v, 2).unwrap();
        assert!(matches!(
            change.lines[..],
            [LineChange::Incremented { by, .. }] if by == 2
        ));
        assert_eq!(lines[0].quantity, 5);
    }

    #[test]
    fn the_checks_run_in_a_stable_order() {
        let mut lines = vec![];
        let c = cart();
        let gone = add_item(&c, &mut lines, Known::Missing, add("v1", 1), LIMITS, now());
        assert_eq!(
            gone,
            Err(Rejection::VariantNotFound(VariantId::parse("v1").unwrap()))
        );
        let down = add_item(&c, &mut lines, Known::Unknown, add("v1", 1), LIMITS, now());
        assert_eq!(down, Err(Rejection::CatalogUnavailable));
        let mut inactive = variant("v1", 10);
        inactive.active = false;
        let r = add_to(&mut lines, &inactive, 1);
        assert_eq!(r, Err(Rejection::VariantInactive(inactive.id.clone())));
        let mut euro = variant("v1", 10);
        euro.price.currency = Currency::parse("EUR").unwrap();
        let r = add_to(&mut lines, &euro, 1);
        assert!(matches!(r, Err(Rejection::CurrencyMismatch { .. })));
        let mut other = variant("v1", 10);
        other.product_id = ProductId::parse("q").unwrap();
        let r = add_to(&mut lines, &other, 1);
        assert!(matches!(r, Err(Rejection::VariantNotOfProduct { .. })));
        assert!(lines.is_empty());
    }

    #[test]
    fn the_line_limit_stops_new_lines_only() {
        let mut lines = vec![];
        let c = cart();
        for id in ["v1", "v2"] {
            let v = variant(id, 10);
            add_item(&c, &mut lines, Known::Found(&v), add(id, 1), LIMITS, now()).unwrap();
        }
        let v3 = variant("v3", 10);
        let r = add_to(&mut lines, &v3, 1);
        assert_eq!(r, Err(Rejection::CartLineLimit { max_lines: 2 }));
        let v1 = variant("v1", 10);
        add_to(&mut lines, &v1, 1).unwrap();
    }

    #[test]
    fn lowering_a_quantity_needs_no_catalog_but_raising_does() {
        let mut lines = vec![];
        let v = variant("v1", 10);
        add_to(&mut lines, &v, 5).unwrap();
        let id = lines[0].id;
        let down = CatalogSnapshot::Unavailable;
        update_item(
            &mut lines,
            id,
            Some(Quantity::parse(2).unwrap()),
            &down,
            now(),
        )
        .unwrap();
        assert_eq!(lines[0].quantity, 2);
        let raise = update_item(
            &mut lines,
            id,
            Some(Quantity::parse(3).unwrap()),
            &down,
            now(),
        );
        assert_eq!(raise, Err(Rejection::CatalogUnavailable));
        let answered = CatalogSnapshot::Answered(HashMap::from([(v.id.clone(), Some(v.clone()))]));
        update_item(
            &mut lines,
            id,
            Some(Quantity::parse(10).unwrap()),
            &answered,
            now(),
        )
        .unwrap();
        let over = update_item(
            &mut lines,
            id,
            Some(Quantity::parse(11).unwrap()),
            &answered,
            now(),
        );
        assert!(matches!(over, Err(Rejection::OutOfStock { .. })));
        update_item(&mut lines, id, None, &down, now()).unwrap();
        assert!(lines.is_empty());
    }

    #[test]
    fn an_unknown_line_is_not_found() {
        let mut lines = vec![];
        let id = ItemId::new();
        assert_eq!(
            remove_item(&mut lines, id),
            Err(Rejection::ItemNotFound(id))
        );
    }
}
