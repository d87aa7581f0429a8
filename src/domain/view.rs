//! The cart as the shopper sees it: lines joined with the catalog, totals,
//! warnings, and the checkout validation built on them.

use super::cart::{Cart, Line};
use super::catalog::{CatalogSnapshot, CatalogVariant, Known, no_longer_available};
use super::demand::Demand;
use super::ids::{ItemId, VariantId};
use super::money::{Currency, Money};

/// Whether a line can be bought now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// In stock, untracked, or backorder allowed.
    InStock,
    /// In stock with fewer units left than the low-stock threshold.
    LowStock,
    /// Fewer units available than the line asks for.
    OutOfStock,
    /// Gone from the catalog or inactive.
    Unavailable,
    /// The catalog did not answer.
    Unknown,
}

/// A line with what the catalog says about it now.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemView {
    /// The stored line.
    pub line: Line,
    /// The catalog's current data; `None` when gone or unknown.
    pub catalog: Option<CatalogVariant>,
    /// Whether it can be bought now.
    pub availability: Availability,
    /// Units the catalog has, when tracked and known.
    pub available_quantity: Option<i64>,
    /// Catalog price now, when known.
    pub current_price: Option<Money>,
    /// Whether the current price differs from the locked one.
    pub price_changed: bool,
    /// Locked unit price times quantity.
    pub subtotal: Money,
}

/// Cart totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Sum of quantities.
    pub item_count: u32,
    /// Number of lines.
    pub unique_items: u32,
    /// Sum of line subtotals.
    pub subtotal: Money,
    /// Tax (zero for now).
    pub tax: Money,
    /// Shipping (zero for now).
    pub shipping: Money,
    /// Discount (zero for now).
    pub discount: Money,
    /// subtotal + tax + shipping - discount.
    pub total: Money,
}

/// Kinds of warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// The catalog price differs from the locked price.
    PriceChanged,
    /// Not enough stock for the line.
    OutOfStock,
    /// Few units left.
    LowStock,
    /// Gone or inactive.
    Unavailable,
    /// The view comes from stored snapshots.
    CatalogUnavailable,
    /// Other carts hold as many units as are left.
    HighDemand,
}

/// Something the shopper should know.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// Kind.
    pub kind: WarningKind,
    /// Explanation.
    pub message: String,
    /// The line concerned, if any.
    pub item_id: Option<ItemId>,
}

/// A cart as returned by every RPC.
#[derive(Debug, Clone, PartialEq)]
pub struct CartView {
    /// The cart, or `None` when the shopper has none yet.
    pub cart: Option<Cart>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Lines, oldest first.
    pub items: Vec<ItemView>,
    /// Totals.
    pub summary: Summary,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// Knobs of the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewSettings {
    /// Below this many units left, a line gets a LOW_STOCK warning.
    pub low_stock_threshold: i64,
    /// Currency of a cart that does not exist yet.
    pub default_currency: Currency,
}

/// How `variant`'s stock stands against `line`, with the units shown (for
/// tracked stock), warning through `warn` when short or low.
fn stock_of(
    line: &Line,
    variant: &CatalogVariant,
    settings: &ViewSettings,
    warn: &mut impl FnMut(WarningKind, String),
) -> (Availability, Option<i64>) {
    let stock = variant.inventory;
    let available = stock.tracked.then_some(stock.available.max(0));
    let availability = if !stock.can_supply(line.quantity.get()) {
        warn(
            WarningKind::OutOfStock,
            format!(
                "only {} of {} left, {} in the cart",
                stock.available.max(0),
                variant.product_name,
                line.quantity
            ),
        );
        Availability::OutOfStock
    } else if stock
        .limit()
        .is_some_and(|n| n < settings.low_stock_threshold)
    {
        warn(
            WarningKind::LowStock,
            format!("only {} of {} left", stock.available, variant.product_name),
        );
        Availability::LowStock
    } else {
        Availability::InStock
    };
    (availability, available)
}

/// `line` joined with what the catalog knows of it, with the warnings the
/// shopper should see about it.
/// `others` is how many units carts other than this one hold (the demand
/// count; `None` where it does not apply, such as a list).
pub fn item_view(
    line: Line,
    known: Known<'_>,
    settings: &ViewSettings,
    others: Option<i64>,
) -> (ItemView, Vec<Warning>) {
    let subtotal = line.unit_price.times(line.quantity.get());
    let mut warnings = Vec::new();
    let mut warn = |kind, message: String| {
        warnings.push(Warning {
            kind,
            message,
            item_id: Some(line.id),
        })
    };
    let (catalog, availability, available_quantity) = match known {
        Known::Unknown => (None, Availability::Unknown, None),
        Known::Missing => {
            warn(
                WarningKind::Unavailable,
                no_longer_available(&line.product_name),
            );
            (None, Availability::Unavailable, None)
        }
        Known::Found(v) if !v.active => {
            warn(
                WarningKind::Unavailable,
                no_longer_available(&v.product_name),
            );
            (Some(v.clone()), Availability::Unavailable, None)
        }
        Known::Found(v) => {
            let (availability, available) = stock_of(&line, v, settings, &mut warn);
            if let (Some(left), Some(others)) = (v.inventory.limit(), others)
                && left > 0
                && others >= left
            {
                warn(
                    WarningKind::HighDemand,
                    format!(
                        "high demand: other shoppers' carts hold {others} of the {left} {} left",
                        v.product_name
                    ),
                );
            }
            (Some(v.clone()), availability, available)
        }
    };
    let current_price = catalog.as_ref().map(|v| v.price.clone());
    let price_changed = current_price
        .as_ref()
        .is_some_and(|p| *p != line.unit_price);
    if price_changed && let Some(price) = &current_price {
        warn(
            WarningKind::PriceChanged,
            format!(
                "the price of {} changed from {} to {}",
                line.product_name, line.unit_price, price
            ),
        );
    }
    (
        ItemView {
            line,
            catalog,
            availability,
            available_quantity,
            current_price,
            price_changed,
            subtotal,
        },
        warnings,
    )
}

