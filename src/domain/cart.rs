//! The cart and its lines, and the changes a use case makes to them.
//!
//! A use case loads a [`Cart`] and its [`Line`]s, asks the rules in
//! [`super::rules`] for the change, and storage writes the resulting
//! [`LineChange`]s and [`Event`]s in the same transaction.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::email::Email;
use super::ids::{CartId, CustomerId, ItemId, OrderId, ProductId, SessionId, VariantId};
use super::metadata::Metadata;
use super::money::{Currency, Money};

/// Lifecycle state of a cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CartStatus {
    /// The shopper's current cart.
    Active,
    /// A guest cart merged into a customer's cart.
    Merged,
    /// Expired without checkout.
    Abandoned,
    /// Turned into an order.
    Completed,
}

impl CartStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Merged => "merged",
            Self::Abandoned => "abandoned",
            Self::Completed => "completed",
        }
    }

    /// Reads a stored name.
    pub fn from_stored(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "merged" => Some(Self::Merged),
            "abandoned" => Some(Self::Abandoned),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }
}

/// Who is calling, and so which cart is theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shopper {
    /// The BFF session.
    pub session_id: SessionId,
    /// The signed-in customer, if any.
    pub customer_id: Option<CustomerId>,
}

/// A cart without its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Cart {
    /// Identifier.
    pub id: CartId,
    /// Session that created it.
    pub session_id: SessionId,
    /// Owning customer; `None` for a guest cart.
    pub customer_id: Option<CustomerId>,
    /// Checkout e-mail address.
    pub email: Option<Email>,
    /// Currency of every price in it.
    pub currency: Currency,
    /// Lifecycle state.
    pub status: CartStatus,
    /// Bumped by every change.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it expires unless changed again.
    pub expires_at: DateTime<Utc>,
    /// The order a completed cart became.
    pub order_id: Option<OrderId>,
    /// The cart a merged guest cart went into.
    pub merged_into: Option<CartId>,
}

impl Cart {
    /// A new, empty active cart for `shopper`, at version 0 (the change that
    /// creates it brings it to 1).
    pub fn new(shopper: &Shopper, currency: Currency, now: DateTime<Utc>, ttl: Duration) -> Self {
        Self {
            id: CartId::new(),
            session_id: shopper.session_id.clone(),
            customer_id: shopper.customer_id.clone(),
            email: None,
            currency,
            status: CartStatus::Active,
            version: 0,
            created_at: now,
            updated_at: now,
            expires_at: now + ttl,
            order_id: None,
            merged_into: None,
        }
    }

    /// Whether the cart has passed its expiry time.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }

    /// Records one change: bumps the version and slides the expiry.
    pub fn touch(&mut self, now: DateTime<Utc>, ttl: Duration) {
        self.version += 1;
        self.updated_at = now;
        self.expires_at = now + ttl;
    }
}

/// A cart line: one variant, its quantity and the snapshot taken when added.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Identifier.
    pub id: ItemId,
    /// Product.
    pub product_id: ProductId,
    /// Variant.
    pub variant_id: VariantId,
    /// Units, 1 to 100.
    pub quantity: u32,
    /// Unit price locked when the line was added.
    pub unit_price: Money,
    /// Product name at add time.
    pub product_name: String,
    /// Variant name at add time.
    pub variant_name: String,
    /// SKU at add time.
    pub sku: String,
    /// Caller's data.
    pub metadata: Option<Metadata>,
    /// When first added.
    pub added_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A change to a cart's lines, as storage must write it.
#[derive(Debug, Clone, PartialEq)]
pub enum LineChange {
    /// A new line. Storage inserts it, or increments the line of the same
    /// variant should one have appeared meanwhile.
    Added(Line),
    /// Units added to an existing line.
    Incremented {
        /// The line.
        id: ItemId,
        /// Units added.
        by: u32,
        /// New metadata, when the add carried some.
        metadata: Option<Metadata>,
    },
    /// A line's quantity set.
    QuantitySet {
        /// The line.
        id: ItemId,
        /// New quantity.
        quantity: u32,
    },
    /// A line's locked price replaced.
    Repriced {
        /// The line.
        id: ItemId,
        /// New unit price.
        unit_price: Money,
    },
    /// A line removed.
    Removed(ItemId),
    /// Every line removed.
    Cleared,
}

/// Kinds of cart event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The cart was created.
    Created,
    /// A line was added or incremented.
    ItemAdded,
    /// A line's quantity was set.
    ItemUpdated,
    /// A line was removed.
    ItemRemoved,
    /// Every line was removed.
    Cleared,
    /// The e-mail address was set.
    EmailSet,
    /// The cart expired and was set aside.
    Abandoned,
    /// A guest cart became a customer's.
    CustomerLinked,
    /// A guest cart was merged (logged on both carts).
    Merged,
    /// Prices, quantities or lines were brought in line with the catalog.
    Refreshed,
    /// The cart became an order.
    Completed,
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
        }
    }
}

/// An event to append to a cart's log: its kind and JSON data naming what
/// changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Kind.
    pub kind: EventKind,
    /// What changed.
    pub data: Value,
}

impl Event {
    /// The event recording the creation of `cart`.
    pub fn created(cart: &Cart) -> Self {
        Self {
            kind: EventKind::Created,
            data: json!({
                "session_id": cart.session_id.as_str(),
                "customer_id": cart.customer_id.as_ref().map(CustomerId::as_str),
                "currency": cart.currency.as_str(),
            }),
        }
    }

    /// The event recording that a guest cart became `customer`'s.
    pub fn customer_linked(customer: &CustomerId) -> Self {
        Self {
            kind: EventKind::CustomerLinked,
            data: json!({ "customer_id": customer.as_str() }),
        }
    }

    /// The event, on a guest cart, recording that it went into `target`.
    pub fn merged_into(target: CartId, strategy: &str) -> Self {
        Self {
            kind: EventKind::Merged,
            data: json!({ "role": "source", "into_cart_id": target.to_string(), "strategy": strategy }),
        }
    }

    /// The event, on a customer cart, recording that `source` went into it.
    pub fn merged_from(source: CartId, strategy: &str, adjustments: &[Adjustment]) -> Self {
        Self {
            kind: EventKind::Merged,
            data: json!({
                "role": "target",
                "from_cart_id": source.to_string(),
                "strategy": strategy,
                "adjustments": adjustments.iter().map(Adjustment::to_json).collect::<Vec<_>>(),
            }),
        }
    }

    /// The event recording that `cart` expired and was set aside.
    pub fn abandoned_on_expiry(cart: &Cart) -> Self {
        Self {
            kind: EventKind::Abandoned,
            data: json!({ "reason": "expired", "expires_at": cart.expires_at.to_rfc3339() }),
        }
    }
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
    /// The adjustment as event data.
    pub fn to_json(&self) -> Value {
        json!({
            "kind": self.kind.as_str(),
            "variant_id": self.variant_id.as_str(),
            "requested": self.requested,
            "quantity": self.quantity,
        })
    }
}

/// The outcome of a rule: what to write, what to log, what to tell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Change {
    /// Line writes, in order.
    pub lines: Vec<LineChange>,
    /// Events, in order.
    pub events: Vec<Event>,
    /// Lines changed or dropped on the shopper's behalf.
    pub adjustments: Vec<Adjustment>,
}

impl Change {
    /// Whether there is nothing to write: such a change is not recorded and
    /// does not bump the version.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.events.is_empty()
    }
}
