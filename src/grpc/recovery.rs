//! The recovery RPCs on the transport side: which requests are writes, and
//! the responses their results become.

use super::cart::adjustments;
use super::wire;
use super::write::{WriteResponse, write_requests};
use crate::proto::shop::cart::v1 as pb;
use crate::service::Recovered;

write_requests!(pb::cart_service_server::CartServiceServer<super::CartApi> {
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
