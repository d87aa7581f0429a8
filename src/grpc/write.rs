//! What every write RPC shares on the transport side: taking the request id
//! out of the request, the session's write budget, parsing `request_id` and
//! `expected_version`, and answering with a fresh response or the remembered
//! bytes of the first call with the same request id.
//!
//! A handler is then two lines: [`CartApi::shopper_write`] (or
//! [`CartApi::service_write`]) with the RPC's parser, and the use case's
//! result through [`Call::reply`]. The request is never cloned: it is encoded
//! for its fingerprint (only when it carries a request id) before the parser
//! takes it.

use std::marker::PhantomData;

use prost::Message;
use tonic::{Request, Response, Status};

use super::status::ApiError;
use super::{CartApi, fail, parse, wire};
use crate::domain::cart::Shopper;
use crate::proto::shop::cart::v1 as pb;
use crate::service::{ServiceError, WriteOptions, WriteResult, Written};

/// A write request: it names its RPC and carries a request id and an
/// expected version.
pub(super) trait WriteRequest: Message + Sized {
    /// The RPC's name, part of the request's fingerprint.
    const METHOD: &'static str;
    /// Takes the request id out, so what is left is the fingerprinted request.
    fn take_request_id(&mut self) -> String;
    /// The caller's expected version.
    fn expected_version(&self) -> Option<i64>;
}

macro_rules! write_requests {
    ($($request:ty => $method:literal),* $(,)?) => {$(
        impl WriteRequest for $request {
            const METHOD: &'static str = $method;
            fn take_request_id(&mut self) -> String {
                std::mem::take(&mut self.request_id)
            }
            fn expected_version(&self) -> Option<i64> {
                self.expected_version
            }
        }
    )*};
}

write_requests! {
    pb::AddItemRequest => "AddItem",
    pb::UpdateItemRequest => "UpdateItem",
    pb::RemoveItemRequest => "RemoveItem",
    pb::ClearCartRequest => "ClearCart",
    pb::SetEmailRequest => "SetEmail",
    pb::MergeGuestCartRequest => "MergeGuestCart",
    pb::RefreshCartRequest => "RefreshCart",
    pb::CompleteCartRequest => "CompleteCart",
    pb::RecoverCartRequest => "RecoverCart",
    pb::AddItemsRequest => "AddItems",
    pb::UpdateItemsRequest => "UpdateItems",
    pb::ReorderRequest => "Reorder",
    pb::MoveItemToListRequest => "MoveItemToList",
    pb::MoveListItemToCartRequest => "MoveListItemToCart",
    pb::CopySharedCartRequest => "CopySharedCart",
}

/// Writes of a list alone: a list has no `expected_version` to check.
macro_rules! unversioned_write_requests {
    ($($request:ty => $method:literal),* $(,)?) => {$(
        impl WriteRequest for $request {
            const METHOD: &'static str = $method;
            fn take_request_id(&mut self) -> String {
                std::mem::take(&mut self.request_id)
            }
            fn expected_version(&self) -> Option<i64> {
                None
            }
        }
    )*};
}

unversioned_write_requests! {
    pb::CreateWishListRequest => "CreateWishList",
    pb::DeleteListRequest => "DeleteList",
    pb::AddListItemRequest => "AddListItem",
    pb::RemoveListItemRequest => "RemoveListItem",
    pb::SetBackInStockAlertRequest => "SetBackInStockAlert",
    pb::UpdateListItemRequest => "UpdateListItem",
}

/// A write response, built from what the write did.
pub(super) trait WriteResponse: Message + Default + Sized {
    /// The response to `result`.
    fn build(result: &WriteResult) -> Self;
}

macro_rules! cart_responses {
    ($($response:ty),* $(,)?) => {$(
        impl WriteResponse for $response {
            fn build(result: &WriteResult) -> Self {
                Self {
                    cart: Some(wire::cart(&result.view)),
                }
            }
        }
    )*};
}

cart_responses!(
    pb::AddItemResponse,
    pb::UpdateItemResponse,
    pb::RemoveItemResponse,
    pb::ClearCartResponse,
    pb::SetEmailResponse,
    pb::CompleteCartResponse,
    pb::AddItemsResponse,
    pb::UpdateItemsResponse,
);

impl WriteResponse for pb::MergeGuestCartResponse {
    fn build(result: &WriteResult) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: result.adjustments.iter().map(wire::adjustment).collect(),
            merged: result.merged,
        }
    }
}

impl WriteResponse for pb::RecoverCartResponse {
    fn build(result: &WriteResult) -> Self {
        let recovery = result.recovery.as_ref();
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: result.adjustments.iter().map(wire::adjustment).collect(),
            outcome: recovery.map_or(0, |r| wire::recovery_outcome(r.kind).into()),
            recovered_cart_id: recovery
                .and_then(|r| r.recovered)
                .map(|id| id.to_string())
                .unwrap_or_default(),
            candidates: recovery.map_or(0, |r| i32::try_from(r.candidates).unwrap_or(i32::MAX)),
        }
    }
}

