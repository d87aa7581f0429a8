//! The cart RPCs on the transport side: which requests are writes (and so
//! take a request id), and the responses their results become.

use super::wire;
use super::write::{WriteResponse, cart_responses, write_requests};
use crate::domain::adjustment::{Adjustment, AdjustmentKind};
use crate::proto::shop::cart::v1 as pb;
use crate::service::{CartWritten, Merged};

write_requests!(pb::cart_service_server::CartServiceServer<super::CartApi> {
    pb::AddItemRequest => "AddItem" versioned,
    pb::UpdateItemRequest => "UpdateItem" versioned,
    pb::RemoveItemRequest => "RemoveItem" versioned,
    pb::ClearCartRequest => "ClearCart" versioned,
    pb::SetEmailRequest => "SetEmail" versioned,
    pb::MergeGuestCartRequest => "MergeGuestCart" versioned,
    pb::RefreshCartRequest => "RefreshCart" versioned,
    pb::AddItemsRequest => "AddItems" versioned,
    pb::UpdateItemsRequest => "UpdateItems" versioned,
    pb::ReorderRequest => "Reorder" versioned,
});

cart_responses!(
    pb::AddItemResponse,
    pb::UpdateItemResponse,
    pb::RemoveItemResponse,
    pb::ClearCartResponse,
    pb::SetEmailResponse,
    pb::AddItemsResponse,
    pb::UpdateItemsResponse,
);

/// The adjustments on the wire.
pub(super) fn adjustments(adjustments: &[Adjustment]) -> Vec<pb::CartAdjustment> {
    adjustments.iter().map(wire::adjustment).collect()
}

impl WriteResponse for pb::MergeGuestCartResponse {
    type From = Merged;
    fn build((result, merged): &Merged) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
            merged: *merged,
        }
    }
}

/// What a copy at today's prices tells the shopper: that prices are
/// today's, and how many changed `since`.
pub(super) fn price_notice(result: &CartWritten, since: &str) -> String {
    let repriced = result
        .adjustments
        .iter()
        .filter(|a| a.kind == AdjustmentKind::PriceUpdated)
        .count();
    match repriced {
        0 => format!("Prices are today's prices; none changed {since}."),
        n => format!("Prices are today's prices; {n} changed {since}."),
    }
}

impl WriteResponse for pb::ReorderResponse {
    type From = CartWritten;
    fn build(result: &CartWritten) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
            notice: price_notice(result, "since the order"),
        }
    }
}

impl WriteResponse for pb::RefreshCartResponse {
    type From = CartWritten;
    fn build(result: &CartWritten) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
        }
    }
}
