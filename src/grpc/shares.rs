//! `shop.cart.v1.CartShareService` on the transport side: its handlers,
//! which requests are writes, their responses, and the shared cart on the
//! wire.

use tonic::{Request, Response, Status};

use super::cart::{adjustments, price_notice};
use super::parse::{Violations, shopper};
use super::status::ApiError;
use super::write::{WriteResponse, write_requests};
use super::{fail, parse, service_api, wire};
use crate::domain::ParseError;
use crate::domain::cart::Shopper;
use crate::domain::ids::ShareId;
use crate::domain::share::{Share, ShareToken, parse_ttl};
use crate::domain::view::CartView;
use crate::proto::shop::cart::v1 as pb;
use crate::service::CartWritten;

/// A shared cart as sent: the view without its header (no ids, no e-mail)
/// and without the times of the owner's changes.
fn shared_cart(share: &Share, view: &CartView) -> pb::SharedCart {
    let item = |i| pb::CartItem {
        add_time: None,
        update_time: None,
        ..wire::item(i)
    };
    pb::SharedCart {
        items: view.items.iter().map(item).collect(),
        summary: Some(wire::summary(view)),
        currency_code: view.currency.to_string(),
        warnings: wire::warnings(view),
        expire_time: share.expires_at.map(wire::timestamp),
    }
}

/// A share as sent; the token only when it was just made.
fn cart_share(share: &Share, token: Option<&ShareToken>) -> pb::CartShare {
    pb::CartShare {
        share_id: share.id.to_string(),
        token: token.map(|t| t.expose().to_owned()).unwrap_or_default(),
        expire_time: share.expires_at.map(wire::timestamp),
        create_time: Some(wire::timestamp(share.created_at)),
        revoke_time: share.revoked_at.map(wire::timestamp),
    }
}

write_requests!(pb::cart_share_service_server::CartShareServiceServer<SharesApi> {
    pb::CopySharedCartRequest => "CopySharedCart" versioned,
});

impl WriteResponse for pb::CopySharedCartResponse {
    type From = CartWritten;
    fn build(result: &CartWritten) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
            notice: price_notice(result, "since they went into the shared cart"),
        }
    }
}

service_api!(
    /// The `CartShareService` gRPC service: share links of a cart.
    SharesApi
);

#[tonic::async_trait]
impl pb::cart_share_service_server::CartShareService for SharesApi {
    async fn list_cart_shares(
        &self,
        request: Request<pb::ListCartSharesRequest>,
    ) -> Result<Response<pb::ListCartSharesResponse>, Status> {
        let shopper = parse::shopper_only(request.into_inner().shopper)?;
        let shares = self.service.list_shares(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::ListCartSharesResponse {
            shares: shares.iter().map(|s| cart_share(s, None)).collect(),
        }))
    }

    async fn create_cart_share(
        &self,
        request: Request<pb::CreateCartShareRequest>,
    ) -> Result<Response<pb::CreateCartShareResponse>, Status> {
        let (shopper, ttl) = create_cart_share(request.into_inner())?;
        self.charge(&shopper).await?;
        let (share, token) = (self.service)
            .create_share(&shopper, ttl)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::CreateCartShareResponse {
            share: Some(cart_share(&share, Some(&token))),
        }))
    }

    async fn revoke_cart_share(
        &self,
        request: Request<pb::RevokeCartShareRequest>,
    ) -> Result<Response<pb::RevokeCartShareResponse>, Status> {
        let (shopper, id) = revoke_cart_share(request.into_inner())?;
        self.charge(&shopper).await?;
        (self.service)
            .revoke_share(&shopper, id)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::RevokeCartShareResponse {}))
    }

    async fn get_shared_cart(
        &self,
        request: Request<pb::GetSharedCartRequest>,
    ) -> Result<Response<pb::GetSharedCartResponse>, Status> {
        let token = get_shared_cart(request.get_ref())?;
        let (share, view) = (self.service).get_shared_cart(&token).await.map_err(fail)?;
        Ok(Response::new(pb::GetSharedCartResponse {
            cart: Some(shared_cart(&share, &view)),
        }))
    }

    async fn copy_shared_cart(
        &self,
        request: Request<pb::CopySharedCartRequest>,
    ) -> Result<Response<pb::CopySharedCartResponse>, Status> {
        let (call, shopper, token) = self.shopper_write(request, copy_shared_cart).await?;
        let written = (self.service)
            .copy_shared_cart(&shopper, token, &call.options)
            .await;
        call.reply(written)
    }
}

// Parsing: wire → domain, every field once.

/// Parses CreateCartShare: the shopper and the optional time to live.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn create_cart_share(
    req: pb::CreateCartShareRequest,
) -> Result<(Shopper, Option<chrono::Duration>), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let ttl = match req.ttl {
        None => Some(None),
        Some(ttl) => v.check("ttl", duration(&ttl).and_then(parse_ttl)).map(Some),
    };
    let parsed = (|| Some((shopper?, ttl?)))();
    v.finish(parsed)
}

fn duration(raw: &prost_types::Duration) -> Result<chrono::Duration, ParseError> {
    let out_of_range = || ParseError::new("ttl must be between 60s and 365 days");
    if raw.nanos < 0 || raw.nanos >= 1_000_000_000 {
        return Err(out_of_range());
    }
    chrono::Duration::try_seconds(raw.seconds)
        .and_then(|d| d.checked_add(&chrono::Duration::nanoseconds(i64::from(raw.nanos))))
        .ok_or_else(out_of_range)
}

/// Parses RevokeCartShare.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn revoke_cart_share(
    req: pb::RevokeCartShareRequest,
) -> Result<(Shopper, ShareId), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let id = v.check("share_id", ShareId::parse(&req.share_id));
    let parsed = (|| Some((shopper?, id?)))();
    v.finish(parsed)
}

/// Parses GetSharedCart.
///
/// # Errors
/// INVALID_ARGUMENT for a malformed token.
pub(super) fn get_shared_cart(req: &pb::GetSharedCartRequest) -> Result<ShareToken, ApiError> {
    let mut v = Violations::default();
    let token = v.check("token", ShareToken::parse(&req.token));
    v.finish(token)
}

/// Parses CopySharedCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn copy_shared_cart(
    req: pb::CopySharedCartRequest,
) -> Result<(Shopper, ShareToken), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let token = v.check("token", ShareToken::parse(&req.token));
    let parsed = (|| Some((shopper?, token?)))();
    v.finish(parsed)
}
