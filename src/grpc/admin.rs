//! `shop.cart.v1.CartAdminService` on the transport side: the back-office
//! handlers (GetCartById, CompleteCart, ListCartEvents), which requests are
//! writes, and the responses their results become. Needs the service role.

use tonic::{Request, Response, Status};

use super::parse::Violations;
use super::status::ApiError;
use super::write::{cart_responses, write_requests};
use super::{fail, page_token, service_api, wire};
use crate::domain::ids::{CartId, OrderId};
use crate::proto::shop::cart::v1 as pb;

service_api!(
    /// The `CartAdminService` gRPC service: the back office.
    AdminApi
);

#[tonic::async_trait]
impl pb::cart_admin_service_server::CartAdminService for AdminApi {
    async fn get_cart_by_id(
        &self,
        request: Request<pb::GetCartByIdRequest>,
    ) -> Result<Response<pb::GetCartByIdResponse>, Status> {
        let id = cart_id(&request.into_inner().cart_id)?;
        let view = self.service.get_cart_by_id(id).await.map_err(fail)?;
        Ok(Response::new(pb::GetCartByIdResponse {
            cart: Some(wire::cart(&view)),
        }))
    }

    async fn complete_cart(
        &self,
        request: Request<pb::CompleteCartRequest>,
    ) -> Result<Response<pb::CompleteCartResponse>, Status> {
        let (call, (id, order_id)) = self.service_write(request, complete_cart)?;
        let written = (self.service)
            .complete_cart(id, order_id, &call.options)
            .await;
        call.reply(written)
    }

    async fn list_cart_events(
        &self,
        request: Request<pb::ListCartEventsRequest>,
    ) -> Result<Response<pb::ListCartEventsResponse>, Status> {
        let (id, after, page_size) = list_cart_events(&request.into_inner())?;
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
}

write_requests!(pb::cart_admin_service_server::CartAdminServiceServer<AdminApi> {
    pb::CompleteCartRequest => "CompleteCart" versioned,
});

cart_responses!(pb::CompleteCartResponse);

// Parsing: wire → domain, every field once.

/// Parses a cart id.
///
/// # Errors
/// INVALID_ARGUMENT naming the field.
pub(super) fn cart_id(raw: &str) -> Result<CartId, ApiError> {
    let mut v = Violations::default();
    let id = v.check("cart_id", CartId::parse(raw));
    v.finish(id)
}

/// Parses CompleteCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn complete_cart(req: pb::CompleteCartRequest) -> Result<(CartId, OrderId), ApiError> {
    let mut v = Violations::default();
    let id = v.check("cart_id", CartId::parse(&req.cart_id));
    let order = v.check("order_id", OrderId::parse(&req.order_id));
    let parsed = (|| Some((id?, order?)))();
    v.finish(parsed)
}

/// Default and largest page of ListCartEvents.
const DEFAULT_PAGE_SIZE: u64 = 50;
const MAX_PAGE_SIZE: i32 = 500;

/// Parses ListCartEvents: the cart, the sequence number to continue after
/// (from the page token) and the page size.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn list_cart_events(
    req: &pb::ListCartEventsRequest,
) -> Result<(CartId, i64, u64), ApiError> {
    let mut v = Violations::default();
    let id = v.check("cart_id", CartId::parse(&req.cart_id));
    let size = match req.page_size {
        0 => Some(DEFAULT_PAGE_SIZE),
        n @ 1..=MAX_PAGE_SIZE => Some(u64::from(n.unsigned_abs())),
        n => {
            v.refuse(
                "page_size",
                format!("page size must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
            );
            None
        }
    };
    let after = match (&id, req.page_token.as_str()) {
        (_, "") => Some(0),
        (Some(id), token) => v.check("page_token", page_token::decode(*id, token)),
        (None, _) => None,
    };
    let parsed = (|| Some((id?, after?, size?)))();
    v.finish(parsed)
}
