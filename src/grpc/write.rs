//! What every write RPC shares on the transport side: taking the request id
//! out of the request, the session's write budget, parsing `request_id` and
//! `expected_version`, and answering with a fresh response or the remembered
//! bytes of the first call with the same request id.
//!
//! A handler is then two lines: [`Api::shopper_write`] (or
//! [`Api::service_write`]) with the RPC's parser, and the use case's
//! result through [`Call::reply`]. The request is never cloned: it is encoded
//! for its fingerprint (only when it carries a request id) before the parser
//! takes it.

use std::marker::PhantomData;

use prost::Message;
use tonic::{Request, Response, Status};

use super::status::ApiError;
use super::{Api, fail, parse};
use crate::domain::cart::Shopper;
use crate::service::{ServiceError, WriteOptions, Written};

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

/// The write RPCs of one service: each request names its RPC (the one
/// place our code spells an RPC's name, held to the descriptors by a test)
/// and says whether it carries an `expected_version` (`versioned`) or not
/// (`unversioned`: a list has no version to check).
macro_rules! write_requests {
    ($server:ty { $($request:ty => $method:literal $kind:ident),* $(,)? }) => {
        $(impl $crate::grpc::write::WriteRequest for $request {
            const METHOD: &'static str = $method;
            fn take_request_id(&mut self) -> String {
                std::mem::take(&mut self.request_id)
            }
            fn expected_version(&self) -> Option<i64> {
                $crate::grpc::write::write_requests!(@version self $kind)
            }
        })*

        /// This service's write RPCs: service, method, request type.
        #[cfg(test)]
        pub(super) fn write_rpcs() -> Vec<(&'static str, &'static str, &'static str)> {
            use tonic::server::NamedService;
            vec![$((
                <$server as NamedService>::NAME,
                $method,
                std::any::type_name::<$request>(),
            )),*]
        }
    };
    (@version $self:ident versioned) => { $self.expected_version };
    (@version $self:ident unversioned) => { None };
}
pub(super) use write_requests;

/// A write response, built from what the write did.
pub(super) trait WriteResponse: Message + Default + Sized {
    /// The use case's result it is built from.
    type From;
    /// The response to `result`.
    fn build(result: &Self::From) -> Self;
}

/// Responses that carry the cart alone.
macro_rules! cart_responses {
    ($($response:ty),* $(,)?) => {$(
        impl $crate::grpc::write::WriteResponse for $response {
            type From = $crate::service::CartWritten;
            fn build(result: &Self::From) -> Self {
                Self {
                    cart: Some($crate::grpc::wire::cart(&result.view)),
                }
            }
        }
    )*};
}
pub(super) use cart_responses;

/// Encodes the response to `result`, to be remembered with its request id.
fn encode<R: WriteResponse>(result: &R::From) -> Vec<u8> {
    R::build(result).encode_to_vec()
}

/// A write call under way: the options its use case takes, and how it is
/// answered.
pub(super) struct Call<R: WriteResponse> {
    /// The use case's write options.
    pub options: WriteOptions<R::From>,
    response: PhantomData<fn() -> R>,
}

impl<R: WriteResponse> Call<R> {
    /// The answer to the use case's result: the response built from a fresh
    /// result, or the remembered bytes of the first call.
    pub fn reply(
        &self,
        written: Result<Written<R::From>, ServiceError>,
    ) -> Result<Response<R>, Status> {
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

impl Api {
    /// The start of a shopper's write: parses the request with `parse` (into
    /// the shopper and the rest), takes one write from the session's budget,
    /// then parses the request id and expected version.
    ///
    /// # Errors
    /// INVALID_ARGUMENT naming malformed fields; RESOURCE_EXHAUSTED when the
    /// session is over its write rate.
    pub(super) async fn shopper_write<Q, S, P, R>(
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
        self.charge(shopper.as_ref()).await?;
        let call = call::<Q, R>(&request_id, expected_version, &fingerprinted)?;
        Ok((call, shopper, parsed))
    }

    /// Takes one write from the shopper's session budget.
    ///
    /// # Errors
    /// RESOURCE_EXHAUSTED when the session is over its write rate.
    pub(super) async fn charge(&self, shopper: &Shopper) -> Result<(), Status> {
        if let Some(budget) = &self.session_writes {
            budget
                .charge(shopper.session_id.as_str())
                .await
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
