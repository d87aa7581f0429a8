//! The list RPCs on the transport side: their handlers (called from the
//! service trait in [`super`]), their responses, and lists on the wire.

use tonic::{Request, Response, Status};

use super::cart::adjustments;
use super::write::{WriteResponse, write_requests};
use super::{CartApi, fail, parse, wire};
use crate::domain::adjustment::Adjustment;
use crate::domain::list::{ListKind, ListView};
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

write_requests!(pb::cart_service_server::CartServiceServer<super::CartApi> {
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

impl CartApi {
    pub(super) async fn serve_get_lists(
        &self,
        request: Request<pb::GetListsRequest>,
    ) -> Result<Response<pb::GetListsResponse>, Status> {
        let shopper = parse::shopper_only(request.into_inner().shopper)?;
        let views = self.service.get_lists(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::GetListsResponse {
            lists: views.iter().map(list).collect(),
        }))
    }

    pub(super) async fn serve_create_wish_list(
        &self,
        request: Request<pb::CreateWishListRequest>,
    ) -> Result<Response<pb::CreateWishListResponse>, Status> {
        let (call, shopper, name) = self.shopper_write(request, parse::lists::create_wish_list)?;
        let written = (self.service)
            .create_wish_list(&shopper, name, &call.options)
            .await;
        call.reply(written)
    }

    pub(super) async fn serve_delete_list(
        &self,
        request: Request<pb::DeleteListRequest>,
    ) -> Result<Response<pb::DeleteListResponse>, Status> {
        let (call, shopper, id) = self.shopper_write(request, parse::lists::delete_list)?;
        let written = self.service.delete_list(&shopper, id, &call.options).await;
        call.reply(written)
    }

    pub(super) async fn serve_add_list_item(
        &self,
        request: Request<pb::AddListItemRequest>,
    ) -> Result<Response<pb::AddListItemResponse>, Status> {
        let (call, shopper, (to, add, note)) =
            self.shopper_write(request, parse::lists::add_list_item)?;
        let written = (self.service)
            .add_list_item(&shopper, to, add, note, &call.options)
            .await;
        call.reply(written)
    }

    pub(super) async fn serve_remove_list_item(
        &self,
        request: Request<pb::RemoveListItemRequest>,
    ) -> Result<Response<pb::RemoveListItemResponse>, Status> {
        let (call, shopper, id) = self.shopper_write(request, parse::lists::remove_list_item)?;
        let written = (self.service)
            .remove_list_item(&shopper, id, &call.options)
            .await;
        call.reply(written)
    }

    pub(super) async fn serve_set_back_in_stock_alert(
        &self,
        request: Request<pb::SetBackInStockAlertRequest>,
    ) -> Result<Response<pb::SetBackInStockAlertResponse>, Status> {
        let (call, shopper, (item, email)) =
            self.shopper_write(request, parse::lists::set_back_in_stock_alert)?;
        let written = (self.service)
            .set_back_in_stock_alert(&shopper, item, email, &call.options)
            .await;
        call.reply(written)
    }

    pub(super) async fn serve_update_list_item(
        &self,
        request: Request<pb::UpdateListItemRequest>,
    ) -> Result<Response<pb::UpdateListItemResponse>, Status> {
        let (call, shopper, (item, edit)) =
            self.shopper_write(request, parse::lists::update_list_item)?;
        let written = (self.service)
            .update_list_item(&shopper, item, edit, &call.options)
            .await;
        call.reply(written)
    }

    pub(super) async fn serve_move_item_to_list(
        &self,
        request: Request<pb::MoveItemToListRequest>,
    ) -> Result<Response<pb::MoveItemToListResponse>, Status> {
        let (call, shopper, (item, to)) =
            self.shopper_write(request, parse::lists::move_item_to_list)?;
        let written = (self.service)
            .move_item_to_list(&shopper, item, to, &call.options)
            .await;
        call.reply(written)
    }

    pub(super) async fn serve_move_list_item_to_cart(
        &self,
        request: Request<pb::MoveListItemToCartRequest>,
    ) -> Result<Response<pb::MoveListItemToCartResponse>, Status> {
        let (call, shopper, item) =
            self.shopper_write(request, parse::lists::move_list_item_to_cart)?;
        let written = (self.service)
            .move_list_item_to_cart(&shopper, item, &call.options)
            .await;
        call.reply(written)
    }
}
