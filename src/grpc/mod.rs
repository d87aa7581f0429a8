//! The gRPC transport: `shop.cart.v1.CartService` handlers. Each handler is
//! three steps: parse the request into domain types ([`convert`]), call the use
//! case ([`crate::service`]), convert the result back (errors through
//! [`status`]). Writes also parse their `request_id` and `expected_version`
//! and say how their response is encoded, so a retry can be answered with the
//! first response byte for byte.

pub mod auth;
pub mod convert;
pub mod gate;
pub mod limits;
pub mod status;

use prost::Message;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::domain::cart::Shopper;
use crate::proto::shop::cart::v1 as pb;
use crate::proto::shop::cart::v1::cart_service_server::CartService as CartServiceApi;
use crate::service::{CartService, WriteResult, Written};
use limits::RateLimiter;
use status::ApiError;

/// The `CartService` gRPC service.
#[derive(Debug, Clone)]
pub struct CartApi {
    service: CartService,
    session_writes: Option<Arc<RateLimiter>>,
}

impl CartApi {
    /// Serves `service`, limiting each session's writes with `session_writes`
    /// when given.
    pub fn new(service: CartService, session_writes: Option<RateLimiter>) -> Self {
        Self {
            service,
            session_writes: session_writes.map(Arc::new),
        }
    }

    /// The start of every shopper write: the session's write budget, then
    /// the request id and expected version (see [`convert::write_meta`]).
    fn shopper_write(
        &self,
        method: &str,
        shopper: &Shopper,
        request_id: &str,
        expected_version: Option<i64>,
        request: &impl Message,
    ) -> Result<convert::WriteMeta, Status> {
        if let Some(limiter) = &self.session_writes {
            limiter
                .check(shopper.session_id.as_str())
                .map_err(|retry_after| fail(ApiError::RateLimited { retry_after }))?;
        }
        convert::write_meta(
            method,
            convert::shopper_scope(shopper),
            request_id,
            expected_version,
            request,
        )
        .map_err(fail)
    }
}

fn fail(e: impl Into<ApiError>) -> Status {
    e.into().into()
}

/// The response of a write: built from its result, or the remembered bytes of
/// the first call with the same request id.
fn respond<T: Message + Default>(
    written: Written,
    build: impl Fn(&WriteResult) -> T,
) -> Result<Response<T>, Status> {
    match written {
        Written::Fresh(result) => Ok(Response::new(build(&result))),
        Written::Replayed(bytes) => T::decode(bytes.as_slice()).map(Response::new).map_err(|e| {
            tracing::error!(error = %e, "a remembered response does not decode");
            Status::internal("internal error")
        }),
    }
}

/// Takes the request id out of a request, so the rest fingerprints it.
macro_rules! take_request_id {
    ($request:expr) => {{
        let mut request = $request.into_inner();
        let id = std::mem::take(&mut request.request_id);
        (request, id)
    }};
}

fn cart_response(r: &WriteResult) -> Option<pb::Cart> {
    Some(convert::cart(&r.view))
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
        let (request, request_id) = take_request_id!(request);
        let (shopper, add) = convert::add_item(request.clone())?;
        let meta = self.shopper_write(
            "AddItem",
            &shopper,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::AddItemResponse {
            cart: cart_response(r),
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .add_item(&shopper, add, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
    }

    async fn update_item(
        &self,
        request: Request<pb::UpdateItemRequest>,
    ) -> Result<Response<pb::UpdateItemResponse>, Status> {
        let (request, request_id) = take_request_id!(request);
        let (shopper, item_id, quantity) = convert::update_item(request.clone())?;
        let meta = self.shopper_write(
            "UpdateItem",
            &shopper,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::UpdateItemResponse {
            cart: cart_response(r),
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .update_item(&shopper, item_id, quantity, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
    }

    async fn remove_item(
        &self,
        request: Request<pb::RemoveItemRequest>,
    ) -> Result<Response<pb::RemoveItemResponse>, Status> {
        let (request, request_id) = take_request_id!(request);
        let (shopper, item_id) = convert::remove_item(request.clone())?;
        let meta = self.shopper_write(
            "RemoveItem",
            &shopper,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::RemoveItemResponse {
            cart: cart_response(r),
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .remove_item(&shopper, item_id, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
    }

    async fn clear_cart(
        &self,
        request: Request<pb::ClearCartRequest>,
    ) -> Result<Response<pb::ClearCartResponse>, Status> {
        let (request, request_id) = take_request_id!(request);
        let shopper = convert::shopper_only(request.shopper.clone())?;
        let meta = self.shopper_write(
            "ClearCart",
            &shopper,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::ClearCartResponse {
            cart: cart_response(r),
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .clear(&shopper, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
    }

    async fn set_email(
        &self,
        request: Request<pb::SetEmailRequest>,
    ) -> Result<Response<pb::SetEmailResponse>, Status> {
        let (request, request_id) = take_request_id!(request);
        let (shopper, email) = convert::set_email(request.clone())?;
        let meta = self.shopper_write(
            "SetEmail",
            &shopper,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::SetEmailResponse {
            cart: cart_response(r),
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .set_email(&shopper, email, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
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
        let (request, request_id) = take_request_id!(request);
        let (shopper, guest_session, strategy) = convert::merge_guest_cart(request.clone())?;
        let meta = self.shopper_write(
            "MergeGuestCart",
            &shopper,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::MergeGuestCartResponse {
            cart: cart_response(r),
            adjustments: r.adjustments.iter().map(convert::adjustment).collect(),
            merged: r.merged,
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .merge_guest_cart(&shopper, guest_session, strategy, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
    }

    async fn refresh_cart(
        &self,
        request: Request<pb::RefreshCartRequest>,
    ) -> Result<Response<pb::RefreshCartResponse>, Status> {
        let (request, request_id) = take_request_id!(request);
        let shopper = convert::shopper_only(request.shopper.clone())?;
        let meta = self.shopper_write(
            "RefreshCart",
            &shopper,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::RefreshCartResponse {
            cart: cart_response(r),
            adjustments: r.adjustments.iter().map(convert::adjustment).collect(),
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .refresh(&shopper, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
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
        let (request, request_id) = take_request_id!(request);
        let (id, order_id) = convert::complete_cart(&request)?;
        let scope = format!("cart:{id}");
        let meta = convert::write_meta(
            "CompleteCart",
            scope,
            &request_id,
            request.expected_version,
            &request,
        )?;
        let build = |r: &WriteResult| pb::CompleteCartResponse {
            cart: cart_response(r),
        };
        let encode = |r: &WriteResult| build(r).encode_to_vec();
        let written = self
            .service
            .complete_cart(id, order_id, &meta.options(&encode))
            .await
            .map_err(fail)?;
        respond(written, build)
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
