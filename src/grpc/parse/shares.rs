//! Wire → domain for the shared-cart RPCs.

use super::{ApiError, Violations, shopper};
use crate::domain::ParseError;
use crate::domain::cart::Shopper;
use crate::domain::ids::ShareId;
use crate::domain::share::{ShareToken, parse_ttl};
use crate::proto::shop::cart::v1 as pb;

/// Parses CreateCartShare: the shopper and the optional time to live.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn create_cart_share(
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
pub fn revoke_cart_share(req: pb::RevokeCartShareRequest) -> Result<(Shopper, ShareId), ApiError> {
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
pub fn get_shared_cart(req: &pb::GetSharedCartRequest) -> Result<ShareToken, ApiError> {
    let mut v = Violations::default();
    let token = v.check("token", ShareToken::parse(&req.token));
    v.finish(token)
}

/// Parses CopySharedCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn copy_shared_cart(req: pb::CopySharedCartRequest) -> Result<(Shopper, ShareToken), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let token = v.check("token", ShareToken::parse(&req.token));
    let parsed = (|| Some((shopper?, token?)))();
    v.finish(parsed)
}
