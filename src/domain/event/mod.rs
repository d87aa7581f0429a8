//! The event logs: the one definition of every event and of the data it
//! records. A cart's events ([`Event`], here) go to its log (`cart_events`,
//! read back by `ListCartEvents`); a list's ([`ListEvent`], in [`list`]) to
//! its own (`list_events`). A move between cart and list writes one event
//! in each log.
//!
//! One file for the cart's events because the enum, its names and its data
//! are one table read against `docs/events.md`.
//!
//! Every change appends events to its log. [`Event::data`] is the JSON object stored with an event;
//! its fields, per event type, are documented for analytics consumers in
//! `docs/events.md`. Field names are a contract: add fields, never rename or
//! repurpose one. No event holds contact data: the e-mail address never
//! enters the log (session and customer ids are the BFF's pseudonymous
//! identifiers).

pub mod list;

pub use list::ListEvent;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::domain::adjustment::Adjustment;
use crate::domain::cart::MergeStrategy;
use crate::domain::ids::{
    CartId, CustomerId, ItemId, ListId, ListItemId, OrderId, SessionId, ShareId, VariantId,
};
use crate::domain::money::Currency;

/// An event to append to a cart's log.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The cart was created (its first event).
    Created {
        /// The session that created it.
        session_id: SessionId,
        /// The customer, for a customer's cart.
        customer_id: Option<CustomerId>,
        /// The cart's currency.
        currency: Currency,
    },
    /// Units of a variant were added: a new line, or more of an existing one.
    ItemAdded {
        /// The line.
        item_id: ItemId,
        /// Its variant.
        variant_id: VariantId,
        /// Units this change added.
        added: u32,
        /// The line's quantity afterwards.
        quantity: u32,
        /// The line's locked unit price.
        unit_price: Decimal,
    },
    /// A line's quantity was set.
    ItemUpdated {
        /// The line.
        item_id: ItemId,
        /// Its variant.
        variant_id: VariantId,
        /// Quantity before.
        from: u32,
        /// Quantity after.
        to: u32,
    },
    /// A line was removed.
    ItemRemoved {
        /// The line.
        item_id: ItemId,
        /// Its variant.
        variant_id: VariantId,
        /// The quantity it held.
        quantity: u32,
    },
    /// Every line was removed.
    Cleared {
        /// How many lines there were.
        lines_removed: usize,
    },
    /// The checkout e-mail address was set (the address stays out of the log).
    EmailSet {
        /// Whether an earlier address was replaced.
        replaced: bool,
    },
    /// The cart passed its expiry and was set aside.
    Abandoned {
        /// When it expired.
        expires_at: DateTime<Utc>,
    },
    /// A guest cart became a customer's.
    CustomerLinked {
        /// The customer.
        customer_id: CustomerId,
    },
    /// On a guest cart: it was merged into a customer's cart.
    MergedInto {
        /// The customer's cart.
        into_cart_id: CartId,
        /// How.
        strategy: MergeStrategy,
    },
    /// On a customer's cart: a guest cart was merged into it.
    MergedFrom {
        /// The guest cart.
        from_cart_id: CartId,
        /// How.
        strategy: MergeStrategy,
        /// Guest lines clamped or dropped on the way.
        adjustments: Vec<Adjustment>,
    },
    /// Prices, quantities or lines were brought in line with the catalog.
    Refreshed {
        /// What changed.
        adjustments: Vec<Adjustment>,
    },
    /// The cart became an order.
    Completed {
        /// The order.
        order_id: OrderId,
    },
    /// A recovery e-mail about the cart was put in the outbox.
    RecoveryEmailQueued {
        /// Its Message-ID's local part.
        message_id: uuid::Uuid,
    },
    /// The relay accepted a recovery e-mail.
    RecoveryEmailSent {
        /// Its Message-ID's local part.
        message_id: uuid::Uuid,
        /// Attempts it took.
        attempts: u32,
    },
    /// A recovery e-mail was given up.
    RecoveryEmailFailed {
        /// Its Message-ID's local part.
        message_id: uuid::Uuid,
        /// Attempts made.
        attempts: u32,
    },
    /// The lines of a completed cart were copied in (Reorder).
    Reordered {
        /// The completed cart.
        from_cart_id: CartId,
        /// Lines clamped, dropped or repriced on the way.
        adjustments: Vec<Adjustment>,
    },
    /// A line left the cart for a list (MoveItemToList).
    ItemMovedToList {
        /// The line, gone from the cart.
        item_id: ItemId,
        /// Its variant.
        variant_id: VariantId,
        /// The units it held.
        quantity: u32,
        /// The list it went to.
        list_id: ListId,
        /// The list item that holds it now.
        list_item_id: ListItemId,
    },
    /// A list item came into the cart (MoveListItemToCart).
    ItemMovedFromList {
        /// The list it left.
        list_id: ListId,
        /// The list item, gone from the list.
        list_item_id: ListItemId,
        /// The line that holds it now.
        item_id: ItemId,
        /// Its variant.
        variant_id: VariantId,
        /// Units this move added to the line.
        added: u32,
        /// The line's quantity afterwards.
        quantity: u32,
        /// The line's unit price (today's).
        unit_price: Decimal,
        /// Units clamped or repriced on the way.
        adjustments: Vec<Adjustment>,
    },
    /// A share link of the cart was made (the cart itself is unchanged).
    ShareCreated {
        /// The share.
        share_id: ShareId,
        /// When its link stops working; `None`: never.
        expires_at: Option<DateTime<Utc>>,
    },
    /// A share link of the cart was revoked.
    ShareRevoked {
        /// The share.
        share_id: ShareId,
    },
    /// Another shopper's shared cart was copied in (CopySharedCart).
    SharedCartCopied {
        /// The share used.
        share_id: ShareId,
        /// The shared cart.
        from_cart_id: CartId,
        /// Lines clamped, dropped or repriced on the way.
        adjustments: Vec<Adjustment>,
    },
    /// The cart was recovered by a shopper's new session.
    Recovered {
        /// The session the cart had.
        from_session_id: SessionId,
        /// The session that recovered it.
        to_session_id: SessionId,
        /// How it was found: a recovery link or the device.
        via: RecoveredVia,
        /// Where its lines went: the cart it was merged into, or `None` when
        /// the new session took the cart itself.
        into_cart_id: Option<CartId>,
    },
}

