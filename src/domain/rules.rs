//! The rules of changing a cart: what AddItem, UpdateItem, RemoveItem,
//! ClearCart and SetEmail may do to the loaded lines, given what the catalog
//! says. Each rule changes the lines in memory (so the response needs no
//! re-read) and returns the [`Change`] storage must write.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::cart::{Cart, Change, Event, EventKind, Line, LineChange};
use super::catalog::{CatalogSnapshot, CatalogVariant, Known};
use super::email::Email;
use super::ids::{ItemId, ProductId, VariantId};
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
        lines: Vec::new(),
        events: vec![Event {
            kind: EventKind::EmailSet,
            // The address itself stays out of the analytics log.
            data: json!({ "replaced": had_email }),
        }],
    }
}
