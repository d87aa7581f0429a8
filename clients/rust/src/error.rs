//! A failed call, with the details the service sends decoded.

use std::time::Duration;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::proto::ErrorReason;

/// A failed call: its gRPC status and what its details say.
#[derive(Debug, Clone)]
pub struct CartError {
    status: Status,
    details: ErrorDetails,
}

impl CartError {
    /// The gRPC code.
    pub fn code(&self) -> Code {
        self.status.code()
    }

    /// The service's message (for logs, not for matching).
    pub fn message(&self) -> &str {
        self.status.message()
    }

    /// Why the call failed: the ErrorInfo's reason as the contract's enum;
    /// `Unspecified` when there is none (a transport failure before the
    /// service answered) or it is newer than this client.
    pub fn reason(&self) -> ErrorReason {
        self.details
            .error_info()
            .and_then(|info| ErrorReason::from_str_name(&info.reason))
            .unwrap_or(ErrorReason::Unspecified)
    }

    /// A metadata value of the ErrorInfo.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.details
            .error_info()
            .and_then(|info| info.metadata.get(key))
            .map(String::as_str)
    }

    /// OUT_OF_STOCK: how many units are available.
    pub fn available_quantity(&self) -> Option<u32> {
        self.metadata("available_quantity")?.parse().ok()
    }

    /// CONCURRENT_MODIFICATION: the cart's current version.
    pub fn current_version(&self) -> Option<i64> {
        self.metadata("current_version")?.parse().ok()
    }

    /// How long the service asks to wait before retrying (RetryInfo).
    pub fn retry_delay(&self) -> Option<Duration> {
        self.details.retry_info().and_then(|info| info.retry_delay)
    }

    /// INVALID_FIELD: each bad field and what is wrong with it.
    pub fn field_violations(&self) -> Vec<(String, String)> {
        self.details
            .bad_request()
            .map(|bad| {
                bad.field_violations
                    .iter()
                    .map(|v| (v.field.clone(), v.description.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every detail the status carried, decoded.
    pub fn details(&self) -> &ErrorDetails {
        &self.details
    }

    /// The status itself.
    pub fn status(&self) -> &Status {
        &self.status
    }
}

impl From<Status> for CartError {
    fn from(status: Status) -> Self {
        let details = status.get_error_details();
        Self { status, details }
    }
}

impl std::fmt::Display for CartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} {}: {}",
            self.code(),
            self.reason().as_str_name(),
            self.message()
        )
    }
}

impl std::error::Error for CartError {}
