//! `shop.cart.v1.ShoppingListService` on the transport side: its handlers,
//! which requests are writes, their responses, and lists on the wire.

use tonic::{Request, Response, Status};

use super::cart::adjustments;
use super::parse::{Adding, Violations, shopper};
use super::status::ApiError;
use super::write::{WriteResponse, write_requests};
use super::{fail, parse, service_api, wire};
use crate::domain::adjustment::Adjustment;
use crate::domain::cart::Shopper;
use crate::domain::email::Email;
use crate::domain::ids::{ItemId, ListId, ListItemId};
use crate::domain::list::{ListKind, ListName, ListRef, ListView, parse_note};
use crate::domain::quantity::Quantity;
use crate::domain::rules::AddItem;
use crate::proto::shop::cart::v1 as pb;
use crate::service::Moved;

/// A list as sent: its items shown as cart lines, with their notes.
pub fn list(view: &ListView) -> pb::ShoppingList {
    let header = view.list.as_ref();
    let kind = header.map_or(ListKind::SavedForLater, |l| l.kind);
    pb::ShoppingList {
        id: header.map(|l| l.id.to_string()).unwrap_or_default(),
        r#type: match kind {
            ListKind::SavedForLater => pb::ShoppingListType::SavedForLater,
            ListKind::WishList => pb::ShoppingListType::WishList,
        }
        .into(),
        name: header.map_or_else(|| "Saved for later".to_owned(), |l| l.name.clone()),
        items: view
            .items
            .iter()
            .map(|i| pb::ShoppingListItem {
                item: Some(wire::item(&i.item)),
                note: i.note.clone().unwrap_or_default(),
                back_in_stock_alert: i.alert,
            })
            .collect(),
        version: header.map_or(0, |l| l.version),
        create_time: header.map(|l| wire::timestamp(l.created_at)),
        update_time: header.map(|l| wire::timestamp(l.updated_at)),
    }
}

write_requests!(pb::shopping_list_service_server::ShoppingListServiceServer<ListsApi> {
    pb::MoveItemToListRequest => "MoveItemToList" versioned,
    pb::MoveListItemToCartRequest => "MoveListItemToCart" versioned,
    pb::CreateWishListRequest => "CreateWishList" unversioned,
    pb::DeleteListRequest => "DeleteList" unversioned,
    pb::AddListItemRequest => "AddListItem" unversioned,
    pb::RemoveListItemRequest => "RemoveListItem" unversioned,
    pb::SetBackInStockAlertRequest => "SetBackInStockAlert" unversioned,
    pb::UpdateListItemRequest => "UpdateListItem" unversioned,
});

/// Responses that carry the list written.
macro_rules! list_responses {
    ($($response:ty),* $(,)?) => {$(
        impl WriteResponse for $response {
            type From = Option<ListView>;
            fn build(written: &Option<ListView>) -> Self {
                Self { list: written.as_ref().map(list) }
            }
        }
    )*};
}

list_responses!(
    pb::CreateWishListResponse,
    pb::SetBackInStockAlertResponse,
    pb::UpdateListItemResponse,
    pb::RemoveListItemResponse,
);

/// Responses of moves: the cart, the list and what was adjusted.
macro_rules! move_responses {
    ($($response:ty),* $(,)?) => {$(
        impl WriteResponse for $response {
            type From = Moved;
            fn build((cart, written): &Moved) -> Self {
                Self {
                    cart: Some(wire::cart(&cart.view)),
                    list: written.as_ref().map(list),
                    adjustments: adjustments(&cart.adjustments),
                }
            }
        }
    )*};
}

move_responses!(pb::MoveItemToListResponse, pb::MoveListItemToCartResponse);

impl WriteResponse for pb::DeleteListResponse {
    type From = ();
    fn build((): &()) -> Self {
        Self {}
    }
}

impl WriteResponse for pb::AddListItemResponse {
    type From = (Option<ListView>, Vec<Adjustment>);
    fn build((written, adjusted): &Self::From) -> Self {
        Self {
            list: written.as_ref().map(list),
            adjustments: adjustments(adjusted),
        }
    }
}

service_api!(
    /// The `ShoppingListService` gRPC service: saved-for-later and wish lists.
    ListsApi
);

