//! Logs and traces: `tracing` to stdout (pretty or JSON), plus span export
//! over OTLP/gRPC when an endpoint is configured.
//!
//! The standard OpenTelemetry variables work as in every SDK:
//! `OTEL_EXPORTER_OTLP_ENDPOINT` turns export on when
//! `telemetry.otlp_endpoint` is unset; `OTEL_SERVICE_NAME` names the service
//! unless `telemetry.service_name` is set to something other than its
//! default; `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` choose the
//! sampler (default: parent-based, always on). W3C trace context is
//! propagated whether or not spans are exported.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, TelemetrySettings};

/// `telemetry.service_name` when not set.
const DEFAULT_SERVICE_NAME: &str = "cart-service";

/// Keeps span export running; flushes it when dropped.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("span export did not shut down cleanly: {error}");
        }
    }
}

/// Why telemetry could not start.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The log filter does not parse.
    #[error("invalid setting telemetry.log_filter: {0}")]
    Filter(#[from] tracing_subscriber::filter::ParseError),
    /// The OTLP exporter could not be built.
    #[error("invalid setting telemetry.otlp_endpoint: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// A global subscriber was already installed.
    #[error("telemetry already initialised: {0}")]
    AlreadySet(#[from] tracing_subscriber::util::TryInitError),
}

/// Installs the global subscriber. Call once, from `main`, inside the runtime.
///
/// # Errors
/// [`TelemetryError`] naming the bad setting.
pub fn init(settings: &TelemetrySettings) -> Result<TelemetryGuard, TelemetryError> {
    let filter = EnvFilter::try_new(&settings.log_filter)?;
    let fmt = match settings.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().compact().boxed(),
    };
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    // The SDK reads the OTEL_* variables itself; this only decides whether
    // to export at all.
    let from_env = std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_some();
    let (otel, provider) = if settings.otlp_endpoint.is_some() || from_env {
        let mut exporter = opentelemetry_otlp::SpanExporter::builder().with_tonic();
        if let Some(endpoint) = &settings.otlp_endpoint {
            exporter = exporter.with_endpoint(endpoint.clone());
        }
        let mut resource = opentelemetry_sdk::Resource::builder();
        if std::env::var_os("OTEL_SERVICE_NAME").is_none()
            || settings.service_name != DEFAULT_SERVICE_NAME
        {
            resource = resource.with_service_name(settings.service_name.clone());
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter.build()?)
            .with_resource(resource.build())
            .build();
        let tracer = provider.tracer("cart-service");
        opentelemetry::global::set_tracer_provider(provider.clone());
        (
            Some(tracing_opentelemetry::layer().with_tracer(tracer)),
            Some(provider),
        )
    } else {
        (None, None)
    };
    // The log filter chooses log lines only: spans at INFO and above are
    // exported whatever it says (a quiet log still has traces).
    tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel.with_filter(tracing_subscriber::filter::LevelFilter::INFO))
        .try_init()?;
    Ok(TelemetryGuard { provider })
}
