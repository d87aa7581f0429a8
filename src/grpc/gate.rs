//! A tower layer that admits or refuses each call before it reaches a
//! service, from its path and headers: caller authentication and the
//! in-flight cap are both gates. A refused call is answered with its gRPC
//! status at once; an admitted one carries its pass (e.g. a semaphore
//! permit) until its response is ready.

use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tonic::Status;
use tower::{Layer, Service};

/// Decides whether a call may go on.
pub trait Gate: Clone + Send + Sync + 'static {
    /// Held while an admitted call runs.
    type Pass: Send + 'static;

    /// Admits the call to `path` with `headers`, or refuses it with a status.
    ///
    /// # Errors
    /// The status a refused call is answered with.
    fn admit(&self, path: &str, headers: &http::HeaderMap) -> Result<Self::Pass, Status>;
}

/// The layer of a [`Gate`].
#[derive(Debug, Clone)]
pub struct GateLayer<G>(pub G);

impl<S, G: Gate> Layer<S> for GateLayer<G> {
    type Service = Gated<S, G>;

    fn layer(&self, inner: S) -> Self::Service {
        Gated {
            inner,
            gate: self.0.clone(),
        }
    }
}

/// A service behind a [`Gate`].
#[derive(Debug, Clone)]
pub struct Gated<S, G> {
    inner: S,
    gate: G,
}

impl<S, G, B, R> Service<http::Request<B>> for Gated<S, G>
where
    S: Service<http::Request<B>, Response = http::Response<R>> + Send + 'static,
    S::Future: Send + 'static,
    G: Gate,
    R: Default + Send + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        match self.gate.admit(request.uri().path(), request.headers()) {
            Ok(pass) => {
                let call = self.inner.call(request);
                Box::pin(async move {
                    let response = call.await;
                    drop(pass);
                    response
                })
            }
            Err(status) => Box::pin(async move { Ok(status.into_http()) }),
        }
    }
}
