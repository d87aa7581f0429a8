//! What runs while the server serves and when it stops: the health-only
//! listener, HTTP/2 limits, reflection and readiness kept in step with the
//! database.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::server::HealthReporter;

use crate::config::TransportSettings;
use crate::grpc::health::API_SERVICE_NAMES;
use crate::net::{ConnectionLimits, incoming};
use crate::storage::Database;

/// Serves only `grpc.health.v1` in plaintext on `listener` (for probes when
/// the main port speaks TLS) until `stopped` completes.
pub(crate) fn serve_health_only(
    listener: TcpListener,
    addr: SocketAddr,
    limits: ConnectionLimits,
    health: &HealthServer<impl Health>,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<Result<(), tonic::transport::Error>> {
    tracing::info!(%addr, "serving health checks in plaintext");
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(health.clone())
            .serve_with_incoming_shutdown(incoming(listener, limits), stopped),
    )
}

/// The HTTP/2 limits of `transport` on a server builder: streams per
/// connection and keepalive (a connection silent after its handshake stops
/// answering PINGs and is closed).
pub(crate) fn transport_limits(
    builder: tonic::transport::Server,
    transport: &TransportSettings,
) -> tonic::transport::Server {
    builder
        .max_concurrent_streams(transport.max_concurrent_streams)
        .http2_keepalive_interval(Some(Duration::from_secs(transport.keepalive_interval_secs)))
        .http2_keepalive_timeout(Some(Duration::from_secs(transport.keepalive_timeout_secs)))
}

/// Server reflection (grpcurl, buf curl): advertises the services this server
/// serves, and also knows the `google.rpc` error details so tools can decode
/// them.
pub(crate) fn reflection() -> tonic_reflection::server::Builder<'static> {
    let builder = API_SERVICE_NAMES.into_iter().fold(
        tonic_reflection::server::Builder::configure(),
        tonic_reflection::server::Builder::with_service_name,
    );
    builder
        .register_encoded_file_descriptor_set(crate::proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
        .with_service_name("grpc.health.v1.Health")
}

/// Keeps the readiness status in step with the database: SERVING while it
/// answers and is migrated, NOT_SERVING otherwise. Liveness (`""`) stays
/// SERVING: a database outage is not a reason to restart the process.
pub(crate) async fn watch_readiness(health: HealthReporter, db: Database, every: Duration) {
    // Starts NOT_SERVING (set before serving); changes are logged once each.
    let mut current = ServingStatus::NotServing;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (status, error) = match db.check_ready().await {
            Ok(()) => (ServingStatus::Serving, None),
            Err(error) => (ServingStatus::NotServing, Some(error)),
        };
        if status != current {
            match &error {
                Some(error) => tracing::warn!(%error, "not ready"),
                None => tracing::info!("ready"),
            }
            for name in API_SERVICE_NAMES {
                health.set_service_status(name, status).await;
            }
            current = status;
        }
    }
}
