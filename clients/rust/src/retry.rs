//! Which failures a call retries, and how long it waits.

use std::time::Duration;

use tonic::Code;

use crate::CartError;
use crate::proto::ErrorReason;

/// Retries of one logical call. Every write is sent with the same
/// `request_id` on each attempt, so retrying is safe whatever the failure:
/// the service answers a repeat with the first response.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: never retry).
    pub max_attempts: u32,
    /// Wait before the first retry when the service gave no RetryInfo;
    /// doubled for each further retry.
    pub backoff: Duration,
    /// Longest wait between attempts, RetryInfo included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            backoff: Duration::from_millis(50),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// One attempt, never a retry: for callers that retry by themselves, and
    /// for load generators that count every failure. Writes are then sent as
    /// given: no `request_id` is made for them (there is no retry for it to
    /// protect); set your own to make your own retries safe.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Whether a failed call may be sent again.
    pub fn retries(&self) -> bool {
        self.max_attempts > 1
    }

    /// How long to wait before attempt `attempt + 1` after `error`, or `None`
    /// when it is not worth retrying (a refusal that a retry cannot change,
    /// or the attempts are used up).
    pub fn delay(&self, error: &CartError, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let transient = matches!(
            error.reason(),
            ErrorReason::RequestInProgress
                | ErrorReason::CatalogUnavailable
                | ErrorReason::DatabaseUnavailable
                | ErrorReason::RateLimited
                | ErrorReason::Overloaded
        ) || (error.code() == Code::Unavailable
            && error.reason() == ErrorReason::Unspecified);
        if !transient {
            return None;
        }
        let backoff = self.backoff * 2u32.saturating_pow(attempt.saturating_sub(1));
        Some(error.retry_delay().unwrap_or(backoff).min(self.max_delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Status;
    use tonic_types::{ErrorDetails, StatusExt};

    fn error(code: Code, reason: Option<&str>, retry_after: Option<Duration>) -> CartError {
        let mut details = ErrorDetails::new();
        if let Some(reason) = reason {
            details.set_error_info(reason, "cart.shop", std::collections::HashMap::new());
        }
        if let Some(delay) = retry_after {
            details.set_retry_info(Some(delay));
        }
        CartError::from(Status::with_error_details(code, "x", details))
    }

    #[test]
    fn transient_failures_wait_what_the_service_says_and_refusals_are_final() {
        let policy = RetryPolicy::default();
        let limited = error(
            Code::ResourceExhausted,
            Some("RATE_LIMITED"),
            Some(Duration::from_millis(700)),
        );
        assert_eq!(policy.delay(&limited, 1), Some(Duration::from_millis(700)));
        // No RetryInfo: the backoff, doubling.
        let down = error(Code::Unavailable, None, None);
        assert_eq!(policy.delay(&down, 1), Some(Duration::from_millis(50)));
        assert_eq!(policy.delay(&down, 3), Some(Duration::from_millis(200)));
        assert_eq!(policy.delay(&down, policy.max_attempts), None);
        // Never longer than the cap.
        let slow = error(
            Code::Unavailable,
            Some("CATALOG_UNAVAILABLE"),
            Some(Duration::from_secs(60)),
        );
        assert_eq!(policy.delay(&slow, 1), Some(policy.max_delay));
        // `never`: the first failure is the answer.
        assert!(!RetryPolicy::never().retries());
        assert_eq!(RetryPolicy::never().delay(&limited, 1), None);
        // A refusal a retry cannot change is returned at once.
        for (code, reason) in [
            (Code::FailedPrecondition, "OUT_OF_STOCK"),
            (Code::Aborted, "CONCURRENT_MODIFICATION"),
            (Code::InvalidArgument, "INVALID_FIELD"),
        ] {
            assert_eq!(policy.delay(&error(code, Some(reason), None), 1), None);
        }
    }
}
