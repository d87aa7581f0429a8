//! The rules of changing a cart: what AddItem, UpdateItem, RemoveItem,
//! ClearCart and SetEmail may do to the loaded lines, given what the catalog
//! says. Each rule changes the lines in memory (so the response needs no
//! re-read) and returns the [`Change`] storage must write.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::cart::{
    Adjustment, AdjustmentKind, Cart, CartStatus, Change, Event, EventKind, Line, LineChange,
};
use super::catalog::{CatalogSnapshot, CatalogVariant, Known};
use super::email::Email;
use super::ids::{CartId, ItemId, OrderId, ProductId, VariantId};
use super::metadata::Metadata;
use super::money::Currency;
use super::quantity::{MAX_LINE_QUANTITY, Quantity};

/// Limits a cart is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most distinct lines in one cart.
    pub max_lines: usize,
}

/// Why a rule refused a change. Nothing is written when a rule refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The catalog does not know the variant.
    VariantNotFound(VariantId),
    /// The variant exists but belongs to another product.
    VariantNotOfProduct {
        /// The variant asked for.
        variant_id: VariantId,
        /// The product asked for.
        product_id: ProductId,
    },
    /// No such line in the shopper's cart.
    ItemNotFound(ItemId),
    /// The variant can no longer be bought.
    VariantInactive(VariantId),
    /// Not enough stock for the line's new quantity.
    OutOfStock {
        /// The variant.
        variant_id: VariantId,
        /// The line quantity that was asked for.
        requested: u32,
        /// Units available.
        available: i64,
    },
    /// The line would hold more than 100 units.
    LineQuantityLimit {
        /// The variant.
        variant_id: VariantId,
        /// The line quantity that was asked for.
        requested: u32,
    },
    /// The cart already has the most lines it may have.
    CartLineLimit {
        /// The limit.
        max_lines: usize,
    },
    /// The variant is priced in another currency than the cart.
    CurrencyMismatch {
        /// The cart's currency.
        cart: Currency,
        /// The variant's price currency.
        price: Currency,
    },
    /// The change needs current catalog data and the catalog did not answer.
    CatalogUnavailable,
    /// No cart with that id.
    CartNotFound(CartId),
    /// The cart was completed by another order.
    CartAlreadyCompleted(CartId),
    /// The cart is merged or abandoned.
    CartNotActive {
        /// The cart.
        cart_id: CartId,
        /// Its status.
        status: CartStatus,
    },
    /// The cart has expired.
    CartExpired(CartId),
    /// The cart has no lines.
    CartEmpty(CartId),
    /// The caller's `expected_version` is not the cart's.
    VersionMismatch {
        /// What the caller expected.
        expected: i64,
        /// The cart's version (0: no cart).
        current: i64,
    },
    /// The request id was used before for another request.
    RequestIdReused,
    /// A call with the same request id is still running; retry shortly and
    /// get its response.
    RequestInProgress,
}

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

fn active_variant<'a>(known: Known<'a>, id: &VariantId) -> Result<&'a CatalogVariant, Rejection> {
    match known {
        Known::Found(v) if v.active => Ok(v),
        Known::Found(_) => Err(Rejection::VariantInactive(id.clone())),
        Known::Missing => Err(Rejection::VariantNotFound(id.clone())),
        Known::Unknown => Err(Rejection::CatalogUnavailable),
    }
}

