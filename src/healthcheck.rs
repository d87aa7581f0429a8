//! `cart-service healthcheck`: asks this host's running service whether it
//! is ready (`grpc.health.v1.Health/Check` on `shop.cart.v1.CartService`),
//! for a container HEALTHCHECK with no extra probe binary. It calls the
//! plaintext health port when one is set (the main port may speak TLS),
//! else the main port.

use std::time::Duration;

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::config::Settings;
use crate::grpc::health::CART_SERVICE_NAME;

/// How long the whole check may take (below the HEALTHCHECK's timeout).
const DEADLINE: Duration = Duration::from_secs(3);

/// Ok when the local service reports SERVING.
///
/// # Errors
/// What the service answered instead, or why it could not be asked.
pub async fn check(settings: &Settings) -> Result<(), String> {
    tokio::time::timeout(DEADLINE, ask(settings))
        .await
        .map_err(|_| format!("no answer within {DEADLINE:?}"))?
}

async fn ask(settings: &Settings) -> Result<(), String> {
    let port = settings.server.health_port.unwrap_or(settings.server.port);
    let tls = settings.server.health_port.is_none() && settings.server.tls_cert_path.is_some();
    if tls {
        return Err("the main port speaks TLS: set server.health_port to check health".into());
    }
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .map_err(|e| e.to_string())?
        .connect_timeout(DEADLINE)
        .timeout(DEADLINE);
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| format!("cannot connect to 127.0.0.1:{port}: {e}"))?;
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: CART_SERVICE_NAME.into(),
        })
        .await
        .map_err(|s| format!("{:?}: {}", s.code(), s.message()))?;
    match response.into_inner().status() {
        ServingStatus::Serving => Ok(()),
        other => Err(format!("{CART_SERVICE_NAME} is {}", other.as_str_name())),
    }
}