/// Builds the view of `cart` with `lines` and what the catalog said.
pub fn build(
    cart: Option<Cart>,
    lines: Vec<Line>,
    catalog: &CatalogSnapshot,
    settings: &ViewSettings,
    demand: &Demand,
) -> CartView {
    let currency = cart
        .as_ref()
        .map_or_else(|| settings.default_currency.clone(), |c| c.currency.clone());
    let mut warnings = Vec::new();
    // Any line the catalog could not be asked about (it was down, or did not
    // answer a second lookup) is served from its stored snapshot.
    if lines
        .iter()
        .any(|l| matches!(catalog.get(&l.variant_id), Known::Unknown))
    {
        warnings.push(Warning {
            kind: WarningKind::CatalogUnavailable,
            message: "the catalog is unavailable: names, prices and stock are as when added"
                .to_owned(),
            item_id: None,
        });
    }
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        let known = catalog.get(&line.variant_id);
        let others = demand.held_by_others(&line.variant_id, line.quantity.get());
        let (item, item_warnings) = item_view(line, known, settings, Some(others));
        items.push(item);
        warnings.extend(item_warnings);
    }
    let zero = Money::zero(currency.clone());
    let subtotal = Money {
        amount: items.iter().map(|i| i.subtotal.amount).sum(),
        currency: currency.clone(),
    };
    let summary = Summary {
        item_count: items.iter().map(|i| i.line.quantity.get()).sum(),
        unique_items: u32::try_from(items.len()).unwrap_or(u32::MAX),
        total: subtotal.clone(),
        subtotal,
        tax: zero.clone(),
        shipping: zero.clone(),
        discount: zero,
    };
    CartView {
        cart,
        currency,
        items,
        summary,
        warnings,
    }
}

/// Kinds of validation issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// No lines.
    EmptyCart,
    /// Gone or inactive.
    ItemUnavailable,
    /// Not enough stock.
    InsufficientStock,
    /// The price changed since the line was added.
    PriceChanged,
    /// No e-mail address.
    EmailMissing,
    /// The catalog could not answer.
    CatalogUnavailable,
}

/// A reason the cart cannot go to checkout.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Kind.
    pub kind: IssueKind,
    /// Explanation.
    pub message: String,
    /// The line concerned.
    pub item_id: Option<ItemId>,
    /// The variant concerned.
    pub variant_id: Option<VariantId>,
    /// Units in the line, for stock issues.
    pub requested: Option<u32>,
    /// Units available, for stock issues.
    pub available: Option<i64>,
    /// Locked price, for price changes.
    pub old_price: Option<Money>,
    /// Catalog price, for price changes.
    pub new_price: Option<Money>,
}

impl Issue {
    fn new(kind: IssueKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            item_id: None,
            variant_id: None,
            requested: None,
            available: None,
            old_price: None,
            new_price: None,
        }
    }

    fn for_item(kind: IssueKind, message: String, item: &ItemView) -> Self {
        Self {
            item_id: Some(item.line.id),
            variant_id: Some(item.line.variant_id.clone()),
            ..Self::new(kind, message)
        }
    }
}