fn check_stock(variant: &CatalogVariant, total: u32) -> Result<(), Rejection> {
    if total > MAX_LINE_QUANTITY {
        return Err(Rejection::LineQuantityLimit {
            variant_id: variant.id.clone(),
            requested: total,
        });
    }
    if !variant.inventory.can_supply(total) {
        return Err(Rejection::OutOfStock {
            variant_id: variant.id.clone(),
            requested: total,
            available: variant.inventory.available.max(0),
        });
    }
    Ok(())
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
    let variant = match known {
        Known::Found(v) if v.product_id != add.product_id => {
            return Err(Rejection::VariantNotOfProduct {
                variant_id: add.variant_id,
                product_id: add.product_id,
            });
        }
        other => active_variant(other, &add.variant_id)?,
    };
    if variant.price.currency != cart.currency {
        return Err(Rejection::CurrencyMismatch {
            cart: cart.currency.clone(),
            price: variant.price.currency.clone(),
        });
    }
    let quantity = add.quantity.get();
    let event_data = |line: &Line| {
        json!({
            "item_id": line.id.to_string(),
            "variant_id": line.variant_id.as_str(),
            "added": quantity,
            "quantity": line.quantity,
            "unit_price": line.unit_price.amount.to_string(),
        })
    };

    if let Some(line) = lines.iter_mut().find(|l| l.variant_id == add.variant_id) {
        let total = line.quantity + quantity;
        check_stock(variant, total)?;
        line.quantity = total;
        line.updated_at = now;
        if add.metadata.is_some() {
            line.metadata.clone_from(&add.metadata);
        }
        let data = event_data(line);
        return Ok(Change {
            adjustments: Vec::new(),
            lines: vec![LineChange::Incremented {
                id: line.id,
                by: quantity,
                metadata: add.metadata,
            }],
            events: vec![Event {
                kind: EventKind::ItemAdded,
                data,
            }],
        });
    }

    if lines.len() >= limits.max_lines {
        return Err(Rejection::CartLineLimit {
            max_lines: limits.max_lines,
        });
    }
    check_stock(variant, quantity)?;
    let line = Line {
        id: ItemId::new(),
        product_id: add.product_id,
        variant_id: add.variant_id,
        quantity,
        unit_price: variant.price.clone(),
        product_name: variant.product_name.clone(),
        variant_name: variant.name.clone(),
        sku: variant.sku.clone(),
        metadata: add.metadata,
        added_at: now,
        updated_at: now,
    };
    let data = event_data(&line);
    lines.push(line.clone());
    Ok(Change {
        adjustments: Vec::new(),
        lines: vec![LineChange::Added(line)],
        events: vec![Event {
            kind: EventKind::ItemAdded,
            data,
        }],
    })
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
    let new = quantity.get();
    if new > line.quantity {
        let variant = active_variant(catalog.get(&line.variant_id), &line.variant_id)?;
        check_stock(variant, new)?;
    }
    let data = json!({
        "item_id": line.id.to_string(),
        "variant_id": line.variant_id.as_str(),
        "from": line.quantity,
        "to": new,
    });
    line.quantity = new;
    line.updated_at = now;
    Ok(Change {
        adjustments: Vec::new(),
        lines: vec![LineChange::QuantitySet {
            id: item_id,
            quantity: new,
        }],
        events: vec![Event {
            kind: EventKind::ItemUpdated,
            data,
        }],
    })
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
    Ok(Change {
        adjustments: Vec::new(),
        lines: vec![LineChange::Removed(item_id)],
        events: vec![Event {
            kind: EventKind::ItemRemoved,
            data: json!({
                "item_id": item_id.to_string(),
                "variant_id": line.variant_id.as_str(),
                "quantity": line.quantity,
            }),
        }],
    })
}

/// Removes every line.
pub fn clear(lines: &mut Vec<Line>) -> Change {
    let removed = lines.len();
    lines.clear();
    Change {
        adjustments: Vec::new(),
        lines: vec![LineChange::Cleared],
        events: vec![Event {
            kind: EventKind::Cleared,
            data: json!({ "lines_removed": removed }),
        }],
    }
}

/// Sets the checkout e-mail address.
pub fn set_email(cart: &mut Cart, email: Email) -> Change {
    let had_email = cart.email.is_some();
    cart.email = Some(email);
    Change {
        adjustments: Vec::new(),
        lines: Vec::new(),
        events: vec![Event {
            kind: EventKind::EmailSet,
            // The address itself stays out of the analytics log.
            data: json!({ "replaced": had_email }),
        }],
    }
}

/// How a guest cart is combined with the customer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeStrategy {
    /// Sum the lines, clamped to stock and limits.
    Merge,
    /// Keep the customer's lines, drop the guest's.
    KeepCustomer,
    /// Replace the customer's lines with the guest's.
    KeepGuest,
}

impl MergeStrategy {
    /// The name used in event data.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merge => "merge",
            Self::KeepCustomer => "keep_customer",
            Self::KeepGuest => "keep_guest",
        }
    }
}

