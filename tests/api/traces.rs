//! Traces across the catalog hop, as an OTLP collector receives them: the
//! cart service and the catalog server run as processes exporting to a real
//! OTLP trace receiver started here.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use cart_client::proto as pb;
use cart_client::proto::CartServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::Span;
use tokio::sync::mpsc;
use tonic::Code;
use tonic::metadata::MetadataValue;

use crate::support::*;

/// An OTLP trace receiver: every span it is sent goes to the channel.
struct Receiver(mpsc::UnboundedSender<Span>);

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                for span in scope.spans {
                    let _ = self.0.send(span);
                }
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

fn spawn(binary: &str, args: &[&str], otlp: SocketAddr, env: &[(&str, String)]) -> Process {
    let mut command = Command::new(binary);
    command
        .args(args)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{otlp}"))
        .env("OTEL_BSP_SCHEDULE_DELAY", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    Process(command.spawn().expect("process starts"))
}

fn traced<T>(message: T, trace_id: &str, parent: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let value = format!("00-{trace_id}-{parent}-01");
    request.metadata_mut().insert(
        "traceparent",
        MetadataValue::try_from(value).expect("header"),
    );
    request
}

/// Receives spans into `seen` until `found` finds what it looks for.
async fn until<T>(
    spans: &mut mpsc::UnboundedReceiver<Span>,
    seen: &mut Vec<Span>,
    found: impl Fn(&[Span]) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = found(seen) {
            return found;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, spans.recv()).await {
            Ok(Some(span)) => seen.push(span),
            _ => panic!(
                "spans missing; received: {:?}",
                seen.iter()
                    .map(|s| (hex(&s.trace_id), s.name.clone(), s.kind))
                    .collect::<Vec<_>>()
            ),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const SERVER: i32 = 2;
const CLIENT: i32 = 3;
const STATUS_ERROR: i32 = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_spans_the_cart_service_and_the_catalog_and_errors_are_marked() {
    let (spans_tx, mut spans) = mpsc::unbounded_channel();
    let otlp = free_addr();
    let receiver = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(Receiver(spans_tx)))
            .serve(otlp),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog_addr = free_addr();
    let catalog = spawn(
        env!("CARGO_BIN_EXE_catalog-server"),
        &[
            "--addr",
            &catalog_addr.to_string(),
            "--fixture",
            "demo/catalog.json",
        ],
        otlp,
        &[],
    );
    let cart_addr = free_addr();
    let _cart = spawn(
        env!("CARGO_BIN_EXE_cart-service"),
        &[],
        otlp,
        &[
            ("CART__SERVER__HOST", "127.0.0.1".into()),
            ("CART__SERVER__PORT", cart_addr.port().to_string()),
            ("CART__SERVER__DRAIN_DELAY_MS", "0".into()),
            ("CART__TELEMETRY__METRICS_PORT", "0".into()),
            (
                "CART__DATABASE__URL",
                format!("sqlite://{}/cart.db?mode=rwc", dir.path().display()),
            ),
            ("CART__CATALOG__URL", format!("http://{catalog_addr}")),
            ("CART__CATALOG__CACHE_TTL_MS", "0".into()),
            ("CART__CATALOG__RETRIES", "0".into()),
        ],
    );
    connect_when_up(catalog_addr).await;
    let mut client = CartServiceClient::new(connect_when_up(cart_addr).await);

    let ok_trace = "0af7651916cd43dd8448eb211c80319c";
    let caller = "b7ad6b7169203331";
    client
        .add_item(traced(add_tee_request("traced", 1), ok_trace, caller))
        .await
        .expect("added");
    let mut seen: Vec<Span> = Vec::new();
    // The cart's SERVER span under the caller's, the catalog call (CLIENT)
    // inside it, and the catalog server's SERVER span under that call.
    let hop = |seen: &[Span]| {
        let trace: Vec<&Span> = seen
            .iter()
            .filter(|s| hex(&s.trace_id) == ok_trace)
            .collect();
        let cart = trace
            .iter()
            .find(|s| s.kind == SERVER && s.name.contains("CartService/AddItem"))?;
        let within = |span: &Span| {
            let mut parent = span.parent_span_id.clone();
            while let Some(up) = trace.iter().find(|s| s.span_id == parent) {
                if up.span_id == cart.span_id {
                    return true;
                }
                parent = up.parent_span_id.clone();
            }
            false
        };
        let call = trace.iter().find(|s| s.kind == CLIENT && within(s))?;
        let served = trace
            .iter()
            .find(|s| s.kind == SERVER && s.parent_span_id == call.span_id)?;
        Some(((*cart).clone(), (*call).clone(), (*served).clone()))
    };
    let (cart, call, served) = until(&mut spans, &mut seen, hop).await;
    assert_eq!(
        hex(&cart.parent_span_id),
        caller,
        "the caller's span is the parent"
    );
    assert!(
        call.name.contains("CatalogService/BatchGetVariants"),
        "{}",
        call.name
    );
    assert!(
        served.name.contains("CatalogService/BatchGetVariants"),
        "{}",
        served.name
    );
    assert_ne!(cart.status.as_ref().map(|s| s.code), Some(STATUS_ERROR));

    // The catalog gone: the next add is UNAVAILABLE, a server-side code.
    drop(catalog);
    let failed_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let other = pb::AddItemRequest {
        variant_id: "var-socks-3pack".into(),
        ..add_tee_request("traced", 1)
    };
    expect_code(
        client.add_item(traced(other, failed_trace, caller)).await,
        Code::Unavailable,
    );
    let failed = until(&mut spans, &mut seen, |seen| {
        seen.iter()
            .find(|s| {
                hex(&s.trace_id) == failed_trace
                    && s.kind == SERVER
                    && s.name.contains("CartService/AddItem")
            })
            .cloned()
    })
    .await;
    assert_eq!(failed.status.as_ref().map(|s| s.code), Some(STATUS_ERROR));
    let attribute = |span: &Span, key: &str| {
        span.attributes
            .iter()
            .find(|a| a.key == key)
            .and_then(|a| a.value.clone())
            .map(|v| format!("{:?}", v.value))
    };
    assert!(attribute(&cart, "rpc.system").is_some_and(|v| v.contains("grpc")));
    assert!(attribute(&failed, "rpc.grpc.status_code").is_some_and(|v| v.contains("14")));
    receiver.abort();
}