/// How a recovered cart was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveredVia {
    /// A signed recovery link.
    Token,
    /// The device's signals.
    Device,
}

impl RecoveredVia {
    /// The recorded name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Device => "device",
        }
    }
}

/// Event types, as stored in `cart_events.event_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// [`Event::Created`].
    Created,
    /// [`Event::ItemAdded`].
    ItemAdded,
    /// [`Event::ItemUpdated`].
    ItemUpdated,
    /// [`Event::ItemRemoved`].
    ItemRemoved,
    /// [`Event::Cleared`].
    Cleared,
    /// [`Event::EmailSet`].
    EmailSet,
    /// [`Event::Abandoned`].
    Abandoned,
    /// [`Event::CustomerLinked`].
    CustomerLinked,
    /// [`Event::MergedInto`] and [`Event::MergedFrom`] (told apart by `role`).
    Merged,
    /// [`Event::Refreshed`].
    Refreshed,
    /// [`Event::Completed`].
    Completed,
    /// [`Event::RecoveryEmailQueued`].
    RecoveryEmailQueued,
    /// [`Event::RecoveryEmailSent`].
    RecoveryEmailSent,
    /// [`Event::RecoveryEmailFailed`].
    RecoveryEmailFailed,
    /// [`Event::Recovered`].
    Recovered,
    /// [`Event::Reordered`].
    Reordered,
    /// [`Event::ItemMovedToList`].
    ItemMovedToList,
    /// [`Event::ItemMovedFromList`].
    ItemMovedFromList,
    /// [`Event::ShareCreated`].
    ShareCreated,
    /// [`Event::ShareRevoked`].
    ShareRevoked,
    /// [`Event::SharedCartCopied`].
    SharedCartCopied,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::ItemAdded => "item_added",
            Self::ItemUpdated => "item_updated",
            Self::ItemRemoved => "item_removed",
            Self::Cleared => "cleared",
            Self::EmailSet => "email_set",
            Self::Abandoned => "abandoned",
            Self::CustomerLinked => "customer_linked",
            Self::Merged => "merged",
            Self::Refreshed => "refreshed",
            Self::Completed => "completed",
            Self::RecoveryEmailQueued => "recovery_email_queued",
            Self::RecoveryEmailSent => "recovery_email_sent",
            Self::RecoveryEmailFailed => "recovery_email_failed",
            Self::Recovered => "recovered",
            Self::Reordered => "reordered",
            Self::ItemMovedToList => "item_moved_to_list",
            Self::ItemMovedFromList => "item_moved_from_list",
            Self::ShareCreated => "share_created",
            Self::ShareRevoked => "share_revoked",
            Self::SharedCartCopied => "shared_cart_copied",
        }
    }
}

