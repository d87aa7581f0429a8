//! Logs and traces: `tracing` to stdout (pretty or JSON), plus span export
//! over OTLP/gRPC when an endpoint is configured.
//!
//! Log lines are written by a thread of their own (`tracing-appender`'s
//! non-blocking writer), not by the thread serving the call: formatting
//! stays on the call, the write to stdout does not (measured: 11% of a
//! GetCart's CPU, docs/benchmarks.md). The writer never drops a line: when
//! its buffer of 128,000 lines is full, callers wait for it.
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

/// Keeps span export and the log writer running; flushes both when
/// dropped.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
    _log_writer: tracing_appender::non_blocking::WorkerGuard,
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
    let (writer, log_writer) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::stdout());
    let fmt = match settings.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_writer(writer)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .compact()
            .with_writer(writer)
            .boxed(),
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
    Ok(TelemetryGuard {
        provider,
        _log_writer: log_writer,
    })
}