/// What a copy at today's prices tells the shopper: that prices are
/// today's, and how many changed `since`.
fn price_notice(result: &WriteResult, since: &str) -> String {
    use crate::domain::adjustment::AdjustmentKind;
    let repriced = result
        .adjustments
        .iter()
        .filter(|a| a.kind == AdjustmentKind::PriceUpdated)
        .count();
    match repriced {
        0 => format!("Prices are today's prices; none changed {since}."),
        n => format!("Prices are today's prices; {n} changed {since}."),
    }
}

impl WriteResponse for pb::ReorderResponse {
    fn build(result: &WriteResult) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: result.adjustments.iter().map(wire::adjustment).collect(),
            notice: price_notice(result, "since the order"),
        }
    }
}

impl WriteResponse for pb::CopySharedCartResponse {
    fn build(result: &WriteResult) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: result.adjustments.iter().map(wire::adjustment).collect(),
            notice: price_notice(result, "since they went into the shared cart"),
        }
    }
}

impl WriteResponse for pb::RefreshCartResponse {
    fn build(result: &WriteResult) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: result.adjustments.iter().map(wire::adjustment).collect(),
        }
    }
}

/// Encodes the response to `result`, to be remembered with its request id.
fn encode<R: WriteResponse>(result: &WriteResult) -> Vec<u8> {
    R::build(result).encode_to_vec()
}

/// A write call under way: the options its use case takes, and how it is
/// answered.
pub(super) struct Call<R> {
    /// The use case's write options (the handler sets `device` when the RPC
    /// stores device signals).
    pub options: WriteOptions,
    response: PhantomData<fn() -> R>,
}

impl<R: WriteResponse> Call<R> {
    /// The answer to the use case's result: the response built from a fresh
    /// result, or the remembered bytes of the first call.
    pub fn reply(&self, written: Result<Written, ServiceError>) -> Result<Response<R>, Status> {
        match written.map_err(fail)? {
            Written::Fresh(result) => Ok(Response::new(R::build(&result))),
            Written::Replayed(bytes) => {
                R::decode(bytes.as_slice()).map(Response::new).map_err(|e| {
                    tracing::error!(error = %e, "a remembered response does not decode");
                    Status::internal("internal error")
                })
            }
        }
    }
}

/// Splits a write request into its request id, its expected version, the
/// bytes its fingerprint is taken of (empty without a request id) and the
/// rest of the request.
fn take_apart<Q: WriteRequest>(request: Request<Q>) -> (String, Option<i64>, Vec<u8>, Q) {
    let mut request = request.into_inner();
    let request_id = request.take_request_id();
    let expected_version = request.expected_version();
    let fingerprinted = if request_id.is_empty() {
        Vec::new()
    } else {
        request.encode_to_vec()
    };
    (request_id, expected_version, fingerprinted, request)
}

impl CartApi {
    /// The start of a shopper's write: parses the request with `parse` (into
    /// the shopper and the rest), takes one write from the session's budget,
    /// then parses the request id and expected version.
    ///
    /// # Errors
    /// INVALID_ARGUMENT naming malformed fields; RESOURCE_EXHAUSTED when the
    /// session is over its write rate.
    pub(super) fn shopper_write<Q, S, P, R>(
        &self,
        request: Request<Q>,
        parse: impl FnOnce(Q) -> Result<(S, P), ApiError>,
    ) -> Result<(Call<R>, S, P), Status>
    where
        Q: WriteRequest,
        S: AsRef<Shopper>,
        R: WriteResponse,
    {
        let (request_id, expected_version, fingerprinted, request) = take_apart(request);
        let (shopper, parsed) = parse(request).map_err(fail)?;
        self.charge(shopper.as_ref())?;
        let call = call::<Q, R>(&request_id, expected_version, &fingerprinted)?;
        Ok((call, shopper, parsed))
    }

    /// Takes one write from the shopper's session budget.
    ///
    /// # Errors
    /// RESOURCE_EXHAUSTED when the session is over its write rate.
    pub(super) fn charge(&self, shopper: &Shopper) -> Result<(), Status> {
        if let Some(limiter) = &self.session_writes {
            limiter
                .check(shopper.session_id.as_str())
                .map_err(|retry_after| fail(ApiError::RateLimited { retry_after }))?;
        }
        Ok(())
    }

    /// The start of another service's write (checkout): as
    /// [`Self::shopper_write`] without a session budget.
    ///
    /// # Errors
    /// INVALID_ARGUMENT naming malformed fields.
    pub(super) fn service_write<Q, P, R>(
        &self,
        request: Request<Q>,
        parse: impl FnOnce(Q) -> Result<P, ApiError>,
    ) -> Result<(Call<R>, P), Status>
    where
        Q: WriteRequest,
        R: WriteResponse,
    {
        let (request_id, expected_version, fingerprinted, request) = take_apart(request);
        let parsed = parse(request).map_err(fail)?;
        let call = call::<Q, R>(&request_id, expected_version, &fingerprinted)?;
        Ok((call, parsed))
    }
}

fn call<Q: WriteRequest, R: WriteResponse>(
    request_id: &str,
    expected_version: Option<i64>,
    fingerprinted: &[u8],
) -> Result<Call<R>, Status> {
    let options = parse::write_options(
        Q::METHOD,
        request_id,
        expected_version,
        fingerprinted,
        encode::<R>,
    )
    .map_err(fail)?;
    Ok(Call {
        options,
        response: PhantomData,
    })
}
