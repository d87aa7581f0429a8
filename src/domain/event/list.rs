//! A list's events, appended to its log (`list_events`) by every change of
//! the list. Field names are a contract, as for cart events
//! (`docs/events.md`); a note's text and a list's name never enter the log.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::domain::ids::{CartId, ListId, ListItemId, VariantId};
use crate::domain::list::ListKind;

/// An event to append to a list's log.
#[derive(Debug, Clone, PartialEq)]
pub enum ListEvent {
    /// The list was made (its first event).
    Created {
        /// What it is for.
        kind: ListKind,
    },
    /// Units of a variant were saved: a new item, or more of one.
    ItemSaved {
        /// The item.
        list_item_id: ListItemId,
        /// Its variant.
        variant_id: VariantId,
        /// Units this change added.
        added: u32,
        /// The item's quantity afterwards.
        quantity: u32,
        /// The item's price when saved.
        unit_price: Decimal,
        /// The cart the units came from (MoveItemToList), if any.
        from_cart_id: Option<CartId>,
    },
    /// An item's quantity or note was changed (UpdateListItem).
    ItemUpdated {
        /// The item.
        list_item_id: ListItemId,
        /// Its variant.
        variant_id: VariantId,
        /// Quantity before.
        from: u32,
        /// Quantity after.
        to: u32,
        /// Whether the note changed (its text stays out of the log).
        note_changed: bool,
    },
    /// An item left the list.
    ItemRemoved {
        /// The item.
        list_item_id: ListItemId,
        /// Its variant.
        variant_id: VariantId,
        /// The units it held.
        quantity: u32,
        /// The cart it went to (MoveListItemToCart), if any.
        to_cart_id: Option<CartId>,
    },
    /// On a customer's list: a guest's list was merged into it at sign-in.
    MergedFrom {
        /// The guest's list (deleted by the merge).
        from_list_id: ListId,
        /// Guest items that became new items.
        added: usize,
        /// Guest items summed onto an item of the same variant.
        combined: usize,
        /// Guest items that did not fit.
        dropped: usize,
    },
    /// On a guest's list: it was merged into the customer's, then deleted.
    MergedInto {
        /// The customer's list.
        into_list_id: ListId,
    },
    /// A back-in-stock alert on an item was set or cleared.
    AlertSet {
        /// The item.
        list_item_id: ListItemId,
        /// Set (true) or cleared.
        on: bool,
    },
    /// A back-in-stock e-mail about an item was put in the outbox.
    BackInStockQueued {
        /// The item.
        list_item_id: ListItemId,
        /// Its variant.
        variant_id: VariantId,
        /// The Message-ID's local part.
        message_id: uuid::Uuid,
    },
    /// The list was deleted, with its items.
    Deleted {
        /// How many items it held.
        items: usize,
    },
}

impl ListEvent {
    /// The stored type name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Created { .. } => "list_created",
            Self::ItemSaved { .. } => "list_item_saved",
            Self::ItemUpdated { .. } => "list_item_updated",
            Self::ItemRemoved { .. } => "list_item_removed",
            Self::MergedFrom { .. } | Self::MergedInto { .. } => "list_merged",
            Self::AlertSet { .. } => "back_in_stock_alert_set",
            Self::BackInStockQueued { .. } => "back_in_stock_email_queued",
            Self::Deleted { .. } => "list_deleted",
        }
    }

    /// The JSON object stored with the event.
    pub fn data(&self) -> Value {
        let id = |id: Option<CartId>| id.map(|id| id.to_string());
        match self {
            Self::Created { kind } => json!({ "kind": kind.as_str() }),
            Self::ItemSaved {
                list_item_id,
                variant_id,
                added,
                quantity,
                unit_price,
                from_cart_id,
            } => json!({
                "list_item_id": list_item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "added": added,
                "quantity": quantity,
                "unit_price": unit_price.to_string(),
                "from_cart_id": id(*from_cart_id),
            }),
            Self::ItemUpdated {
                list_item_id,
                variant_id,
                from,
                to,
                note_changed,
            } => json!({
                "list_item_id": list_item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "from": from,
                "to": to,
                "note_changed": note_changed,
            }),
            Self::ItemRemoved {
                list_item_id,
                variant_id,
                quantity,
                to_cart_id,
            } => json!({
                "list_item_id": list_item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "quantity": quantity,
                "to_cart_id": id(*to_cart_id),
            }),
            Self::MergedFrom {
                from_list_id,
                added,
                combined,
                dropped,
            } => json!({
                "role": "target",
                "from_list_id": from_list_id.to_string(),
                "added": added,
                "combined": combined,
                "dropped": dropped,
            }),
            Self::MergedInto { into_list_id } => json!({
                "role": "source",
                "into_list_id": into_list_id.to_string(),
            }),
            Self::AlertSet { list_item_id, on } => json!({
                "list_item_id": list_item_id.to_string(),
                "on": on,
            }),
            Self::BackInStockQueued {
                list_item_id,
                variant_id,
                message_id,
            } => json!({
                "list_item_id": list_item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "message_id": message_id.to_string(),
            }),
            Self::Deleted { items } => json!({ "items": items }),
        }
    }
}
