//! Shopping lists: the shopper's saved-for-later list and a customer's named
//! wish lists. An item is a cart line at rest — the same snapshot of the
//! catalog (its `unit_price` is the price when saved), plus a note — so a
//! line moves between cart and list without losing anything, and a list
//! shows like a cart (current price, availability).

use chrono::{DateTime, Utc};

use super::ParseError;
use super::cart::{Line, Shopper};
use super::catalog::CatalogSnapshot;
use super::ids::{CustomerId, ListId, ListItemId, SessionId};
use super::metadata::Metadata;
use super::quantity::Quantity;
use super::view::{ItemView, ViewSettings, item_view};

/// Most items one list holds.
pub const MAX_LIST_ITEMS: usize = 100;
/// Most wish lists one customer has.
pub const MAX_WISH_LISTS: usize = 20;
/// Longest wish list name, in characters.
pub const MAX_LIST_NAME_CHARS: usize = 100;
/// Longest item note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// What a list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The one list of lines set aside from the cart.
    SavedForLater,
    /// A customer's named list.
    WishList,
}

impl ListKind {
    /// The stored (and event) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SavedForLater => "saved_for_later",
            Self::WishList => "wish_list",
        }
    }

    /// The kind of a stored name.
    pub fn from_stored(raw: &str) -> Option<Self> {
        match raw {
            "saved_for_later" => Some(Self::SavedForLater),
            "wish_list" => Some(Self::WishList),
            _ => None,
        }
    }
}

/// Which list a call means: the shopper's saved-for-later list, or one list
/// by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListRef {
    /// The shopper's saved-for-later list (created on first use).
    SavedForLater,
    /// A list of the shopper's, by id.
    Id(ListId),
}

/// A wish list's name: 1 to 100 characters once trimmed, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListName(String);

impl ListName {
    /// Accepts a name.
    ///
    /// # Errors
    /// A [`ParseError`] naming the rule broken.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(ParseError::new("name is required"));
        }
        if name.chars().count() > MAX_LIST_NAME_CHARS {
            return Err(ParseError::new(format!(
                "name must be at most {MAX_LIST_NAME_CHARS} characters"
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(ParseError::new("name must not contain control characters"));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An item's note: at most 500 characters, no control characters but line
/// breaks (a browser's CRLF is kept as LF).
///
/// # Errors
/// A [`ParseError`] naming the rule broken.
pub fn parse_note(raw: &str) -> Result<Option<String>, ParseError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let raw = &raw.replace("\r\n", "\n");
    if raw.chars().count() > MAX_NOTE_CHARS {
        return Err(ParseError::new(format!(
            "note must be at most {MAX_NOTE_CHARS} characters"
        )));
    }
    if raw.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ParseError::new(
            "note must not contain control characters other than line breaks",
        ));
    }
    Ok(Some(raw.to_owned()))
}

/// A list's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShoppingList {
    /// Identifier.
    pub id: ListId,
    /// What it is for.
    pub kind: ListKind,
    /// The name (wish lists; "Saved for later" otherwise).
    pub name: String,
    /// The session that made it.
    pub session_id: SessionId,
    /// Its customer; `None` for a guest's list.
    pub customer_id: Option<CustomerId>,
    /// Bumped by every change.
    pub version: i64,
    /// When made.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl ShoppingList {
    /// A new, empty list of `kind` for `shopper`.
    pub fn new(shopper: &Shopper, kind: ListKind, name: &str, now: DateTime<Utc>) -> Self {
        Self {
            id: ListId::new(),
            kind,
            name: name.to_owned(),
            session_id: shopper.session_id.clone(),
            customer_id: shopper.customer_id.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The shopper's saved-for-later list, new.
    pub fn saved_for_later(shopper: &Shopper, now: DateTime<Utc>) -> Self {
        Self::new(shopper, ListKind::SavedForLater, "Saved for later", now)
    }

    /// Whether `shopper` owns it: the customer's, or a guest list of the
    /// session.
    pub fn is_owned_by(&self, shopper: &Shopper) -> bool {
        shopper.owns(self.customer_id.as_ref(), &self.session_id)
    }

    /// A change made at `now`.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// An item of a list: a line at rest (`line.id` is the item's id as a line
/// id; `line.unit_price` the price when saved) and the shopper's note.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// The item's id.
    pub id: ListItemId,
    /// What is saved.
    pub line: Line,
    /// The shopper's note.
    pub note: Option<String>,
    /// Whether the shopper is to be e-mailed when the variant is back in
    /// stock.
    pub alert: bool,
}

/// A change to a list's items, as storage must write it.
#[derive(Debug, Clone, PartialEq)]
pub enum ListItemChange {
    /// A new item.
    Added(Box<ListItem>),
    /// An item's quantity and note set.
    Updated {
        /// The item.
        id: ListItemId,
        /// Its quantity.
        quantity: Quantity,
        /// Its note.
        note: Option<String>,
        /// Its metadata.
        metadata: Option<Metadata>,
    },
    /// An item removed.
    Removed(ListItemId),
}

/// An item as the shopper sees it: the line's view (current price,
/// availability) and the note.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItemView {
    /// The item's id.
    pub id: ListItemId,
    /// The saved line joined with the catalog.
    pub item: ItemView,
    /// The note.
    pub note: Option<String>,
    /// Whether a back-in-stock alert is set.
    pub alert: bool,
}

/// A list as the shopper sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListView {
    /// The header; `None` for a saved-for-later list not made yet.
    pub list: Option<ShoppingList>,
    /// Its items, oldest first.
    pub items: Vec<ListItemView>,
}

/// The view of `list` with `items` and what the catalog said (a variant it
/// was not asked about shows from the stored snapshot).
pub fn view(
    list: Option<ShoppingList>,
    items: Vec<ListItem>,
    catalog: &CatalogSnapshot,
    settings: &ViewSettings,
) -> ListView {
    let items = items
        .into_iter()
        .map(|i| {
            let known = catalog.get(&i.line.variant_id);
            let (item, _) = item_view(i.line, known, settings, None);
            ListItemView {
                id: i.id,
                item,
                note: i.note,
                alert: i.alert,
            }
        })
        .collect();
    ListView { list, items }
}