/// Every reason `view` cannot go to checkout; empty when it can.
pub fn validate(view: &CartView) -> Vec<Issue> {
    let mut issues = Vec::new();
    if view.items.is_empty() {
        issues.push(Issue::new(IssueKind::EmptyCart, "the cart is empty"));
    }
    if view
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::CatalogUnavailable)
    {
        issues.push(Issue::new(
            IssueKind::CatalogUnavailable,
            "the catalog is unavailable: the cart cannot be checked now",
        ));
    }
    for item in &view.items {
        let name = &item.line.product_name;
        match item.availability {
            Availability::Unavailable => issues.push(Issue::for_item(
                IssueKind::ItemUnavailable,
                no_longer_available(name),
                item,
            )),
            Availability::OutOfStock => issues.push(Issue {
                requested: Some(item.line.quantity.get()),
                available: item.available_quantity,
                ..Issue::for_item(
                    IssueKind::InsufficientStock,
                    format!(
                        "{} of {name} in the cart, {} available",
                        item.line.quantity,
                        item.available_quantity.unwrap_or(0)
                    ),
                    item,
                )
            }),
            Availability::InStock | Availability::LowStock | Availability::Unknown => {}
        }
        if item.price_changed {
            issues.push(Issue {
                old_price: Some(item.line.unit_price.clone()),
                new_price: item.current_price.clone(),
                ..Issue::for_item(
                    IssueKind::PriceChanged,
                    format!("the price of {name} changed"),
                    item,
                )
            });
        }
    }
    if view.cart.as_ref().is_none_or(|c| c.email.is_none()) {
        issues.push(Issue::new(
            IssueKind::EmailMissing,
            "an e-mail address is required",
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::{TimeZone, Utc};
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::ids::ProductId;
    use crate::domain::quantity::Quantity;
    use crate::domain::test_support::{self, usd};

    fn settings() -> ViewSettings {
        ViewSettings {
            low_stock_threshold: 5,
            default_currency: usd(),
        }
    }

    fn line(variant: &str, quantity: u32, price: Decimal) -> Line {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        Line {
            id: ItemId::new(),
            product_id: ProductId::parse("p").unwrap(),
            variant_id: VariantId::parse(variant).unwrap(),
            quantity: Quantity::new(quantity).unwrap(),
            unit_price: Money {
                amount: price,
                currency: usd(),
            },
            product_name: "P".into(),
            variant_name: "V".into(),
            sku: "SKU".into(),
            metadata: None,
            added_at: at,
            updated_at: at,
        }
    }

    fn catalog_of(
        variant: &str,
        price: Decimal,
        available: i64,
    ) -> (VariantId, Option<CatalogVariant>) {
        let v = test_support::variant(variant, price, available);
        (v.id.clone(), Some(v))
    }

    #[test]
    fn totals_are_exact_sums_of_locked_prices() {
        let lines = vec![
            line("a", 3, Decimal::new(1999, 2)),
            line("b", 7, Decimal::new(10, 2)),
        ];
        let catalog = CatalogSnapshot::Answered(HashMap::from([
            catalog_of("a", Decimal::new(2500, 2), 100),
            catalog_of("b", Decimal::new(10, 2), 100),
        ]));
        let view = build(None, lines, &catalog, &settings(), &Demand::default());
        assert_eq!(view.summary.subtotal.amount, Decimal::new(6067, 2));
        assert_eq!(view.summary.total.amount, Decimal::new(6067, 2));
        assert_eq!(view.summary.item_count, 10);
        assert!(view.items[0].price_changed);
        assert_eq!(
            view.warnings.iter().map(|w| w.kind).collect::<Vec<_>>(),
            [WarningKind::PriceChanged]
        );
    }

    #[test]
    fn validation_lists_every_problem() {
        let lines = vec![line("a", 3, Decimal::ONE), line("gone", 1, Decimal::ONE)];
        let catalog = CatalogSnapshot::Answered(HashMap::from([
            catalog_of("a", Decimal::ONE, 2),
            (VariantId::parse("gone").unwrap(), None),
        ]));
        let view = build(None, lines, &catalog, &settings(), &Demand::default());
        let kinds: Vec<_> = validate(&view).into_iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                IssueKind::InsufficientStock,
                IssueKind::ItemUnavailable,
                IssueKind::EmailMissing
            ]
        );
    }

    #[test]
    fn an_unanswered_catalog_is_a_warning_and_an_issue() {
        let view = build(
            None,
            vec![line("a", 1, Decimal::ONE)],
            &CatalogSnapshot::Unavailable,
            &settings(),
            &Demand::default(),
        );
        assert_eq!(view.items[0].availability, Availability::Unknown);
        assert!(
            view.warnings
                .iter()
                .any(|w| w.kind == WarningKind::CatalogUnavailable)
        );
        assert!(
            validate(&view)
                .iter()
                .any(|i| i.kind == IssueKind::CatalogUnavailable)
        );
    }

    #[test]
    fn a_line_the_catalog_was_not_asked_about_is_also_a_warning() {
        // Answered about "a" only: "b" is served from its stored snapshot.
        let catalog = CatalogSnapshot::Answered(HashMap::from([catalog_of("a", Decimal::ONE, 9)]));
        let lines = vec![line("a", 1, Decimal::ONE), line("b", 1, Decimal::ONE)];
        let view = build(None, lines, &catalog, &settings(), &Demand::default());
        assert_eq!(view.items[1].availability, Availability::Unknown);
        assert!(
            view.warnings
                .iter()
                .any(|w| w.kind == WarningKind::CatalogUnavailable)
        );
        // Fully answered: no such warning.
        let view = build(
            None,
            vec![line("a", 1, Decimal::ONE)],
            &catalog,
            &settings(),
            &Demand::default(),
        );
        assert!(view.warnings.is_empty(), "{:?}", view.warnings);
    }
}
