//! The shared-cart RPCs on the transport side: their handlers (called from
//! the service trait in [`super`]) and the shared cart on the wire.

use tonic::{Request, Response, Status};

use super::cart::{adjustments, price_notice};
use super::write::{WriteResponse, write_requests};
use super::{CartApi, fail, parse, wire};
use crate::domain::share::{Share, ShareToken};
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

write_requests!(pb::cart_service_server::CartServiceServer<super::CartApi> {
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

impl CartApi {
    pub(super) async fn serve_list_cart_shares(
        &self,
        request: Request<pb::ListCartSharesRequest>,
    ) -> Result<Response<pb::ListCartSharesResponse>, Status> {
        let shopper = parse::shopper_only(request.into_inner().shopper)?;
        let shares = self.service.list_shares(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::ListCartSharesResponse {
            shares: shares.iter().map(|s| cart_share(s, None)).collect(),
        }))
    }

    pub(super) async fn serve_create_cart_share(
        &self,
        request: Request<pb::CreateCartShareRequest>,
    ) -> Result<Response<pb::CreateCartShareResponse>, Status> {
        let (shopper, ttl) = parse::shares::create_cart_share(request.into_inner())?;
        self.charge(&shopper)?;
        let (share, token) = (self.service)
            .create_share(&shopper, ttl)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::CreateCartShareResponse {
            share: Some(cart_share(&share, Some(&token))),
        }))
    }

    pub(super) async fn serve_revoke_cart_share(
        &self,
        request: Request<pb::RevokeCartShareRequest>,
    ) -> Result<Response<pb::RevokeCartShareResponse>, Status> {
        let (shopper, id) = parse::shares::revoke_cart_share(request.into_inner())?;
        self.charge(&shopper)?;
        (self.service)
            .revoke_share(&shopper, id)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::RevokeCartShareResponse {}))
    }

    pub(super) async fn serve_get_shared_cart(
        &self,
        request: Request<pb::GetSharedCartRequest>,
    ) -> Result<Response<pb::GetSharedCartResponse>, Status> {
        let token = parse::shares::get_shared_cart(request.get_ref())?;
        let (share, view) = (self.service).get_shared_cart(&token).await.map_err(fail)?;
        Ok(Response::new(pb::GetSharedCartResponse {
            cart: Some(shared_cart(&share, &view)),
        }))
    }

    pub(super) async fn serve_copy_shared_cart(
        &self,
        request: Request<pb::CopySharedCartRequest>,
    ) -> Result<Response<pb::CopySharedCartResponse>, Status> {
        let (call, shopper, token) =
            self.shopper_write(request, parse::shares::copy_shared_cart)?;
        let written = (self.service)
            .copy_shared_cart(&shopper, token, &call.options)
            .await;
        call.reply(written)
    }
}
