//! One observation per call, outermost of the layers so refused calls count
//! too: its span (kind SERVER, a child of the caller's W3C `traceparent`),
//! its duration by RPC and gRPC code, the calls in flight, and one
//! access-log line.
//!
//! The code is read where gRPC puts it: in the response headers when the
//! call failed before a message (trailers-only), else in the trailers at the
//! end of the body; a body dropped before its end is CANCELLED (the client
//! went away). The log line carries the method, the code, the ErrorInfo
//! reason, the duration, the peer address and the trace id — never the
//! request's content (session and customer ids, e-mail addresses).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use http_body::{Body, Frame, SizeHint};
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TraceContextExt;
use prometheus::IntGauge;
use tonic::{Code, Status};
use tonic_types::StatusExt;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::metrics::Metrics;
use crate::proto::shop::cart::v1::ErrorReason;

/// An RPC's service and method, as its path names them.
struct RpcLabels {
    rpc_service: String,
    rpc_method: String,
}

/// The layer; `log` turns the access log on.
#[derive(Clone)]
pub struct ObserveLayer {
    /// Where the observations go.
    pub metrics: Arc<Metrics>,
    /// Whether each call writes an access-log line.
    pub log: bool,
}

impl<S> Layer<S> for ObserveLayer {
    type Service = Observed<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Observed {
            inner,
            layer: self.clone(),
        }
    }
}

/// A service whose calls are observed.
#[derive(Clone)]
pub struct Observed<S> {
    inner: S,
    layer: ObserveLayer,
}

/// What is known of a call until it ends.
struct Call {
    labels: RpcLabels,
    started: Instant,
    peer: Option<std::net::SocketAddr>,
    trace_id: Option<String>,
    in_flight: IntGauge,
    layer: ObserveLayer,
    span: tracing::Span,
}

impl Call {
    fn end(self, status: &Status) {
        let elapsed = self.started.elapsed();
        self.in_flight.dec();
        let code = status.code();
        self.span.record("rpc.grpc.status_code", code as i32);
        if is_server_error(code) {
            self.span.record("otel.status_code", "ERROR");
        }
        let m = &self.layer.metrics;
        m.rpc_done(
            &self.labels.rpc_service,
            &self.labels.rpc_method,
            code as i32,
            elapsed.as_secs_f64(),
        );
        let reason = status
            .get_details_error_info()
            .map(|info| info.reason)
            .unwrap_or_default();
        match reason.as_str() {
            "OVERLOADED" => {
                m.rpc_shed.inc();
            }
            "RATE_LIMITED" => {
                m.rpc_rate_limited.inc();
            }
            _ => {}
        }
        if self.layer.log {
            log_call(&self, code, &reason, elapsed);
        }
    }
}

/// The access-log line: client errors and OK at INFO, server errors at
/// ERROR, health checks at DEBUG (probes call every few seconds).
fn log_call(call: &Call, code: Code, reason: &str, elapsed: std::time::Duration) {
    let method = format!("{}/{}", call.labels.rpc_service, call.labels.rpc_method);
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    let peer = call.peer.map(|p| p.to_string()).unwrap_or_default();
    let trace_id = call.trace_id.as_deref().unwrap_or("");
    let code_name = format!("{code:?}");
    macro_rules! line {
        ($level:ident) => {
            tracing::$level!(
                target: "access",
                rpc = %method,
                code = %code_name,
                reason,
                duration_ms,
                peer = %peer,
                trace_id,
                "call"
            )
        };
    }
    if is_server_error(code) {
        line!(error);
    } else if call.labels.rpc_service == "grpc.health.v1.Health" {
        line!(debug);
    } else {
        line!(info);
    }
}

/// `status` with an ErrorInfo: the statuses tonic makes itself (a request
/// past the size limit, an unknown method, a handler that failed outside
/// our code) get the reason their code stands for; ours already have one.
pub fn with_reason(status: Status) -> Status {
    if status.get_details_error_info().is_some() {
        return status;
    }
    let reason = match status.code() {
        Code::OutOfRange => ErrorReason::MessageTooLarge,
        Code::Unimplemented => ErrorReason::UnknownMethod,
        Code::Unknown | Code::Internal | Code::DataLoss => ErrorReason::InternalError,
        _ => return status,
    };
    super::status::reasoned(status.code(), status.message(), reason)
}

/// Codes that say the server failed, not the request.
pub fn is_server_error(code: Code) -> bool {
    matches!(
        code,
        Code::Unknown
            | Code::DeadlineExceeded
            | Code::Unimplemented
            | Code::Internal
            | Code::Unavailable
            | Code::DataLoss
    )
}