impl Event {
    /// The event's type.
    pub fn kind(&self) -> EventKind {
        match self {
            Self::Created { .. } => EventKind::Created,
            Self::ItemAdded { .. } => EventKind::ItemAdded,
            Self::ItemUpdated { .. } => EventKind::ItemUpdated,
            Self::ItemRemoved { .. } => EventKind::ItemRemoved,
            Self::Cleared { .. } => EventKind::Cleared,
            Self::EmailSet { .. } => EventKind::EmailSet,
            Self::Abandoned { .. } => EventKind::Abandoned,
            Self::CustomerLinked { .. } => EventKind::CustomerLinked,
            Self::MergedInto { .. } | Self::MergedFrom { .. } => EventKind::Merged,
            Self::Refreshed { .. } => EventKind::Refreshed,
            Self::Completed { .. } => EventKind::Completed,
            Self::RecoveryEmailQueued { .. } => EventKind::RecoveryEmailQueued,
            Self::RecoveryEmailSent { .. } => EventKind::RecoveryEmailSent,
            Self::RecoveryEmailFailed { .. } => EventKind::RecoveryEmailFailed,
            Self::Recovered { .. } => EventKind::Recovered,
            Self::Reordered { .. } => EventKind::Reordered,
            Self::ItemMovedToList { .. } => EventKind::ItemMovedToList,
            Self::ItemMovedFromList { .. } => EventKind::ItemMovedFromList,
            Self::ShareCreated { .. } => EventKind::ShareCreated,
            Self::ShareRevoked { .. } => EventKind::ShareRevoked,
            Self::SharedCartCopied { .. } => EventKind::SharedCartCopied,
        }
    }

