//! The gRPC transport: `shop.cart.v1.CartService` handlers. Each handler is
//! three steps: parse the request into domain types ([`parse`]), call the use
//! case ([`crate::service`]), convert the result back ([`wire`]; errors
//! through [`status`]). Writes share their start and their answer
//! ([`write`]): the session's write budget, the request id and expected
//! version, and a retry answered with the first response byte for byte.

mod admin;
pub mod auth;
mod cart;
pub mod codec;
pub mod gate;
pub mod health;
pub mod json;
pub mod limits;
mod lists;
pub mod observe;
mod page_token;
mod parse;
mod recovery;
mod shares;
pub mod status;
mod watch;
mod wire;
mod write;

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::live::Hub;
use crate::proto::shop::cart::v1 as pb;
use crate::proto::shop::cart::v1::cart_service_server::CartService as CartServiceApi;
use crate::service::CartService;
use limits::RateLimiter;
use status::ApiError;

/// The `CartService` gRPC service.
#[derive(Debug, Clone)]
pub struct CartApi {
    service: CartService,
    session_writes: Option<Arc<RateLimiter>>,
    live: Hub,
}

impl CartApi {
    /// Serves `service`, limiting each session's writes with `session_writes`
    /// when given; WatchCart streams are woken by `live`.
    pub fn new(service: CartService, session_writes: Option<RateLimiter>, live: Hub) -> Self {
        Self {
            service,
            session_writes: session_writes.map(Arc::new),
            live,
        }
    }
}

fn fail(e: impl Into<ApiError>) -> Status {
    e.into().into()
}

#[tonic::async_trait]
impl CartServiceApi for CartApi {
    type WatchCartStream = watch::WatchStream;

    async fn watch_cart(
        &self,
        request: Request<pb::WatchCartRequest>,
    ) -> Result<Response<Self::WatchCartStream>, Status> {
        let (shopper, cart, version) = parse::watch_cart(request.into_inner())?;
        let resume = watch::Resume { cart, version };
        let stream = watch::start(self.service.clone(), &self.live, shopper, resume)?;
        Ok(Response::new(stream))
    }

