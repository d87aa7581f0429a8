//! Wire → domain for the list RPCs.

use super::{Adding, ApiError, Violations, shopper};
use crate::domain::cart::Shopper;
use crate::domain::email::Email;
use crate::domain::ids::{ItemId, ListId, ListItemId};
use crate::domain::list::{ListName, ListRef, parse_note};
use crate::domain::quantity::Quantity;
use crate::domain::rules::AddItem;
use crate::proto::shop::cart::v1 as pb;

/// A list id field: empty means the saved-for-later list.
fn list_ref(v: &mut Violations, field: &str, raw: &str) -> Option<ListRef> {
    if raw.is_empty() {
        return Some(ListRef::SavedForLater);
    }
    v.check(field, ListId::parse(raw)).map(ListRef::Id)
}

/// Parses CreateWishList.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn create_wish_list(req: pb::CreateWishListRequest) -> Result<(Shopper, ListName), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let name = v.check("name", ListName::parse(&req.name));
    let parsed = (|| Some((shopper?, name?)))();
    v.finish(parsed)
}

/// Parses DeleteList.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn delete_list(req: pb::DeleteListRequest) -> Result<(Shopper, ListRef), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let list = list_ref(&mut v, "list_id", &req.list_id);
    let parsed = (|| Some((shopper?, list?)))();
    v.finish(parsed)
}

/// What AddListItem asks for: the list, the add, the note.
pub type ListAdd = (ListRef, AddItem, Option<String>);

/// Parses AddListItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn add_list_item(req: pb::AddListItemRequest) -> Result<(Shopper, ListAdd), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let list = list_ref(&mut v, "list_id", &req.list_id);
    let note = v.check("note", parse_note(&req.note));
    let fields = Adding {
        product_id: &req.product_id,
        variant_id: &req.variant_id,
        quantity: req.quantity,
        metadata: req.metadata,
    };
    let add = fields.parse(&mut v, "");
    let parsed = (|| Some((shopper?, (list?, add?, note?))))();
    v.finish(parsed)
}

/// Parses RemoveListItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn remove_list_item(req: pb::RemoveListItemRequest) -> Result<(Shopper, ListItemId), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item = v.check("list_item_id", ListItemId::parse(&req.list_item_id));
    let parsed = (|| Some((shopper?, item?)))();
    v.finish(parsed)
}

/// Parses MoveItemToList.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn move_item_to_list(
    req: pb::MoveItemToListRequest,
) -> Result<(Shopper, (ItemId, ListRef)), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item = v.check("item_id", ItemId::parse(&req.item_id));
    let list = list_ref(&mut v, "list_id", &req.list_id);
    let parsed = (|| Some((shopper?, (item?, list?))))();
    v.finish(parsed)
}

/// Parses SetBackInStockAlert: the item and the address (`None`: off).
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn set_back_in_stock_alert(
    req: pb::SetBackInStockAlertRequest,
) -> Result<(Shopper, (ListItemId, Option<Email>)), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item = v.check("list_item_id", ListItemId::parse(&req.list_item_id));
    let email = match req.email.as_str() {
        "" => Some(None),
        raw => v.check("email", Email::parse(raw)).map(Some),
    };
    let parsed = (|| Some((shopper?, (item?, email?))))();
    v.finish(parsed)
}

/// What UpdateListItem changes: the quantity and/or the note (`Some(None)`
/// clears it).
pub type ItemEdit = (Option<Quantity>, Option<Option<String>>);

/// Parses UpdateListItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields, or `quantity` when neither
/// is given.
pub fn update_list_item(
    req: pb::UpdateListItemRequest,
) -> Result<(Shopper, (ListItemId, ItemEdit)), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item = v.check("list_item_id", ListItemId::parse(&req.list_item_id));
    if req.quantity.is_none() && req.note.is_none() {
        v.refuse("quantity", "give a quantity, a note, or both".into());
    }
    let quantity = match req.quantity {
        None => Some(None),
        Some(q) => v.check("quantity", Quantity::parse(i64::from(q))).map(Some),
    };
    let note = match req.note.as_deref() {
        None => Some(None),
        Some(raw) => v.check("note", parse_note(raw)).map(Some),
    };
    let parsed = (|| Some((shopper?, (item?, (quantity?, note?)))))();
    v.finish(parsed)
}

/// Parses MoveListItemToCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn move_list_item_to_cart(
    req: pb::MoveListItemToCartRequest,
) -> Result<(Shopper, ListItemId), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item = v.check("list_item_id", ListItemId::parse(&req.list_item_id));
    let parsed = (|| Some((shopper?, item?)))();
    v.finish(parsed)
}
