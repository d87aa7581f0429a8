//! The gRPC transport: `shop.cart.v1.CartService` handlers. Each handler is
//! three steps: parse the request into domain types ([`convert`]), call the use
//! case ([`crate::service`]), convert the result back (errors through
//! [`status`]).

pub mod convert;
pub mod status;

use tonic::{Request, Response, Status};

use crate::proto::shop::cart::v1 as pb;
use crate::proto::shop::cart::v1::cart_service_server::CartService as CartServiceApi;
use crate::service::CartService;
use status::ApiError;

/// The `CartService` gRPC service.
#[derive(Debug, Clone)]
pub struct CartApi {
    service: CartService,
}

impl CartApi {
    /// Serves `service`.
    pub fn new(service: CartService) -> Self {
        Self { service }
    }
}

fn fail(e: impl Into<ApiError>) -> Status {
    e.into().into()
}

#[tonic::async_trait]
impl CartServiceApi for CartApi {
    async fn get_cart(
        &self,
        request: Request<pb::GetCartRequest>,
    ) -> Result<Response<pb::GetCartResponse>, Status> {
        let shopper = convert::shopper_only(request.into_inner().shopper)?;
        let view = self.service.get_cart(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::GetCartResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn add_item(
        &self,
        request: Request<pb::AddItemRequest>,
    ) -> Result<Response<pb::AddItemResponse>, Status> {
        let (shopper, add) = convert::add_item(request.into_inner())?;
        let view = self.service.add_item(&shopper, add).await.map_err(fail)?;
        Ok(Response::new(pb::AddItemResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn update_item(
        &self,
        request: Request<pb::UpdateItemRequest>,
    ) -> Result<Response<pb::UpdateItemResponse>, Status> {
        let (shopper, item_id, quantity) = convert::update_item(request.into_inner())?;
        let view = self
            .service
            .update_item(&shopper, item_id, quantity)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::UpdateItemResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn remove_item(
        &self,
        request: Request<pb::RemoveItemRequest>,
    ) -> Result<Response<pb::RemoveItemResponse>, Status> {
        let (shopper, item_id) = convert::remove_item(request.into_inner())?;
        let view = self
            .service
            .remove_item(&shopper, item_id)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::RemoveItemResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn clear_cart(
        &self,
        request: Request<pb::ClearCartRequest>,
    ) -> Result<Response<pb::ClearCartResponse>, Status> {
        let shopper = convert::shopper_only(request.into_inner().shopper)?;
        let view = self.service.clear(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::ClearCartResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn set_email(
        &self,
        request: Request<pb::SetEmailRequest>,
    ) -> Result<Response<pb::SetEmailResponse>, Status> {
        let (shopper, email) = convert::set_email(request.into_inner())?;
        let view = self
            .service
            .set_email(&shopper, email)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::SetEmailResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn validate(
        &self,
        request: Request<pb::ValidateRequest>,
    ) -> Result<Response<pb::ValidateResponse>, Status> {
        let shopper = convert::shopper_only(request.into_inner().shopper)?;
        let (view, issues) = self.service.validate(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::ValidateResponse {
            valid: issues.is_empty(),
            issues: issues.iter().map(convert::issue).collect(),
            cart: Some(convert::cart(&view)),
        }))
    }
    async fn merge_guest_cart(
        &self,
        request: Request<pb::MergeGuestCartRequest>,
    ) -> Result<Response<pb::MergeGuestCartResponse>, Status> {
        let (shopper, guest_session, strategy) = convert::merge_guest_cart(request.into_inner())?;
        let outcome = self
            .service
            .merge_guest_cart(&shopper, guest_session, strategy)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::MergeGuestCartResponse {
            cart: Some(convert::cart(&outcome.view)),
            adjustments: outcome
                .adjustments
                .iter()
                .map(convert::adjustment)
                .collect(),
            merged: outcome.merged,
        }))
    }

    async fn refresh_cart(
        &self,
        request: Request<pb::RefreshCartRequest>,
    ) -> Result<Response<pb::RefreshCartResponse>, Status> {
        let shopper = convert::shopper_only(request.into_inner().shopper)?;
        let (view, adjustments) = self.service.refresh(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::RefreshCartResponse {
            cart: Some(convert::cart(&view)),
            adjustments: adjustments.iter().map(convert::adjustment).collect(),
        }))
    }

    async fn get_cart_by_id(
        &self,
        request: Request<pb::GetCartByIdRequest>,
    ) -> Result<Response<pb::GetCartByIdResponse>, Status> {
        let id = convert::cart_id(&request.into_inner().cart_id)?;
        let view = self.service.get_cart_by_id(id).await.map_err(fail)?;
        Ok(Response::new(pb::GetCartByIdResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn complete_cart(
        &self,
        request: Request<pb::CompleteCartRequest>,
    ) -> Result<Response<pb::CompleteCartResponse>, Status> {
        let (id, order_id) = convert::complete_cart(&request.into_inner())?;
        let view = self
            .service
            .complete_cart(id, order_id)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::CompleteCartResponse {
            cart: Some(convert::cart(&view)),
        }))
    }

    async fn list_cart_events(
        &self,
        request: Request<pb::ListCartEventsRequest>,
    ) -> Result<Response<pb::ListCartEventsResponse>, Status> {
        let (id, after, page_size) = convert::list_cart_events(&request.into_inner())?;
        let page = self
            .service
            .list_events(id, after, page_size)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::ListCartEventsResponse {
            events: page.events.iter().map(convert::event).collect(),
            next_page_token: page
                .next_after
                .map(|seq| convert::page_token(id, seq))
                .unwrap_or_default(),
        }))
    }
}
