//! The back-office RPCs on the transport side: which requests are writes,
//! and the responses their results become.

use super::write::{cart_responses, write_requests};
use crate::proto::shop::cart::v1 as pb;

write_requests!(pb::cart_service_server::CartServiceServer<super::CartApi> {
    pb::CompleteCartRequest => "CompleteCart" versioned,
});

cart_responses!(pb::CompleteCartResponse);
