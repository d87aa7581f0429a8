//! The admin listener: plain HTTP/1.1, off the gRPC port, so Prometheus (or
//! curl) needs no gRPC client. `GET /metrics` answers the Prometheus text
//! format; anything else is 404. The pool's connection counts are read at
//! each scrape.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::metrics::Metrics;
use crate::storage::Database;

/// The content type of the Prometheus text exposition format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serves `/metrics` on `listener` until `stopped` completes.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    db: Database,
    stopped: impl Future<Output = ()>,
) {
    tokio::pin!(stopped);
    loop {
        let stream = tokio::select! {
            () = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::debug!(%error, "admin accept failed");
                    continue;
                }
            },
        };
        let (metrics, db) = (metrics.clone(), db.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let response = answer(&request, &metrics, &db);
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "admin connection ended");
            }
        });
    }
}

fn answer<B>(
    request: &http::Request<B>,
    metrics: &Metrics,
    db: &Database,
) -> http::Response<Full<Bytes>> {
    if request.method() != http::Method::GET || request.uri().path() != "/metrics" {
        let mut response = http::Response::new(Full::new(Bytes::from_static(b"not found\n")));
        *response.status_mut() = http::StatusCode::NOT_FOUND;
        return response;
    }
    let (in_use, idle) = db.pool_connections();
    metrics.db_pool(in_use, idle);
    let mut response = http::Response::new(Full::new(Bytes::from(metrics.render())));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(PROMETHEUS_TEXT),
    );
    response
}
