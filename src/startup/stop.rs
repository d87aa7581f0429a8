//! The stop, in the order Kubernetes and the jobs need:
//!
//! 1. NOT_SERVING for every service's health name and for "", while still
//!    accepting for the drain delay, so that Check probes and endpoint
//!    controllers see it and stop sending new calls here;
//! 2. no longer accepting: Watch streams (health's and WatchCart's) end;
//! 3. background jobs are told to stop and finish their unit of work (the
//!    e-mail in hand sent and recorded, unsent claims given back; the
//!    maintenance batch committed);
//! 4. open calls drain;
//! 5. exit.
//!
//! Steps 2 to 4 begin at one moment (the stopper's word); the stop then
//! waits for the jobs, then for the calls, within one grace period: what
//! is still running at its end is cut off. A second signal (`main`) stops
//! the process at once.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use super::error::StartupError;
use crate::grpc::health::API_SERVICE_NAMES;
use crate::shutdown::Stopper;

/// Stops the service in the order above; `(delay, grace)` are the drain
/// delay and the grace period.
pub(crate) async fn stop(
    health: &HealthReporter,
    stopper: &Stopper,
    server: &mut JoinHandle<Result<(), tonic::transport::Error>>,
    jobs: Vec<JoinHandle<()>>,
    (delay, grace): (Duration, Duration),
) -> Result<(), StartupError> {
    tracing::info!(
        ?delay,
        "shutting down: reporting NOT_SERVING, still accepting"
    );
    for name in API_SERVICE_NAMES {
        health
            .set_service_status(name, ServingStatus::NotServing)
            .await;
    }
    health
        .set_service_status("", ServingStatus::NotServing)
        .await;
    tokio::time::sleep(delay).await;
    tracing::info!("no longer accepting; stopping jobs, then draining open calls");
    stopper.stop();
    let deadline = Instant::now() + grace;
    for mut job in jobs {
        if tokio::time::timeout_at(deadline, &mut job).await.is_err() {
            tracing::warn!(?grace, "grace period over; cutting off a job");
            job.abort();
        }
    }
    match tokio::time::timeout_at(deadline, &mut *server).await {
        Ok(Ok(result)) => result?,
        Ok(Err(join)) => tracing::error!(error = %join, "server task failed"),
        Err(_) => {
            tracing::warn!(?grace, "grace period over; cutting off open calls");
            server.abort();
        }
    }
    Ok(())
}
