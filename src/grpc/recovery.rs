//! `shop.cart.v1.CartRecoveryService` on the transport side: its handlers
//! (RecoverCart, UnsubscribeRecovery), which requests are writes, and the
//! responses their results become.

use tonic::{Request, Response, Status};

use super::cart::adjustments;
use super::parse::{Violations, device, shopper};
use super::status::ApiError;
use super::write::{WriteResponse, write_requests};
use super::{fail, parse, service_api, wire};
use crate::domain::cart::Shopper;
use crate::proto::shop::cart::v1 as pb;
use crate::recovery::token::MAX_TOKEN_LEN;
use crate::service::Recovered;
use crate::service::RecoverySource;

service_api!(
    /// The `CartRecoveryService` gRPC service.
    RecoveryApi
);

#[tonic::async_trait]
impl pb::cart_recovery_service_server::CartRecoveryService for RecoveryApi {
    async fn recover_cart(
        &self,
        request: Request<pb::RecoverCartRequest>,
    ) -> Result<Response<pb::RecoverCartResponse>, Status> {
        let device = parse::device(request.get_ref().shopper.as_ref());
        let (call, shopper, source) = self.shopper_write(request, recover_cart).await?;
        let written = (self.service)
            .recover_cart(&shopper, source, device.as_ref(), &call.options)
            .await;
        call.reply(written)
    }

    async fn unsubscribe_recovery(
        &self,
        request: Request<pb::UnsubscribeRecoveryRequest>,
    ) -> Result<Response<pb::UnsubscribeRecoveryResponse>, Status> {
        let token = unsubscribe_recovery(request.get_ref())?;
        (self.service)
            .unsubscribe_recovery(&token)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::UnsubscribeRecoveryResponse {}))
    }
}

write_requests!(pb::cart_recovery_service_server::CartRecoveryServiceServer<RecoveryApi> {
    pb::RecoverCartRequest => "RecoverCart" versioned,
});

impl WriteResponse for pb::RecoverCartResponse {
    type From = Recovered;
    fn build((result, recovery): &Recovered) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
            outcome: wire::recovery_outcome(recovery.kind).into(),
            recovered_cart_id: recovery
                .recovered
                .map(|id| id.to_string())
                .unwrap_or_default(),
            candidates: i32::try_from(recovery.candidates).unwrap_or(i32::MAX),
        }
    }
}

// Parsing: wire → domain, every field once.

/// Parses RecoverCart: a token, or `by_device` with device signals.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn recover_cart(
    req: pb::RecoverCartRequest,
) -> Result<(Shopper, RecoverySource), ApiError> {
    use pb::recover_cart_request::Source;
    let mut v = Violations::default();
    let signals = device(req.shopper.as_ref());
    let shopper = shopper(&mut v, req.shopper);
    let source = match req.source {
        Some(Source::Token(token)) if !token.is_empty() && token.len() <= MAX_TOKEN_LEN => {
            Some(RecoverySource::Token(token))
        }
        Some(Source::Token(_)) => {
            v.refuse("token", format!("must be 1 to {MAX_TOKEN_LEN} characters"));
            None
        }
        Some(Source::ByDevice(true)) => match signals {
            Some(signals) => Some(RecoverySource::Device(signals)),
            None => {
                v.refuse("shopper.device", "by_device needs device signals".into());
                None
            }
        },
        Some(Source::ByDevice(false)) | None => {
            v.refuse("source", "a token or by_device=true is required".into());
            None
        }
    };
    let parsed = (|| Some((shopper?, source?)))();
    v.finish(parsed)
}

/// Parses UnsubscribeRecovery: its token.
///
/// # Errors
/// INVALID_ARGUMENT when the token is empty or overlong.
pub(super) fn unsubscribe_recovery(
    req: &pb::UnsubscribeRecoveryRequest,
) -> Result<String, ApiError> {
    let mut v = Violations::default();
    if req.token.is_empty() || req.token.len() > MAX_TOKEN_LEN {
        v.refuse("token", format!("must be 1 to {MAX_TOKEN_LEN} characters"));
    }
    v.finish(Some(req.token.clone()))
}
