//! The cart and its lines, and the changes a use case makes to them.
//!
//! A use case loads a [`Cart`] and its [`Line`]s, asks the rules in
//! [`super::rules`] for the change, and storage writes the resulting
//! [`LineChange`]s and events in the same transaction.

use chrono::{DateTime, Duration, Utc};

use super::email::Email;
use super::ids::{CartId, CustomerId, ItemId, OrderId, ProductId, SessionId, VariantId};
use super::metadata::Metadata;
use super::money::{Currency, Money};
use super::quantity::Quantity;

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

/// Whose rows a shopper owns: the ownership rule, defined once. Every
/// query (through each table's condition in storage) and every check
/// ([`Shopper::owns`]) derives from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// Signed in: the customer's rows, on every device.
    Customer(&'a CustomerId),
    /// A guest: the session's rows that belong to no customer.
    Guest(&'a SessionId),
}

impl Shopper {
    /// A guest of `session_id`: no customer.
    pub fn guest(session_id: SessionId) -> Self {
        Self {
            session_id,
            customer_id: None,
        }
    }

    /// Whose rows this shopper owns.
    pub fn owner(&self) -> Owner<'_> {
        match &self.customer_id {
            Some(customer) => Owner::Customer(customer),
            None => Owner::Guest(&self.session_id),
        }
    }

    /// Whether this shopper owns a row of `customer_id` and `session_id`.
    pub fn owns(&self, customer_id: Option<&CustomerId>, session_id: &SessionId) -> bool {
        match self.owner() {
            Owner::Customer(customer) => customer_id == Some(customer),
            Owner::Guest(session) => customer_id.is_none() && session_id == session,
        }
    }
}

impl AsRef<Shopper> for Shopper {
    fn as_ref(&self) -> &Shopper {
        self
    }
}

/// A shopper known to be signed in: what a use case that needs the customer
/// (MergeGuestCart) takes, so it cannot run without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    shopper: Shopper,
    customer_id: CustomerId,
}

impl SignedIn {
    /// The shopper, if signed in.
    pub fn new(shopper: Shopper) -> Option<Self> {
        let customer_id = shopper.customer_id.clone()?;
        Some(Self {
            shopper,
            customer_id,
        })
    }

    /// As a shopper (whose cart is the customer's).
    pub fn shopper(&self) -> &Shopper {
        &self.shopper
    }

    /// The customer.
    pub fn customer_id(&self) -> &CustomerId {
        &self.customer_id
    }
}

impl AsRef<Shopper> for SignedIn {
    fn as_ref(&self) -> &Shopper {
        &self.shopper
    }
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

    /// Whether `shopper` owns it: the customer's cart, or a guest cart of
    /// the session.
    pub fn is_owned_by(&self, shopper: &Shopper) -> bool {
        shopper.owns(self.customer_id.as_ref(), &self.session_id)
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
    /// Units (the line cap holds by type).
    pub quantity: Quantity,
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
        by: Quantity,
        /// New metadata, when the add carried some.
        metadata: Option<Metadata>,
    },
    /// A line's quantity set.
    QuantitySet {
        /// The line.
        id: ItemId,
        /// New quantity.
        quantity: Quantity,
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

/// How a guest cart is combined with the customer's at sign-in.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shopper(session: &str, customer: Option<&str>) -> Shopper {
        Shopper {
            session_id: SessionId::parse(session).expect("session"),
            customer_id: customer.map(|c| CustomerId::parse(c).expect("customer")),
        }
    }

    #[test]
    fn a_customer_owns_their_rows_on_every_device_and_no_guest_row() {
        let phone = shopper("phone", Some("c1"));
        let c1 = CustomerId::parse("c1").expect("customer");
        let c2 = CustomerId::parse("c2").expect("customer");
        let laptop = SessionId::parse("laptop").expect("session");
        assert!(phone.owns(Some(&c1), &laptop));
        assert!(!phone.owns(Some(&c2), &laptop));
        assert!(!phone.owns(None, &phone.session_id));
    }

    #[test]
    fn a_guest_owns_only_its_sessions_rows_that_belong_to_no_customer() {
        let guest = shopper("s1", None);
        let c1 = CustomerId::parse("c1").expect("customer");
        let other = SessionId::parse("s2").expect("session");
        assert!(guest.owns(None, &guest.session_id));
        assert!(!guest.owns(None, &other));
        assert!(!guest.owns(Some(&c1), &guest.session_id));
    }
}
