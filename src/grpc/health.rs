//! `grpc.health.v1.Health` whose Watch streams end when the server stops.
//!
//! tonic-health's Watch stream never ends by itself: at shutdown it sends
//! NOT_SERVING and stays open, and a graceful shutdown waits for every open
//! stream, so one watcher (gRPC's client-side health checking opens exactly
//! this stream) held shutdown for the whole grace period. Here each Watch
//! stream ends with OK once `stopping` turns true, after sending a status
//! already waiting (the NOT_SERVING shutdown set just before); the gRPC
//! health protocol tells clients to call again, by which time this replica
//! is gone.

use std::pin::Pin;

use crate::shutdown::Shutdown;
use futures::{FutureExt, Stream, StreamExt};
use tonic::{Request, Response, Status};
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
use tonic_health::server::{HealthReporter, HealthService};

/// The health-service name of the cart API's readiness, what Kubernetes
/// probes ask about.
pub const CART_SERVICE_NAME: &str = API_SERVICE_NAMES[0];

/// Every service of the API, each with a health status of its own (all move
/// together: one database serves them all). From the generated code, so a
/// name is spelled nowhere else.
pub const API_SERVICE_NAMES: [&str; 5] = {
    use crate::proto::shop::cart::v1 as pb;
    [
        pb::cart_service_server::SERVICE_NAME,
        pb::shopping_list_service_server::SERVICE_NAME,
        pb::cart_share_service_server::SERVICE_NAME,
        pb::cart_recovery_service_server::SERVICE_NAME,
        pb::cart_admin_service_server::SERVICE_NAME,
    ]
};

/// The health service of a server that stops when `stopping` says so.
pub struct EndingHealth {
    inner: HealthService,
    stopping: Shutdown,
}

impl EndingHealth {
    /// The health service reporting what `reporter` sets.
    pub fn server(reporter: &HealthReporter, stopping: Shutdown) -> HealthServer<Self> {
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
        let stopping = self.stopping.clone();
        let stopped = Box::pin(async move { stopping.stopped().await });
        // A status waiting to be sent goes before the end: shutdown sets
        // NOT_SERVING and may stop at once (no drain delay), and a watcher
        // must still see NOT_SERVING.
        let ending = futures::stream::unfold(
            (statuses, stopped, false),
            |(mut statuses, mut stopped, ended)| async move {
                if ended {
                    return None;
                }
                tokio::select! {
                    biased;
                    status = statuses.next() => status.map(|s| (s, (statuses, stopped, false))),
                    () = &mut stopped => {
                        let last = statuses.next().now_or_never().flatten()?;
                        Some((last, (statuses, stopped, true)))
                    }
                }
            },
        );
        Ok(Response::new(Box::pin(ending)))
    }
}

#[cfg(test)]
mod tests {
    use tonic_health::ServingStatus;

    use super::*;

    #[tokio::test]
    async fn a_watcher_sees_not_serving_even_when_the_stop_comes_at_once() {
        let (reporter, _) = tonic_health::server::health_reporter();
        reporter
            .set_service_status("", ServingStatus::Serving)
            .await;
        let (stop, stopping) = crate::shutdown::Stopper::new();
        let health = EndingHealth {
            inner: HealthService::from_health_reporter(reporter.clone()),
            stopping,
        };
        let request = Request::new(HealthCheckRequest {
            service: String::new(),
        });
        let mut statuses = health.watch(request).await.expect("watch").into_inner();
        let first = statuses.next().await.expect("first").expect("ok");
        assert_eq!(first.status, ServingStatus::Serving as i32);
        // Shutdown without a drain delay: NOT_SERVING, then the stop.
        reporter
            .set_service_status("", ServingStatus::NotServing)
            .await;
        stop.stop();
        let last = statuses.next().await.expect("an update").expect("ok");
        assert_eq!(last.status, ServingStatus::NotServing as i32);
        assert!(statuses.next().await.is_none(), "then the stream ends");
    }
}
