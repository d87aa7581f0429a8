//! Domain → wire: the cart view, its items, warnings, validation issues,
//! adjustments and events as `shop.cart.v1` messages.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::json::json_to_struct;
use crate::domain::adjustment::{Adjustment, AdjustmentKind};
use crate::domain::cart::{Cart, CartStatus};
use crate::domain::event::RecordedEvent;
use crate::domain::money::Money;
use crate::domain::view::{Availability, CartView, Issue, IssueKind, ItemView, WarningKind};
use crate::proto::shop::cart::v1 as pb;
use crate::proto::shop::common::v1 as common;
use crate::service::RecoveryKind;

fn adjustment_type(k: AdjustmentKind) -> pb::CartAdjustmentType {
    match k {
        AdjustmentKind::QuantityClamped => pb::CartAdjustmentType::QuantityClamped,
        AdjustmentKind::DroppedOutOfStock => pb::CartAdjustmentType::DroppedOutOfStock,
        AdjustmentKind::DroppedUnavailable => pb::CartAdjustmentType::DroppedUnavailable,
        AdjustmentKind::DroppedLineLimit => pb::CartAdjustmentType::DroppedLineLimit,
        AdjustmentKind::DroppedByStrategy => pb::CartAdjustmentType::DroppedByStrategy,
        AdjustmentKind::PriceUpdated => pb::CartAdjustmentType::PriceUpdated,
    }
}

/// An adjustment on the wire.
pub fn adjustment(a: &Adjustment) -> pb::CartAdjustment {
    pb::CartAdjustment {
        r#type: adjustment_type(a.kind).into(),
        message: a.message.clone(),
        item_id: a.item_id.map(|id| id.to_string()).unwrap_or_default(),
        variant_id: a.variant_id.to_string(),
        requested_quantity: i32::try_from(a.requested).unwrap_or(i32::MAX),
        quantity: i32::try_from(a.quantity).unwrap_or(i32::MAX),
        old_price: a.old_price.as_ref().map(money),
        new_price: a.new_price.as_ref().map(money),
    }
}

/// A stored event on the wire.
pub fn event(e: &RecordedEvent) -> pb::CartEvent {
    pb::CartEvent {
        sequence: e.seq,
        r#type: e.kind.clone(),
        data: match &e.data {
            Value::Object(map) => Some(json_to_struct(map)),
            _ => None,
        },
        create_time: Some(timestamp(e.created_at)),
    }
}

/// Money on the wire.
pub fn recovery_outcome(kind: RecoveryKind) -> pb::RecoveryOutcome {
    match kind {
        RecoveryKind::TakenOver => pb::RecoveryOutcome::TakenOver,
        RecoveryKind::Merged => pb::RecoveryOutcome::Merged,
        RecoveryKind::AlreadyRecovered => pb::RecoveryOutcome::AlreadyRecovered,
        RecoveryKind::HasOwnCart => pb::RecoveryOutcome::HasOwnCart,
        RecoveryKind::NoMatch => pb::RecoveryOutcome::NoMatch,
        RecoveryKind::Ambiguous => pb::RecoveryOutcome::Ambiguous,
    }
}

pub fn money(m: &Money) -> common::Money {
    let (units, nanos) = m.to_units_nanos();
    common::Money {
        currency_code: m.currency.to_string(),
        units,
        nanos,
    }
}

pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

pub fn status(s: CartStatus) -> pb::CartStatus {
    match s {
        CartStatus::Active => pb::CartStatus::Active,
        CartStatus::Merged => pb::CartStatus::Merged,
        CartStatus::Abandoned => pb::CartStatus::Abandoned,
        CartStatus::Completed => pb::CartStatus::Completed,
    }
}

fn availability(a: Availability) -> pb::Availability {
    match a {
        Availability::InStock => pb::Availability::InStock,
        Availability::LowStock => pb::Availability::LowStock,
        Availability::OutOfStock => pb::Availability::OutOfStock,
        Availability::Unavailable => pb::Availability::Unavailable,
        Availability::Unknown => pb::Availability::Unknown,
    }
}

fn warning_type(k: WarningKind) -> pb::CartWarningType {
    match k {
        WarningKind::PriceChanged => pb::CartWarningType::PriceChanged,
        WarningKind::OutOfStock => pb::CartWarningType::OutOfStock,
        WarningKind::LowStock => pb::CartWarningType::LowStock,
        WarningKind::Unavailable => pb::CartWarningType::Unavailable,
        WarningKind::CatalogUnavailable => pb::CartWarningType::CatalogUnavailable,
        WarningKind::HighDemand => pb::CartWarningType::HighDemand,
    }
}

