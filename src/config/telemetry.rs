//! The `telemetry` section (`CART__TELEMETRY__…`): logs, the access log,
//! span export and the metrics listener.

use serde::Deserialize;

/// Log format.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Logs and traces.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetrySettings {
    /// Log format.
    pub log_format: LogFormat,
    /// `tracing` filter directives (as in `RUST_LOG`).
    pub log_filter: String,
    /// OTLP/gRPC collector endpoint (e.g. `http://otel-collector:4317`);
    /// unset: no span export.
    pub otlp_endpoint: Option<String>,
    /// `service.name` of exported spans.
    pub service_name: String,
    /// Port of the admin HTTP listener serving `/metrics` (Prometheus text
    /// format), on `server.host`; unset: no admin listener.
    pub metrics_port: Option<u16>,
    /// One log line per call (target `access`).
    pub access_log: bool,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            log_format: LogFormat::Pretty,
            log_filter: "info".into(),
            otlp_endpoint: None,
            service_name: "cart-service".into(),
            metrics_port: Some(9464),
            access_log: true,
        }
    }
}
