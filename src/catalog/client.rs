//! The gRPC client of the catalog service.
//!
//! Connects lazily (the cart service starts while the catalog is down), bounds
//! every call by a deadline, and decodes the catalog's failures into
//! [`CatalogError`]: deadline, unavailable, cancelled and overload become
//! `Unavailable` (retry later), anything else `Unexpected`.

use std::collections::HashMap;
use std::time::Duration;

use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Status};

use super::convert::variant_from_proto;
use super::{Catalog, CatalogError, MAX_BATCH};
use crate::domain::catalog::CatalogVariant;
use crate::domain::ids::VariantId;
use crate::proto::shop::catalog::v1 as pb;
use crate::proto::shop::catalog::v1::catalog_service_client::CatalogServiceClient;

/// A catalog service reached over gRPC.
#[derive(Debug, Clone)]
pub struct GrpcCatalog {
    client: CatalogServiceClient<Channel>,
}

impl GrpcCatalog {
    /// A client of the catalog at `url` (`http://host:port`, or `https://`
    /// with `tls`), each call bounded by `deadline`. No connection is made
    /// until the first call.
    ///
    /// # Errors
    /// A description when the URL or the TLS configuration is unusable.
    pub fn connect_lazy(
        url: &str,
        deadline: Duration,
        tls: Option<ClientTlsConfig>,
    ) -> Result<Self, String> {
        let mut endpoint = Endpoint::from_shared(url.to_owned())
            .map_err(|e| format!("invalid catalog URL {url:?}: {e}"))?
            .connect_timeout(deadline)
            .timeout(deadline)
            .tcp_nodelay(true);
        if let Some(tls) = tls {
            endpoint = endpoint
                .tls_config(tls)
                .map_err(|e| format!("catalog TLS: {e}"))?;
        }
        Ok(Self {
            client: CatalogServiceClient::new(endpoint.connect_lazy()),
        })
    }
}

fn decode(status: &Status) -> CatalogError {
    let what = format!("{:?}: {}", status.code(), status.message());
    match status.code() {
        Code::DeadlineExceeded | Code::Cancelled => CatalogError::Timeout(what),
        Code::Unavailable | Code::ResourceExhausted => CatalogError::Unavailable(what),
        // A transport failure before any answer (connection refused, reset)
        // reaches us as Unknown with a transport source.
        Code::Unknown if std::error::Error::source(status).is_some() => {
            CatalogError::Unavailable(what)
        }
        _ => CatalogError::Unexpected(what),
    }
}

/// Request metadata as the propagator writes it.
struct Metadata<'a>(&'a mut tonic::metadata::MetadataMap);

impl opentelemetry::propagation::Injector for Metadata<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (
            tonic::metadata::MetadataKey::from_bytes(key.as_bytes()),
            tonic::metadata::MetadataValue::try_from(value),
        ) {
            self.0.insert(key, value);
        }
    }
}

/// Puts the current span's W3C trace context (`traceparent`, `tracestate`)
/// in `metadata`, so the catalog's spans join this trace.
fn inject_trace_context(metadata: &mut tonic::metadata::MetadataMap) {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|p| {
        p.inject_context(&context, &mut Metadata(metadata));
    });
}

#[async_trait::async_trait]
impl Catalog for GrpcCatalog {
    #[tracing::instrument(
        name = "catalog",
        skip_all,
        fields(
            otel.name = "shop.catalog.v1.CatalogService/BatchGetVariants",
            otel.kind = "client",
            rpc.system = "grpc",
            rpc.service = "shop.catalog.v1.CatalogService",
            rpc.method = "BatchGetVariants",
            variants = ids.len(),
        )
    )]
    async fn variants(
        &self,
        ids: &[VariantId],
    ) -> Result<HashMap<VariantId, CatalogVariant>, CatalogError> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_BATCH) {
            let mut request = tonic::Request::new(pb::BatchGetVariantsRequest {
                variant_ids: chunk.iter().map(ToString::to_string).collect(),
            });
            inject_trace_context(request.metadata_mut());
            let response = self
                .client
                .clone()
                .batch_get_variants(request)
                .await
                .map_err(|s| decode(&s))?
                .into_inner();
            for variant in response.variants {
                let variant = variant_from_proto(variant).map_err(CatalogError::Unexpected)?;
                found.insert(variant.id.clone(), variant);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_and_unavailable_mean_retry_later() {
        for code in [Code::Unavailable, Code::ResourceExhausted] {
            assert!(matches!(
                decode(&Status::new(code, "x")),
                CatalogError::Unavailable(_)
            ));
        }
        for code in [Code::DeadlineExceeded, Code::Cancelled] {
            assert!(matches!(
                decode(&Status::new(code, "x")),
                CatalogError::Timeout(_)
            ));
        }
        assert!(matches!(
            decode(&Status::invalid_argument("x")),
            CatalogError::Unexpected(_)
        ));
    }
}
