//! `grpc.health.v1.Health` whose Watch streams end when the server stops.
//!
//! tonic-health's Watch stream never ends by itself: at shutdown it sends
//! NOT_SERVING and stays open, and a graceful shutdown waits for every open
//! stream, so one watcher (gRPC's client-side health checking opens exactly
//! this stream) held shutdown for the whole grace period. Here each Watch
//! stream ends with OK once `stopping` turns true; the gRPC health protocol
//! tells clients to call again, by which time this replica is gone.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio::sync::watch;
use tonic::{Request, Response, Status};
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
use tonic_health::server::{HealthReporter, HealthService};

/// The health service of a server that stops when `stopping` turns true.
pub struct EndingHealth {
    inner: HealthService,
    stopping: watch::Receiver<bool>,
}

impl EndingHealth {
    /// The health service reporting what `reporter` sets.
    pub fn server(
        reporter: &HealthReporter,
        stopping: watch::Receiver<bool>,
    ) -> HealthServer<Self> {
        HealthServer::new(Self {
            inner: HealthService::from_health_reporter(reporter.clone()),
            stopping,
        })
    }
}

type Responses = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Health for EndingHealth {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        self.inner.check(request).await
    }

    type WatchStream = Responses;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let statuses = self.inner.watch(request).await?.into_inner();
        let mut stopping = self.stopping.clone();
        let stopped = async move {
            // An error means the sender is gone: the server is gone too.
            let _ = stopping.wait_for(|stop| *stop).await;
        };
        Ok(Response::new(Box::pin(statuses.take_until(stopped))))
    }
}
