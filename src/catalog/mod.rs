//! The catalog: where prices, product data and stock come from.
//!
//! [`Catalog`] is what the use cases need. Two implementations: [`GrpcCatalog`],
//! the client of a separate catalog service (`shop.catalog.v1`), and
//! [`FixtureCatalog`], a catalog held in memory from a JSON file, used by the
//! demo and served over gRPC by [`crate::catalog_server`] (the
//! `catalog-server` binary).

mod client;
pub(crate) mod convert;
mod fixture;
mod resilient;

use std::collections::HashMap;

pub use client::GrpcCatalog;
pub use fixture::{FixtureCatalog, FixtureError};
pub use resilient::{Resilience, ResilientCatalog};

use crate::domain::catalog::CatalogVariant;
use crate::domain::ids::VariantId;

/// Most variant ids asked for in one catalog request; larger lookups are split.
pub const MAX_BATCH: usize = 200;

/// Why the catalog gave no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogError {
    /// Down or overloaded (refused, reset, UNAVAILABLE): worth retrying.
    #[error("catalog unavailable: {0}")]
    Unavailable(String),
    /// No answer within the deadline: not retried at once (the caller has
    /// already waited a whole deadline).
    #[error("catalog timed out: {0}")]
    Timeout(String),
    /// Any other failure, including malformed answers.
    #[error("catalog failed: {0}")]
    Unexpected(String),
}

/// Looks variants up, many at a time.
#[async_trait::async_trait]
pub trait Catalog: Send + Sync + 'static {
    /// The variants among `ids` the catalog knows; unknown ids are absent from
    /// the map. One call however many ids (split into batches of
    /// [`MAX_BATCH`] underneath).
    ///
    /// # Errors
    /// [`CatalogError`] when the catalog does not answer.
    async fn variants(
        &self,
        ids: &[VariantId],
    ) -> Result<HashMap<VariantId, CatalogVariant>, CatalogError>;
}

impl std::fmt::Debug for dyn Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalog")
    }
}