fn issue_type(k: IssueKind) -> pb::ValidationIssueType {
    match k {
        IssueKind::EmptyCart => pb::ValidationIssueType::EmptyCart,
        IssueKind::ItemUnavailable => pb::ValidationIssueType::ItemUnavailable,
        IssueKind::InsufficientStock => pb::ValidationIssueType::InsufficientStock,
        IssueKind::PriceChanged => pb::ValidationIssueType::PriceChanged,
        IssueKind::EmailMissing => pb::ValidationIssueType::EmailMissing,
        IssueKind::CatalogUnavailable => pb::ValidationIssueType::CatalogUnavailable,
    }
}

pub fn item(i: &ItemView) -> pb::CartItem {
    let line = &i.line;
    // Display data from the catalog when it answered, else the snapshot.
    let (product, variant) = match &i.catalog {
        Some(c) => (
            pb::ProductInfo {
                name: c.product_name.clone(),
                slug: c.product_slug.clone(),
                images: c
                    .images
                    .iter()
                    .map(|img| pb::Image {
                        url: img.url.clone(),
                        alt_text: img.alt_text.clone(),
                    })
                    .collect(),
            },
            pb::VariantInfo {
                sku: c.sku.clone(),
                name: c.name.clone(),
                attributes: c.attributes.clone().into_iter().collect(),
            },
        ),
        None => (
            pb::ProductInfo {
                name: line.product_name.clone(),
                ..Default::default()
            },
            pb::VariantInfo {
                sku: line.sku.clone(),
                name: line.variant_name.clone(),
                ..Default::default()
            },
        ),
    };
    pb::CartItem {
        id: line.id.to_string(),
        product_id: line.product_id.to_string(),
        variant_id: line.variant_id.to_string(),
        quantity: line.quantity.column(),
        product: Some(product),
        variant: Some(variant),
        unit_price: Some(money(&line.unit_price)),
        current_price: i.current_price.as_ref().map(money),
        price_changed: i.price_changed,
        subtotal: Some(money(&i.subtotal)),
        availability: availability(i.availability).into(),
        available_quantity: i.available_quantity.unwrap_or_default(),
        metadata: line.metadata.as_ref().map(|m| json_to_struct(m.as_map())),
        add_time: Some(timestamp(line.added_at)),
        update_time: Some(timestamp(line.updated_at)),
    }
}

/// The cart view on the wire.
/// A view's totals on the wire.
pub fn summary(view: &CartView) -> pb::CartSummary {
    let s = &view.summary;
    pb::CartSummary {
        item_count: i32::try_from(s.item_count).unwrap_or(i32::MAX),
        unique_items: i32::try_from(s.unique_items).unwrap_or(i32::MAX),
        subtotal: Some(money(&s.subtotal)),
        tax: Some(money(&s.tax)),
        shipping: Some(money(&s.shipping)),
        discount: Some(money(&s.discount)),
        total: Some(money(&s.total)),
        currency_code: view.currency.to_string(),
    }
}

/// A view's warnings on the wire.
pub fn warnings(view: &CartView) -> Vec<pb::CartWarning> {
    view.warnings
        .iter()
        .map(|w| pb::CartWarning {
            r#type: warning_type(w.kind).into(),
            message: w.message.clone(),
            item_id: w.item_id.map(|id| id.to_string()).unwrap_or_default(),
        })
        .collect()
}

pub fn cart(view: &CartView) -> pb::Cart {
    let header = view.cart.as_ref();
    pb::Cart {
        id: header.map(|c| c.id.to_string()).unwrap_or_default(),
        session_id: header.map(|c| c.session_id.to_string()).unwrap_or_default(),
        customer_id: header
            .and_then(|c| c.customer_id.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default(),
        email: header
            .and_then(|c| c.email.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default(),
        currency_code: view.currency.to_string(),
        status: header
            .map_or(pb::CartStatus::Unspecified, |c: &Cart| status(c.status))
            .into(),
        version: header.map_or(0, |c| c.version),
        items: view.items.iter().map(item).collect(),
        summary: Some(summary(view)),
        warnings: warnings(view),
        create_time: header.map(|c| timestamp(c.created_at)),
        update_time: header.map(|c| timestamp(c.updated_at)),
        expire_time: header.map(|c| timestamp(c.expires_at)),
        order_id: header
            .and_then(|c| c.order_id.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default(),
        merged_into_cart_id: header
            .and_then(|c| c.merged_into)
            .map(|id| id.to_string())
            .unwrap_or_default(),
    }
}

/// A validation issue on the wire.
pub fn issue(i: &Issue) -> pb::ValidationIssue {
    pb::ValidationIssue {
        r#type: issue_type(i.kind).into(),
        message: i.message.clone(),
        item_id: i.item_id.map(|id| id.to_string()).unwrap_or_default(),
        variant_id: i
            .variant_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        requested_quantity: i
            .requested
            .map_or(0, |q| i32::try_from(q).unwrap_or(i32::MAX)),
        available_quantity: i.available.unwrap_or_default(),
        old_price: i.old_price.as_ref().map(money),
        new_price: i.new_price.as_ref().map(money),
    }
}