    async fn get_cart(
        &self,
        request: Request<pb::GetCartRequest>,
    ) -> Result<Response<pb::GetCartResponse>, Status> {
        let shopper = parse::shopper_only(request.into_inner().shopper)?;
        let view = self.service.get_cart(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::GetCartResponse {
            cart: Some(wire::cart(&view)),
        }))
    }

    async fn add_item(
        &self,
        request: Request<pb::AddItemRequest>,
    ) -> Result<Response<pb::AddItemResponse>, Status> {
        let device = parse::device(request.get_ref().shopper.as_ref());
        let (call, shopper, add) = self.shopper_write(request, parse::add_item)?;
        let written = (self.service)
            .add_item(&shopper, add, device.as_ref(), &call.options)
            .await;
        call.reply(written)
    }

    async fn add_items(
        &self,
        request: Request<pb::AddItemsRequest>,
    ) -> Result<Response<pb::AddItemsResponse>, Status> {
        let device = parse::device(request.get_ref().shopper.as_ref());
        let (call, shopper, adds) = self.shopper_write(request, parse::add_items)?;
        let written = (self.service)
            .add_items(&shopper, adds, device.as_ref(), &call.options)
            .await;
        call.reply(written)
    }

    async fn reorder(
        &self,
        request: Request<pb::ReorderRequest>,
    ) -> Result<Response<pb::ReorderResponse>, Status> {
        let (call, shopper, order) = self.shopper_write(request, parse::reorder)?;
        let written = self.service.reorder(&shopper, order, &call.options).await;
        call.reply(written)
    }

    async fn get_lists(
        &self,
        request: Request<pb::GetListsRequest>,
    ) -> Result<Response<pb::GetListsResponse>, Status> {
        self.serve_get_lists(request).await
    }

    async fn create_wish_list(
        &self,
        request: Request<pb::CreateWishListRequest>,
    ) -> Result<Response<pb::CreateWishListResponse>, Status> {
        self.serve_create_wish_list(request).await
    }

    async fn delete_list(
        &self,
        request: Request<pb::DeleteListRequest>,
    ) -> Result<Response<pb::DeleteListResponse>, Status> {
        self.serve_delete_list(request).await
    }

    async fn add_list_item(
        &self,
        request: Request<pb::AddListItemRequest>,
    ) -> Result<Response<pb::AddListItemResponse>, Status> {
        self.serve_add_list_item(request).await
    }

    async fn remove_list_item(
        &self,
        request: Request<pb::RemoveListItemRequest>,
    ) -> Result<Response<pb::RemoveListItemResponse>, Status> {
        self.serve_remove_list_item(request).await
    }

    async fn update_list_item(
        &self,
        request: Request<pb::UpdateListItemRequest>,
    ) -> Result<Response<pb::UpdateListItemResponse>, Status> {
        self.serve_update_list_item(request).await
    }

    async fn set_back_in_stock_alert(
        &self,
        request: Request<pb::SetBackInStockAlertRequest>,
    ) -> Result<Response<pb::SetBackInStockAlertResponse>, Status> {
        self.serve_set_back_in_stock_alert(request).await
    }

    async fn move_item_to_list(
        &self,
        request: Request<pb::MoveItemToListRequest>,
    ) -> Result<Response<pb::MoveItemToListResponse>, Status> {
        self.serve_move_item_to_list(request).await
    }

    async fn move_list_item_to_cart(
        &self,
        request: Request<pb::MoveListItemToCartRequest>,
    ) -> Result<Response<pb::MoveListItemToCartResponse>, Status> {
        self.serve_move_list_item_to_cart(request).await
    }

    async fn create_cart_share(
        &self,
        request: Request<pb::CreateCartShareRequest>,
    ) -> Result<Response<pb::CreateCartShareResponse>, Status> {
        self.serve_create_cart_share(request).await
    }

    async fn list_cart_shares(
        &self,
        request: Request<pb::ListCartSharesRequest>,
    ) -> Result<Response<pb::ListCartSharesResponse>, Status> {
        self.serve_list_cart_shares(request).await
    }

    async fn revoke_cart_share(
        &self,
        request: Request<pb::RevokeCartShareRequest>,
    ) -> Result<Response<pb::RevokeCartShareResponse>, Status> {
        self.serve_revoke_cart_share(request).await
    }

    async fn get_shared_cart(
        &self,
        request: Request<pb::GetSharedCartRequest>,
    ) -> Result<Response<pb::GetSharedCartResponse>, Status> {
        self.serve_get_shared_cart(request).await
    }

    async fn copy_shared_cart(
        &self,
        request: Request<pb::CopySharedCartRequest>,
    ) -> Result<Response<pb::CopySharedCartResponse>, Status> {
        self.serve_copy_shared_cart(request).await
    }

    async fn update_items(
        &self,
        request: Request<pb::UpdateItemsRequest>,
    ) -> Result<Response<pb::UpdateItemsResponse>, Status> {
        let (call, shopper, updates) = self.shopper_write(request, parse::update_items)?;
        let written = (self.service)
            .update_items(&shopper, updates, &call.options)
            .await;
        call.reply(written)
    }

    async fn update_item(
        &self,
        request: Request<pb::UpdateItemRequest>,
    ) -> Result<Response<pb::UpdateItemResponse>, Status> {
        let (call, shopper, (item_id, quantity)) =
            self.shopper_write(request, parse::update_item)?;
        let written = (self.service)
            .update_item(&shopper, item_id, quantity, &call.options)
            .await;
        call.reply(written)
    }

    async fn remove_item(
        &self,
        request: Request<pb::RemoveItemRequest>,
    ) -> Result<Response<pb::RemoveItemResponse>, Status> {
        let (call, shopper, item_id) = self.shopper_write(request, parse::remove_item)?;
        let written = (self.service)
            .remove_item(&shopper, item_id, &call.options)
            .await;
        call.reply(written)
    }

    async fn clear_cart(
        &self,
        request: Request<pb::ClearCartRequest>,
    ) -> Result<Response<pb::ClearCartResponse>, Status> {
        let (call, shopper, ()) = self.shopper_write(request, parse::clear_cart)?;
        let written = self.service.clear(&shopper, &call.options).await;
        call.reply(written)
    }

    async fn set_email(
        &self,
        request: Request<pb::SetEmailRequest>,
    ) -> Result<Response<pb::SetEmailResponse>, Status> {
        let (call, shopper, email) = self.shopper_write(request, parse::set_email)?;
        let written = (self.service)
            .set_email(&shopper, email, &call.options)
            .await;
        call.reply(written)
    }

    async fn validate(
        &self,
        request: Request<pb::ValidateRequest>,
    ) -> Result<Response<pb::ValidateResponse>, Status> {
        let shopper = parse::shopper_only(request.into_inner().shopper)?;
        let (view, issues) = self.service.validate(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::ValidateResponse {
            valid: issues.is_empty(),
            issues: issues.iter().map(wire::issue).collect(),
            cart: Some(wire::cart(&view)),
        }))
    }

    async fn merge_guest_cart(
        &self,
        request: Request<pb::MergeGuestCartRequest>,
    ) -> Result<Response<pb::MergeGuestCartResponse>, Status> {
        let (call, customer, (guest_session, strategy)) =
            self.shopper_write(request, parse::merge_guest_cart)?;
        let written = (self.service)
            .merge_guest_cart(&customer, guest_session, strategy, &call.options)
            .await;
        call.reply(written)
    }

    async fn refresh_cart(
        &self,
        request: Request<pb::RefreshCartRequest>,
    ) -> Result<Response<pb::RefreshCartResponse>, Status> {
        let (call, shopper, ()) = self.shopper_write(request, parse::refresh_cart)?;
        let written = self.service.refresh(&shopper, &call.options).await;
        call.reply(written)
    }

    async fn get_cart_by_id(
        &self,
        request: Request<pb::GetCartByIdRequest>,
    ) -> Result<Response<pb::GetCartByIdResponse>, Status> {
        let id = parse::cart_id(&request.into_inner().cart_id)?;
        let view = self.service.get_cart_by_id(id).await.map_err(fail)?;
        Ok(Response::new(pb::GetCartByIdResponse {
            cart: Some(wire::cart(&view)),
        }))
    }

    async fn complete_cart(
        &self,
        request: Request<pb::CompleteCartRequest>,
    ) -> Result<Response<pb::CompleteCartResponse>, Status> {
        let (call, (id, order_id)) = self.service_write(request, parse::complete_cart)?;
        let written = (self.service)
            .complete_cart(id, order_id, &call.options)
            .await;
        call.reply(written)
    }

    async fn list_cart_events(
        &self,
        request: Request<pb::ListCartEventsRequest>,
    ) -> Result<Response<pb::ListCartEventsResponse>, Status> {
        let (id, after, page_size) = parse::list_cart_events(&request.into_inner())?;
        let page = (self.service)
            .list_events(id, after, page_size)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::ListCartEventsResponse {
            events: page.events.iter().map(wire::event).collect(),
            next_page_token: page
                .next_after
                .map(|seq| page_token::encode(id, seq))
                .unwrap_or_default(),
        }))
    }

    async fn recover_cart(
        &self,
        request: Request<pb::RecoverCartRequest>,
    ) -> Result<Response<pb::RecoverCartResponse>, Status> {
        let device = parse::device(request.get_ref().shopper.as_ref());
        let (call, shopper, source) = self.shopper_write(request, parse::recover_cart)?;
        let written = (self.service)
            .recover_cart(&shopper, source, device.as_ref(), &call.options)
            .await;
        call.reply(written)
    }

    async fn unsubscribe_recovery(
        &self,
        request: Request<pb::UnsubscribeRecoveryRequest>,
    ) -> Result<Response<pb::UnsubscribeRecoveryResponse>, Status> {
        let token = parse::unsubscribe_recovery(request.get_ref())?;
        (self.service)
            .unsubscribe_recovery(&token)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::UnsubscribeRecoveryResponse {}))
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    /// Every write table of the transport, joined.
    fn write_rpcs() -> Vec<(&'static str, &'static str, &'static str)> {
        [
            super::cart::write_rpcs(),
            super::admin::write_rpcs(),
            super::recovery::write_rpcs(),
            super::lists::write_rpcs(),
            super::shares::write_rpcs(),
        ]
        .concat()
    }

    /// `(service, method, request message)` of every RPC whose request
    /// carries a `request_id`, from the descriptors.
    fn keyed_rpcs_in_descriptors() -> Vec<(String, String, String)> {
        let set = prost_types::FileDescriptorSet::decode(crate::proto::FILE_DESCRIPTOR_SET)
            .expect("descriptor set");
        let files: Vec<_> = (set.file.iter())
            .filter(|f| f.package() == "shop.cart.v1")
            .collect();
        let keyed = |input: &str| {
            let name = input.rsplit('.').next().unwrap_or(input);
            (files.iter().flat_map(|f| &f.message_type))
                .find(|m| m.name() == name)
                .is_some_and(|m| m.field.iter().any(|f| f.name() == "request_id"))
        };
        let mut rpcs = Vec::new();
        for file in &files {
            for service in &file.service {
                for method in &service.method {
                    if keyed(method.input_type()) {
                        let input = method.input_type().rsplit('.').next().unwrap_or("");
                        rpcs.push((
                            format!("shop.cart.v1.{}", service.name()),
                            method.name().to_owned(),
                            input.to_owned(),
                        ));
                    }
                }
            }
        }
        rpcs.sort();
        rpcs
    }

    #[test]
    fn the_write_tables_name_every_keyed_rpc_of_the_descriptors_and_no_other() {
        let mut listed: Vec<(String, String, String)> = write_rpcs()
            .into_iter()
            .map(|(service, method, request)| {
                let request = request.rsplit("::").next().unwrap_or(request);
                (service.to_owned(), method.to_owned(), request.to_owned())
            })
            .collect();
        listed.sort();
        assert_eq!(listed, keyed_rpcs_in_descriptors());
    }
}