/// `/pkg.Service/Method` as its two labels.
fn rpc_labels(path: &str) -> RpcLabels {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    RpcLabels {
        rpc_service: parts.next().unwrap_or_default().to_owned(),
        rpc_method: parts.next().unwrap_or_default().to_owned(),
    }
}

/// The caller's address, over plaintext or TLS.
fn peer(extensions: &http::Extensions) -> Option<std::net::SocketAddr> {
    use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
    extensions
        .get::<TcpConnectInfo>()
        .or_else(|| {
            extensions
                .get::<TlsConnectInfo<TcpConnectInfo>>()
                .map(TlsConnectInfo::get_ref)
        })
        .and_then(TcpConnectInfo::remote_addr)
}

/// Request headers as the propagator reads them.
struct Headers<'a>(&'a http::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// The call's span, a child of the caller's context (W3C trace context),
/// named and attributed as the semantic conventions for RPC say.
fn server_span(labels: &RpcLabels, headers: &http::HeaderMap) -> (tracing::Span, Option<String>) {
    let span = tracing::info_span!(
        "rpc",
        otel.name = %format_args!("{}/{}", labels.rpc_service, labels.rpc_method),
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = %labels.rpc_service,
        rpc.method = %labels.rpc_method,
        rpc.grpc.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(headers)));
    let from_caller = parent.span().span_context().clone();
    // Fails only when no OpenTelemetry layer is installed (no export).
    let _ = span.set_parent(parent);
    let exported = span.context().span().span_context().clone();
    let trace_id = [exported, from_caller]
        .into_iter()
        .find(|c| c.is_valid())
        .map(|c| c.trace_id().to_string())
        .or_else(|| traceparent_id(headers));
    if let Some(id) = &trace_id {
        span.record("trace_id", id.as_str());
    }
    (span, trace_id)
}

/// The trace id of a W3C `traceparent` header, when well formed (used when
/// no propagator is installed).
fn traceparent_id(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get("traceparent")?.to_str().ok()?;
    let id = value.split('-').nth(1)?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_owned())
}

impl<S, B, R> Service<http::Request<B>> for Observed<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>> + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    R: Body + Unpin + Send + 'static,
{
    type Response = http::Response<ObservedBody<R>>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let labels = rpc_labels(request.uri().path());
        let in_flight = self
            .layer
            .metrics
            .rpc_active(&labels.rpc_service, &labels.rpc_method);
        in_flight.inc();
        let (span, trace_id) = server_span(&labels, request.headers());
        let call = Call {
            labels,
            started: Instant::now(),
            peer: peer(request.extensions()),
            trace_id,
            in_flight,
            layer: self.layer.clone(),
            span: span.clone(),
        };
        let response = span.in_scope(|| self.inner.call(request)).instrument(span);
        Box::pin(async move {
            let response = match response.await {
                Ok(response) => response,
                Err(error) => {
                    call.end(&Status::unknown("transport error"));
                    return Err(error);
                }
            };
            let (parts, body) = response.into_parts();
            // Trailers-only: the call failed before any message.
            let mut parts = parts;
            let call = match Status::from_header_map(&parts.headers) {
                Some(status) => {
                    let status = with_reason(status);
                    if status.add_header(&mut parts.headers).is_err() {
                        tracing::debug!("a status could not be written back");
                    }
                    call.end(&status);
                    None
                }
                None => Some(call),
            };
            Ok(http::Response::from_parts(
                parts,
                ObservedBody { inner: body, call },
            ))
        })
    }
}

/// A response body that ends its call's observation at its trailers.
pub struct ObservedBody<R> {
    inner: R,
    call: Option<Call>,
}

impl<R> Drop for ObservedBody<R> {
    fn drop(&mut self) {
        if let Some(call) = self.call.take() {
            call.end(&Status::cancelled("the client went away"));
        }
    }
}

impl<R: Body + Unpin> Body for ObservedBody<R> {
    type Data = R::Data;
    type Error = R::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref()
                    && let Some(call) = this.call.take()
                {
                    let status = Status::from_header_map(trailers)
                        .unwrap_or_else(|| Status::unknown("no grpc-status"));
                    call.end(&status);
                }
            }
            Poll::Ready(Some(Err(_))) => {
                if let Some(call) = this.call.take() {
                    call.end(&Status::unknown("the response failed"));
                }
            }
            Poll::Ready(None) => {
                if let Some(call) = this.call.take() {
                    call.end(&Status::unknown("no grpc-status"));
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
