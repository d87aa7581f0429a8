//! Use cases. Each call is one database transaction; the catalog is asked once
//! per call, before the transaction, so no lock is held across a network call.

mod cart;

pub use cart::{
    CartService, Encoder, EventPage, Idempotency, Policy, WriteOptions, WriteResult, Written,
};

use crate::domain::rules::Rejection;
use crate::storage::StorageError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A cart rule refused the change; nothing was written. A catalog that
    /// did not answer a call needing it is `Rejection::CatalogUnavailable`.
    #[error("refused: {0:?}")]
    Rejected(Rejection),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<Rejection> for ServiceError {
    fn from(r: Rejection) -> Self {
        Self::Rejected(r)
    }
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Storage(err.into())
    }
}
