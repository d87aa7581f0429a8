//! Adjustments: what a merge or a refresh did to a line on the shopper's
//! behalf (clamped, dropped, re-priced), so the shopper is told
//! instead of finding out at checkout.

use super::cart::Line;
use super::ids::{ItemId, VariantId};
use super::money::Money;

/// What happened to a line that a merge or refresh could not keep as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentKind {
    /// Quantity lowered to stock or to the line cap.
    QuantityClamped,
    /// Dropped for lack of stock.
    DroppedOutOfStock,
    /// Dropped: the variant is gone, inactive or priced in another currency.
    DroppedUnavailable,
    /// Dropped: the cart had its most lines.
    DroppedLineLimit,
    /// Dropped by the merge strategy.
    DroppedByStrategy,
    /// Locked price replaced by the catalog price.
    PriceUpdated,
}

impl AdjustmentKind {
    /// The name used in event data.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuantityClamped => "quantity_clamped",
            Self::DroppedOutOfStock => "dropped_out_of_stock",
            Self::DroppedUnavailable => "dropped_unavailable",
            Self::DroppedLineLimit => "dropped_line_limit",
            Self::DroppedByStrategy => "dropped_by_strategy",
            Self::PriceUpdated => "price_updated",
        }
    }
}

/// A line a merge or refresh changed or dropped, for the shopper to be told.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    /// What happened.
    pub kind: AdjustmentKind,
    /// The variant.
    pub variant_id: VariantId,
    /// The resulting line, unless dropped.
    pub item_id: Option<ItemId>,
    /// Quantity asked for.
    pub requested: u32,
    /// Quantity kept (0 when dropped).
    pub quantity: u32,
    /// Previous price, for price updates.
    pub old_price: Option<Money>,
    /// New price, for price updates.
    pub new_price: Option<Money>,
    /// Explanation.
    pub message: String,
}

impl Adjustment {
    /// `line` was dropped, all of it.
    pub fn dropped(kind: AdjustmentKind, line: &Line, message: String) -> Self {
        Self {
            kind,
            variant_id: line.variant_id.clone(),
            item_id: None,
            requested: line.quantity.get(),
            quantity: 0,
            old_price: None,
            new_price: None,
            message,
        }
    }

    /// Line `item_id` of `variant_id` (product `name`) holds `kept` units
    /// instead of the `requested` ones.
    pub fn clamped(
        variant_id: &VariantId,
        item_id: ItemId,
        requested: u32,
        kept: u32,
        name: &str,
    ) -> Self {
        Self {
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

    /// `line`'s locked price was replaced by `price`.
    pub fn repriced(line: &Line, price: &Money) -> Self {
        Self {
            kind: AdjustmentKind::PriceUpdated,
            variant_id: line.variant_id.clone(),
            item_id: Some(line.id),
            requested: line.quantity.get(),
            quantity: line.quantity.get(),
            old_price: Some(line.unit_price.clone()),
            new_price: Some(price.clone()),
            message: format!("the price of {} is now {}", line.product_name, price),
        }
    }
}
