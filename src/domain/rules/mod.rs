//! The rules of changing a cart, one module per use case: [`edit`] (AddItem,
//! UpdateItem, RemoveItem, ClearCart, SetEmail), [`merge`], [`refresh`],
//! [`complete`], [`reorder`] and [`lists`] (saving a line into a list,
//! taking an item into the cart, merging a guest's list at sign-in); what
//! they share (checking a variant and its stock, making, summing and
//! capping a line) is here. Each rule takes the lines the write read (under
//! the cart's lock, or at the version an optimistic write is conditioned
//! on) and what the catalog said, changes the lines in memory (so the
//! response needs no re-read) and returns what storage must write (a
//! [`Change`], or a list's item changes) — or a [`Rejection`], and then
//! nothing is written.
//!
//! Only refusals of the cart's own rules live here; refusals of the service's
//! protocol (a stale `expected_version`, a reused request id) belong to the
//! service.

pub mod complete;
pub mod edit;
pub mod lists;
pub mod merge;
pub mod refresh;
pub mod reorder;

pub use crate::domain::cart::MergeStrategy;
pub use complete::complete;
pub use edit::{AddItem, add_item, clear, remove_item, set_email, update_item};
pub use merge::merge;
pub use refresh::refresh;
pub use reorder::reorder;

use chrono::{DateTime, Utc};

use super::adjustment::Adjustment;
use super::cart::{CartStatus, Line, LineChange};
use super::catalog::{CatalogVariant, Known};
use super::event::Event;
use super::ids::{CartId, ItemId, ListId, ListItemId, ProductId, ShareId, VariantId};
use super::money::Currency;
use super::quantity::{MAX_LINE_QUANTITY, Quantity};

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
    /// Line writes recorded by one event, with nothing to tell.
    pub fn recorded(lines: Vec<LineChange>, event: Event) -> Self {
        Self {
            lines,
            events: vec![event],
            adjustments: Vec::new(),
        }
    }

    /// Whether there is nothing to write: such a change is not recorded and
    /// does not bump the version.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.events.is_empty()
    }

    /// `next` after this one (a bulk edit's lines, in order).
    pub fn then(mut self, next: Change) -> Self {
        self.lines.extend(next.lines);
        self.events.extend(next.events);
        self.adjustments.extend(next.adjustments);
        self
    }
}

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
    /// Recovery links are not configured.
    RecoveryDisabled,
    /// A recovery or unsubscribe token that no configured key signed, was
    /// altered, or is of the other kind.
    RecoveryTokenInvalid,
    /// A recovery token past its expiry.
    RecoveryTokenExpired,
    /// A customer's cart asked for by someone not signed in as them.
    SignInRequired(CartId),
    /// Reorder of a cart that is not completed.
    CartNotCompleted {
        /// The cart.
        cart_id: CartId,
        /// Its status.
        status: CartStatus,
    },
    /// No list of the shopper's with that id.
    ListNotFound(ListId),
    /// No item with that id in the shopper's lists.
    ListItemNotFound(ListItemId),
    /// A new item would pass the list's item limit.
    ListFull {
        /// The list.
        list_id: ListId,
        /// The limit.
        max_items: usize,
    },
    /// A new wish list would pass the customer's list limit.
    ListLimit {
        /// The limit.
        max_lists: usize,
    },
    /// The customer already has a wish list of that name.
    ListNameTaken(String),
    /// Wish lists are a customer's: a guest has only saved for later.
    WishListsNeedSignIn,
    /// No live share has that token (unknown, revoked, expired, or its cart
    /// is no longer active).
    ShareNotFound,
    /// No share of the shopper's carts has that id.
    ShareIdNotFound(ShareId),
    /// CopySharedCart of the caller's own cart.
    ShareOfOwnCart,
    /// CreateCartShare without a cart, or with an empty one.
    NothingToShare,
    /// CopySharedCart of a shared cart without lines.
    SharedCartEmpty,
    /// Line `index` of a bulk edit was refused for `rejection`; nothing of
    /// the batch was written.
    InBatch {
        /// The line's position in the request, from 0.
        index: usize,
        /// Why it was refused.
        rejection: Box<Rejection>,
    },
}

/// The variant `add` names, when it is of `add`'s product and can be bought
/// now.
fn variant_to_add<'a>(known: Known<'a>, add: &AddItem) -> Result<&'a CatalogVariant, Rejection> {
    match known {
        Known::Found(v) if v.product_id != add.product_id => Err(Rejection::VariantNotOfProduct {
            variant_id: add.variant_id.clone(),
            product_id: add.product_id.clone(),
        }),
        other => active_variant(other, &add.variant_id),
    }
}

/// The variant, when it can be bought now (AddItem, raising a quantity).
fn active_variant<'a>(known: Known<'a>, id: &VariantId) -> Result<&'a CatalogVariant, Rejection> {
    match known {
        Known::Found(v) if v.active => Ok(v),
        Known::Found(_) => Err(Rejection::VariantInactive(id.clone())),
        Known::Missing => Err(Rejection::VariantNotFound(id.clone())),
        Known::Unknown => Err(Rejection::CatalogUnavailable),
    }
}

/// A new line of `add.quantity` units of `variant`, described and priced as
/// the catalog has it now (AddItem, AddListItem).
fn new_line(variant: &CatalogVariant, add: AddItem, now: DateTime<Utc>) -> Line {
    Line {
        id: ItemId::new(),
        product_id: add.product_id,
        variant_id: add.variant_id,
        quantity: add.quantity,
        unit_price: variant.price.clone(),
        product_name: variant.product_name.clone(),
        variant_name: variant.name.clone(),
        sku: variant.sku.clone(),
        metadata: add.metadata,
        added_at: now,
        updated_at: now,
    }
}

/// `held + more` units of `variant_id` in one line, refused past the line
/// cap.
fn sum(variant_id: &VariantId, held: Quantity, more: Quantity) -> Result<Quantity, Rejection> {
    held.plus(more)
        .map_err(|requested| Rejection::LineQuantityLimit {
            variant_id: variant_id.clone(),
            requested,
        })
}

/// Refuses a line of `total` units of `variant` when the stock cannot supply
/// them (the line cap holds by type).
fn check_stock(variant: &CatalogVariant, total: Quantity) -> Result<(), Rejection> {
    if !variant.inventory.can_supply(total.get()) {
        return Err(Rejection::OutOfStock {
            variant_id: variant.id.clone(),
            requested: total.get(),
            available: variant.inventory.available.max(0),
        });
    }
    Ok(())
}

/// The most units of `variant` one line may hold now (clamps, not
/// refusals: merges and refreshes).
fn line_cap(variant: &CatalogVariant) -> u32 {
    variant.inventory.limit().map_or(MAX_LINE_QUANTITY, |n| {
        u32::try_from(n).unwrap_or(u32::MAX).min(MAX_LINE_QUANTITY)
    })
}