fn dropped(kind: AdjustmentKind, line: &Line, message: String) -> Adjustment {
    Adjustment {
        kind,
        variant_id: line.variant_id.clone(),
        item_id: None,
        requested: line.quantity,
        quantity: 0,
        old_price: None,
        new_price: None,
        message,
    }
}

fn clamped(
    variant_id: &VariantId,
    item_id: ItemId,
    requested: u32,
    kept: u32,
    name: &str,
) -> Adjustment {
    Adjustment {
        kind: AdjustmentKind::QuantityClamped,
        variant_id: variant_id.clone(),
        item_id: Some(item_id),
        requested,
        quantity: kept,
        old_price: None,
        new_price: None,
        message: format!("{name} limited to {kept}"),
    }
}

/// The most units of `variant` one line may hold now.
fn line_cap(variant: &CatalogVariant) -> u32 {
    variant.inventory.limit().map_or(MAX_LINE_QUANTITY, |n| {
        u32::try_from(n).unwrap_or(u32::MAX).min(MAX_LINE_QUANTITY)
    })
}

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
                change.adjustments.push(dropped(
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
                change.adjustments.push(dropped(
                    AdjustmentKind::DroppedByStrategy,
                    &l,
                    format!("{} was replaced by the guest cart", l.product_name),
                ));
            }
        }
        MergeStrategy::Merge => {}
    }
    for g in guest {
        let variant = match catalog.get(&g.variant_id) {
            Known::Found(v) if v.active && v.price.currency == cart.currency => v,
            Known::Found(_) | Known::Missing => {
                change.adjustments.push(dropped(
                    AdjustmentKind::DroppedUnavailable,
                    g,
                    format!("{} is no longer available", g.product_name),
                ));
                continue;
            }
            Known::Unknown => return Err(Rejection::CatalogUnavailable),
        };
        let cap = line_cap(variant);
        if let Some(line) = lines.iter_mut().find(|l| l.variant_id == g.variant_id) {
            let total = line.quantity + g.quantity;
            let kept = total.min(cap).max(line.quantity);
            if kept < total {
                change.adjustments.push(clamped(
                    &g.variant_id,
                    line.id,
                    total,
                    kept,
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
            continue;
        }
        if lines.len() >= limits.max_lines {
            change.adjustments.push(dropped(
                AdjustmentKind::DroppedLineLimit,
                g,
                format!("{} did not fit: the cart is full", g.product_name),
            ));
            continue;
        }
        let kept = g.quantity.min(cap);
        if kept == 0 {
            change.adjustments.push(dropped(
                AdjustmentKind::DroppedOutOfStock,
                g,
                format!("{} is out of stock", g.product_name),
            ));
            continue;
        }
        let line = Line {
            id: ItemId::new(),
            quantity: kept,
            added_at: now,
            updated_at: now,
            ..g.clone()
        };
        if kept < g.quantity {
            change.adjustments.push(clamped(
                &g.variant_id,
                line.id,
                g.quantity,
                kept,
                &g.product_name,
            ));
        }
        lines.push(line.clone());
        change.lines.push(LineChange::Added(line));
    }
    Ok(change)
}

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
    for mut line in lines.drain(..) {
        let variant = match catalog.get(&line.variant_id) {
            Known::Found(v) if v.active && v.price.currency == cart.currency => v,
            Known::Found(_) | Known::Missing => {
                change.lines.push(LineChange::Removed(line.id));
                change.adjustments.push(dropped(
                    AdjustmentKind::DroppedUnavailable,
                    &line,
                    format!("{} is no longer available", line.product_name),
                ));
                continue;
            }
            // Added by another call after the catalog was asked: left as is.
            Known::Unknown => {
                kept.push(line);
                continue;
            }
        };
        if variant.price != line.unit_price {
            change.adjustments.push(Adjustment {
                kind: AdjustmentKind::PriceUpdated,
                variant_id: line.variant_id.clone(),
                item_id: Some(line.id),
                requested: line.quantity,
                quantity: line.quantity,
                old_price: Some(line.unit_price.clone()),
                new_price: Some(variant.price.clone()),
                message: format!(
                    "the price of {} is now {}",
                    line.product_name, variant.price
                ),
            });
            line.unit_price = variant.price.clone();
            line.updated_at = now;
            change.lines.push(LineChange::Repriced {
                id: line.id,
                unit_price: variant.price.clone(),
            });
        }
        let cap = line_cap(variant);
        if line.quantity > cap {
            if cap == 0 {
                change.lines.push(LineChange::Removed(line.id));
                change.adjustments.push(dropped(
                    AdjustmentKind::DroppedOutOfStock,
                    &line,
                    format!("{} is out of stock", line.product_name),
                ));
                continue;
            }
            change.adjustments.push(clamped(
                &line.variant_id,
                line.id,
                line.quantity,
                cap,
                &line.product_name,
            ));
            line.quantity = cap;
            line.updated_at = now;
            change.lines.push(LineChange::QuantitySet {
                id: line.id,
                quantity: cap,
            });
        }
        kept.push(line);
    }
    *lines = kept;
    if !change.adjustments.is_empty() {
        change.events.push(Event {
            kind: EventKind::Refreshed,
            data: json!({
                "adjustments": change.adjustments.iter().map(Adjustment::to_json).collect::<Vec<_>>(),
            }),
        });
    }
    Ok(change)
}

/// Completes the cart by `order_id`. `None` when it already was, by the same
/// order: nothing to write.
///
/// # Errors
/// A [`Rejection`] when completed by another order, not active, expired or
/// empty.
pub fn complete(
    cart: &mut Cart,
    order_id: OrderId,
    line_count: usize,
    now: DateTime<Utc>,
) -> Result<Option<Change>, Rejection> {
    match cart.status {
        CartStatus::Completed if cart.order_id.as_ref() == Some(&order_id) => Ok(None),
        CartStatus::Completed => Err(Rejection::CartAlreadyCompleted(cart.id)),
        CartStatus::Merged | CartStatus::Abandoned => Err(Rejection::CartNotActive {
            cart_id: cart.id,
            status: cart.status,
        }),
        CartStatus::Active if cart.is_expired(now) => Err(Rejection::CartExpired(cart.id)),
        CartStatus::Active if line_count == 0 => Err(Rejection::CartEmpty(cart.id)),
        CartStatus::Active => {
            cart.status = CartStatus::Completed;
            let data = json!({ "order_id": order_id.as_str() });
            cart.order_id = Some(order_id);
            Ok(Some(Change {
                events: vec![Event {
                    kind: EventKind::Completed,
                    data,
                }],
                ..Change::default()
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::{Duration, TimeZone};
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::cart::Shopper;
    use crate::domain::ids::SessionId;
    use crate::domain::test_support::{self, usd};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn cart() -> Cart {
        let shopper = Shopper {
            session_id: SessionId::parse("s").unwrap(),
            customer_id: None,
        };
        Cart::new(&shopper, usd(), now(), Duration::days(30))
    }

    fn variant(id: &str, available: i64) -> CatalogVariant {
        test_support::variant(id, Decimal::new(1000, 2), available)
    }

    fn add(id: &str, quantity: i64) -> AddItem {
        AddItem {
            product_id: ProductId::parse("p").unwrap(),
            variant_id: VariantId::parse(id).unwrap(),
            quantity: Quantity::parse(quantity).unwrap(),
            metadata: None,
        }
    }

    const LIMITS: Limits = Limits { max_lines: 2 };

    /// Adds `quantity` of `v` to a fresh cart's `lines`.
    fn add_to(
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
            [LineChange::Incremented { by: 2, .. }]
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

    #[test]
    fn completion_follows_the_cart_status() {
        let order = OrderId::parse("o1").unwrap();
        let mut c = cart();
        assert_eq!(
            complete(&mut c, order.clone(), 0, now()),
            Err(Rejection::CartEmpty(c.id))
        );
        assert!(complete(&mut c, order.clone(), 1, now()).unwrap().is_some());
        assert_eq!(c.status, CartStatus::Completed);
        assert_eq!(complete(&mut c, order, 1, now()), Ok(None));
        let other = OrderId::parse("o2").unwrap();
        assert_eq!(
            complete(&mut c, other.clone(), 1, now()),
            Err(Rejection::CartAlreadyCompleted(c.id))
        );
        let mut late = cart();
        assert_eq!(
            complete(&mut late, other, 1, now() + Duration::days(31)),
            Err(Rejection::CartExpired(late.id))
        );
    }
}