    /// The JSON object stored with the event (see `docs/events.md`).
    pub fn data(&self) -> Value {
        match self {
            Self::Created {
                session_id,
                customer_id,
                currency,
            } => json!({
                "session_id": session_id.as_str(),
                "customer_id": customer_id.as_ref().map(CustomerId::as_str),
                "currency": currency.as_str(),
            }),
            Self::ItemAdded {
                item_id,
                variant_id,
                added,
                quantity,
                unit_price,
            } => json!({
                "item_id": item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "added": added,
                "quantity": quantity,
                "unit_price": unit_price.to_string(),
            }),
            Self::ItemUpdated {
                item_id,
                variant_id,
                from,
                to,
            } => json!({
                "item_id": item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "from": from,
                "to": to,
            }),
            Self::ItemRemoved {
                item_id,
                variant_id,
                quantity,
            } => json!({
                "item_id": item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "quantity": quantity,
            }),
            Self::Cleared { lines_removed } => json!({ "lines_removed": lines_removed }),
            Self::EmailSet { replaced } => json!({ "replaced": replaced }),
            Self::Abandoned { expires_at } => {
                json!({ "reason": "expired", "expires_at": expires_at.to_rfc3339() })
            }
            Self::CustomerLinked { customer_id } => json!({ "customer_id": customer_id.as_str() }),
            Self::MergedInto {
                into_cart_id,
                strategy,
            } => json!({
                "role": "source",
                "into_cart_id": into_cart_id.to_string(),
                "strategy": strategy.as_str(),
            }),
            Self::MergedFrom {
                from_cart_id,
                strategy,
                adjustments,
            } => json!({
                "role": "target",
                "from_cart_id": from_cart_id.to_string(),
                "strategy": strategy.as_str(),
                "adjustments": adjustments_data(adjustments),
            }),
            Self::Refreshed { adjustments } => {
                json!({ "adjustments": adjustments_data(adjustments) })
            }
            Self::Completed { order_id } => json!({ "order_id": order_id.as_str() }),
            Self::RecoveryEmailQueued { message_id } => {
                json!({ "message_id": message_id.to_string() })
            }
            Self::RecoveryEmailSent {
                message_id,
                attempts,
            }
            | Self::RecoveryEmailFailed {
                message_id,
                attempts,
            } => json!({ "message_id": message_id.to_string(), "attempts": attempts }),
            Self::Reordered {
                from_cart_id,
                adjustments,
            } => json!({
                "from_cart_id": from_cart_id.to_string(),
                "adjustments": adjustments_data(adjustments),
            }),
            Self::ItemMovedToList {
                item_id,
                variant_id,
                quantity,
                list_id,
                list_item_id,
            } => json!({
                "item_id": item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "quantity": quantity,
                "list_id": list_id.to_string(),
                "list_item_id": list_item_id.to_string(),
            }),
            Self::ItemMovedFromList {
                list_id,
                list_item_id,
                item_id,
                variant_id,
                added,
                quantity,
                unit_price,
                adjustments,
            } => json!({
                "list_id": list_id.to_string(),
                "list_item_id": list_item_id.to_string(),
                "item_id": item_id.to_string(),
                "variant_id": variant_id.as_str(),
                "added": added,
                "quantity": quantity,
                "unit_price": unit_price.to_string(),
                "adjustments": adjustments_data(adjustments),
            }),
            Self::ShareCreated {
                share_id,
                expires_at,
            } => json!({
                "share_id": share_id.to_string(),
                "expires_at": expires_at.map(|at| at.to_rfc3339()),
            }),
            Self::ShareRevoked { share_id } => json!({ "share_id": share_id.to_string() }),
            Self::SharedCartCopied {
                share_id,
                from_cart_id,
                adjustments,
            } => json!({
                "share_id": share_id.to_string(),
                "from_cart_id": from_cart_id.to_string(),
                "adjustments": adjustments_data(adjustments),
            }),
            Self::Recovered {
                from_session_id,
                to_session_id,
                via,
                into_cart_id,
            } => json!({
                "from_session_id": from_session_id.as_str(),
                "to_session_id": to_session_id.as_str(),
                "via": via.as_str(),
                "into_cart_id": into_cart_id.map(|id| id.to_string()),
            }),
        }
    }
}

/// Adjustments as event data: what happened to which variant, asked and kept.
pub(crate) fn adjustments_data(adjustments: &[Adjustment]) -> Value {
    adjustments
        .iter()
        .map(|a| {
            json!({
                "kind": a.kind.as_str(),
                "variant_id": a.variant_id.as_str(),
                "requested": a.requested,
                "quantity": a.quantity,
            })
        })
        .collect()
}

/// An event as recorded in a cart's log.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// Per-cart sequence number, from 1, without gaps.
    pub seq: i64,
    /// Event type name (see [`EventKind::as_str`]).
    pub kind: String,
    /// What changed (a JSON object).
    pub data: Value,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_events_name_their_role_and_the_other_cart() {
        let other = CartId::new();
        let into = Event::MergedInto {
            into_cart_id: other,
            strategy: MergeStrategy::KeepGuest,
        };
        assert_eq!(into.kind().as_str(), "merged");
        assert_eq!(into.data()["role"], "source");
        assert_eq!(into.data()["into_cart_id"], other.to_string());
        assert_eq!(into.data()["strategy"], "keep_guest");
        let from = Event::MergedFrom {
            from_cart_id: other,
            strategy: MergeStrategy::Merge,
            adjustments: Vec::new(),
        };
        assert_eq!(from.data()["role"], "target");
        assert_eq!(from.data()["adjustments"], json!([]));
    }

    #[test]
    fn prices_are_recorded_as_exact_decimal_strings() {
        let added = Event::ItemAdded {
            item_id: ItemId::new(),
            variant_id: VariantId::parse("v").expect("valid"),
            added: 2,
            quantity: 3,
            unit_price: Decimal::new(1999, 2),
        };
        assert_eq!(added.data()["unit_price"], "19.99");
        assert_eq!(added.data()["quantity"], 3);
    }
}