#[tonic::async_trait]
impl pb::shopping_list_service_server::ShoppingListService for ListsApi {
    async fn get_lists(
        &self,
        request: Request<pb::GetListsRequest>,
    ) -> Result<Response<pb::GetListsResponse>, Status> {
        let shopper = parse::shopper_only(request.into_inner().shopper)?;
        let views = self.service.get_lists(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::GetListsResponse {
            lists: views.iter().map(list).collect(),
        }))
    }

    async fn create_wish_list(
        &self,
        request: Request<pb::CreateWishListRequest>,
    ) -> Result<Response<pb::CreateWishListResponse>, Status> {
        let (call, shopper, name) = self.shopper_write(request, create_wish_list).await?;
        let written = (self.service)
            .create_wish_list(&shopper, name, &call.options)
            .await;
        call.reply(written)
    }

    async fn delete_list(
        &self,
        request: Request<pb::DeleteListRequest>,
    ) -> Result<Response<pb::DeleteListResponse>, Status> {
        let (call, shopper, id) = self.shopper_write(request, delete_list).await?;
        let written = self.service.delete_list(&shopper, id, &call.options).await;
        call.reply(written)
    }

    async fn add_list_item(
        &self,
        request: Request<pb::AddListItemRequest>,
    ) -> Result<Response<pb::AddListItemResponse>, Status> {
        let (call, shopper, (to, add, note)) = self.shopper_write(request, add_list_item).await?;
        let written = (self.service)
            .add_list_item(&shopper, to, add, note, &call.options)
            .await;
        call.reply(written)
    }

    async fn remove_list_item(
        &self,
        request: Request<pb::RemoveListItemRequest>,
    ) -> Result<Response<pb::RemoveListItemResponse>, Status> {
        let (call, shopper, id) = self.shopper_write(request, remove_list_item).await?;
        let written = (self.service)
            .remove_list_item(&shopper, id, &call.options)
            .await;
        call.reply(written)
    }

    async fn set_back_in_stock_alert(
        &self,
        request: Request<pb::SetBackInStockAlertRequest>,
    ) -> Result<Response<pb::SetBackInStockAlertResponse>, Status> {
        let (call, shopper, (item, email)) =
            self.shopper_write(request, set_back_in_stock_alert).await?;
        let written = (self.service)
            .set_back_in_stock_alert(&shopper, item, email, &call.options)
            .await;
        call.reply(written)
    }

    async fn update_list_item(
        &self,
        request: Request<pb::UpdateListItemRequest>,
    ) -> Result<Response<pb::UpdateListItemResponse>, Status> {
        let (call, shopper, (item, edit)) = self.shopper_write(request, update_list_item).await?;
        let written = (self.service)
            .update_list_item(&shopper, item, edit, &call.options)
            .await;
        call.reply(written)
    }

    async fn move_item_to_list(
        &self,
        request: Request<pb::MoveItemToListRequest>,
    ) -> Result<Response<pb::MoveItemToListResponse>, Status> {
        let (call, shopper, (item, to)) = self.shopper_write(request, move_item_to_list).await?;
        let written = (self.service)
            .move_item_to_list(&shopper, item, to, &call.options)
            .await;
        call.reply(written)
    }

    async fn move_list_item_to_cart(
        &self,
        request: Request<pb::MoveListItemToCartRequest>,
    ) -> Result<Response<pb::MoveListItemToCartResponse>, Status> {
        let (call, shopper, item) = self.shopper_write(request, move_list_item_to_cart).await?;
        let written = (self.service)
            .move_list_item_to_cart(&shopper, item, &call.options)
            .await;
        call.reply(written)
    }
}

// Parsing: wire → domain, every field once.

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
pub(super) fn create_wish_list(
    req: pb::CreateWishListRequest,
) -> Result<(Shopper, ListName), ApiError> {
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
pub(super) fn delete_list(req: pb::DeleteListRequest) -> Result<(Shopper, ListRef), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let list = list_ref(&mut v, "list_id", &req.list_id);
    let parsed = (|| Some((shopper?, list?)))();
    v.finish(parsed)
}

/// What AddListItem asks for: the list, the add, the note.
pub(super) type ListAdd = (ListRef, AddItem, Option<String>);

/// Parses AddListItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn add_list_item(req: pb::AddListItemRequest) -> Result<(Shopper, ListAdd), ApiError> {
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
pub(super) fn remove_list_item(
    req: pb::RemoveListItemRequest,
) -> Result<(Shopper, ListItemId), ApiError> {
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
pub(super) fn move_item_to_list(
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
pub(super) fn set_back_in_stock_alert(
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
pub(super) type ItemEdit = (Option<Quantity>, Option<Option<String>>);

/// Parses UpdateListItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields, or `quantity` when neither
/// is given.
pub(super) fn update_list_item(
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
pub(super) fn move_list_item_to_cart(
    req: pb::MoveListItemToCartRequest,
) -> Result<(Shopper, ListItemId), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item = v.check("list_item_id", ListItemId::parse(&req.list_item_id));
    let parsed = (|| Some((shopper?, item?)))();
    v.finish(parsed)
}
