//! The service's listening sockets, bound before anything else at start-up
//! (a port that is taken is reported with the setting that chose it, before
//! any migration runs).

use std::net::SocketAddr;

use tokio::net::TcpListener;

use super::error::StartupError;
use crate::config::Settings;

/// A bound listener and its address.
pub(crate) type Bound = (TcpListener, SocketAddr);

/// The API's listener, then the health-only and admin ones when set.
pub(crate) type Listeners = (Bound, Option<Bound>, Option<Bound>);

/// A listener on `host:port`, the port chosen by `setting`.
async fn bind(
    host: &str,
    port: u16,
    setting: &'static str,
) -> Result<(TcpListener, SocketAddr), StartupError> {
    let addr = format!("{host}:{port}");
    let bound = match TcpListener::bind(&addr).await {
        Ok(listener) => listener.local_addr().map(|local| (listener, local)),
        Err(error) => Err(error),
    };
    bound.map_err(|source| StartupError::Bind {
        addr,
        setting,
        source,
    })
}

/// The listeners of `settings`: the API's, then the health-only and admin
/// ports when set.
pub(crate) async fn listeners(settings: &Settings) -> Result<Listeners, StartupError> {
    let host = &settings.server.host;
    let api = bind(host, settings.server.port, "server.port").await?;
    let health = match settings.server.health_port {
        Some(port) => Some(bind(host, port, "server.health_port").await?),
        None => None,
    };
    let admin = match settings.telemetry.metrics_port {
        Some(port) => Some(bind(host, port, "telemetry.metrics_port").await?),
        None => None,
    };
    Ok((api, health, admin))
}
