//! What tests check answers with: the code and details of a refused call
//! (decoded by the `cart-client` crate's `CartError`), money as text, and the
//! statuses the health service reports.

use cart_client::CartError;
use tonic::Code;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};
use tonic_types::ErrorDetails;

use super::harness::TestApp;

/// Asserts `result` failed with `code` and returns the error and its
/// details. Takes a `CartError` (the helpers' calls) or a raw `Status`.
pub fn expect_code<T: std::fmt::Debug, E: Into<CartError>>(
    result: Result<T, E>,
    code: Code,
) -> (CartError, ErrorDetails) {
    match result.map_err(Into::into) {
        Ok(value) => panic!("expected {code:?}, got success: {value:?}"),
        Err(error) => {
            assert_eq!(
                error.code(),
                code,
                "unexpected status: {:?}",
                error.status()
            );
            let details = error.details().clone();
            (error, details)
        }
    }
}

/// The ErrorInfo reason of `details`.
pub fn reason(details: &ErrorDetails) -> &str {
    details.error_info().map_or("", |i| i.reason.as_str())
}

/// The field paths of a BadRequest.
pub fn bad_fields(details: &ErrorDetails) -> Vec<String> {
    details
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

/// Money as a decimal string, e.g. "39.98".
pub fn amount(m: &Option<cart_client::proto::common::Money>) -> String {
    cart_client::money::to_decimal(m.as_ref().expect("money present")).to_string()
}

/// Waits for a health status through the Watch stream (no sleeping).
pub async fn wait_for(app: &TestApp, service: &str, wanted: ServingStatus) {
    let mut stream = app
        .health
        .clone()
        .watch(HealthCheckRequest {
            service: service.into(),
        })
        .await
        .expect("watch")
        .into_inner();
    while let Some(update) = stream.message().await.expect("watch stream") {
        if update.status == wanted as i32 {
            return;
        }
    }
    panic!("{service:?} never reached {wanted:?}");
}

/// The health status `app` reports for `service` ("" is liveness).
pub async fn status_of(app: &TestApp, service: &str) -> ServingStatus {
    let response = app
        .health
        .clone()
        .check(HealthCheckRequest {
            service: service.into(),
        })
        .await
        .expect("health check answers")
        .into_inner();
    ServingStatus::try_from(response.status).expect("known status")
}

/// Polls `check` every 20 ms until it holds, failing after `within`: a
/// bounded wait for an answer, never a sleep standing in for one.
pub async fn eventually<F, Fut>(what: &str, within: std::time::Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + within;
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(20));
    loop {
        tick.tick().await;
        if check().await {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not within {within:?}: {what}"
        );
    }
}
