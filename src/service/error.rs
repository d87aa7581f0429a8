//! Why a use case failed: the one error type the transport maps to a status.

use crate::domain::rules::Rejection;
use crate::storage::StorageError;

/// Why a use case failed. Every use case is one transaction: when it fails,
/// nothing it meant to write was written (a commit that fails in flight may
/// or may not have been applied; `request_id` is what makes that safe).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A cart rule refused the change. A catalog that did not answer a call
    /// needing it is `Rejection::CatalogUnavailable`.
    #[error("refused: {0:?}")]
    Rejected(Rejection),
    /// The caller's `expected_version` (AIP-154) is not the cart's.
    #[error("the cart is at version {current}, not {expected}")]
    VersionMismatch {
        /// What the caller expected.
        expected: i64,
        /// The cart's version (0: no cart).
        current: i64,
    },
    /// The request id (AIP-155) was used before for another request.
    #[error("the request id was used for another request")]
    RequestIdReused,
    /// A call with the same request id is still running; retrying shortly
    /// gets its response.
    #[error("a call with this request id is still running")]
    RequestInProgress,
    /// The database cannot be reached or is overloaded: retrying later may
    /// work.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] StorageError),
    /// A write kept conflicting with concurrent writes after its retries.
    #[error("transaction conflict")]
    Conflict(#[source] StorageError),
    /// Anything unexpected (corrupt data, a failing statement).
    #[error("storage failure")]
    Internal(#[source] StorageError),
}

impl ServiceError {
    /// A refusal: the transaction is rolled back at once, and the caller is
    /// told why.
    pub(super) fn is_refusal(&self) -> bool {
        matches!(self, Self::Rejected(_) | Self::VersionMismatch { .. })
    }
}

impl From<Rejection> for ServiceError {
    fn from(r: Rejection) -> Self {
        Self::Rejected(r)
    }
}

impl From<StorageError> for ServiceError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Unavailable(_) => Self::DatabaseUnavailable(error),
            StorageError::Conflict(_) => Self::Conflict(error),
            StorageError::Corrupt(_) | StorageError::Other(_) => Self::Internal(error),
        }
    }
}
