//! A gRPC server for `shop.catalog.v1` over a [`FixtureCatalog`]: what the demo,
//! docker-compose and the integration tests run as "the catalog service".
//!
//! It is a server of its own, beside the cart service: it uses the transport's
//! tracing layer, so it sits above [`crate::grpc`], not inside the catalog
//! port that the use cases depend on.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tonic::transport::ServerTlsConfig;
use tonic::{Request, Response, Status};

use crate::catalog::convert::variant_to_proto;
use crate::catalog::{FixtureCatalog, MAX_BATCH};
use crate::domain::ids::VariantId;
use crate::proto::shop::catalog::v1 as pb;
use crate::proto::shop::catalog::v1::catalog_service_server::{
    CatalogService, CatalogServiceServer,
};

/// The `CatalogService` implementation.
#[derive(Debug, Clone)]
pub struct FixtureCatalogService {
    catalog: Arc<FixtureCatalog>,
}

impl FixtureCatalogService {
    /// Serves `catalog`.
    pub fn new(catalog: Arc<FixtureCatalog>) -> Self {
        Self { catalog }
    }
}

#[tonic::async_trait]
impl CatalogService for FixtureCatalogService {
    async fn batch_get_variants(
        &self,
        request: Request<pb::BatchGetVariantsRequest>,
    ) -> Result<Response<pb::BatchGetVariantsResponse>, Status> {
        let raw = request.into_inner().variant_ids;
        if raw.len() > MAX_BATCH {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_BATCH} variant ids per request"
            )));
        }
        let mut ids = Vec::with_capacity(raw.len());
        for id in &raw {
            let id = VariantId::parse(id)
                .map_err(|e| Status::invalid_argument(format!("variant_ids: {e}")))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let found = self.catalog.lookup(&ids);
        let missing_variant_ids = ids
            .iter()
            .filter(|id| !found.contains_key(*id))
            .map(ToString::to_string)
            .collect();
        let variants = found.values().map(variant_to_proto).collect();
        Ok(Response::new(pb::BatchGetVariantsResponse {
            variants,
            missing_variant_ids,
        }))
    }
}

/// Serves `catalog` on `listener` (over TLS when `tls` is given) until
/// `shutdown` completes.
///
/// # Errors
/// The transport error when serving fails.
pub async fn serve(
    listener: TcpListener,
    catalog: Arc<FixtureCatalog>,
    tls: Option<ServerTlsConfig>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), tonic::transport::Error> {
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    // Each call's span joins the caller's trace (W3C trace context).
    builder
        .layer(crate::grpc::observe::ObserveLayer {
            metrics: crate::metrics::Metrics::new(),
            log: false,
        })
        .add_service(CatalogServiceServer::new(FixtureCatalogService::new(
            catalog,
        )))
        .serve_with_incoming_shutdown(
            crate::net::incoming(listener, crate::net::ConnectionLimits::default()),
            shutdown,
        )
        .await
}
