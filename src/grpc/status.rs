//! The one mapping from errors to gRPC `Status`, with google.rpc details.
//!
//! Exhaustive on purpose: a new error variant does not compile until it has a
//! code. INTERNAL reaches the caller as an opaque message; its cause chain is
//! logged here, once.
//!
//! Kept as one file because the mapping is one table — every refusal, its code, its
//! details and its reason — read against `docs/errors.md`, and its test
//! checks that table against the `ErrorReason` enum both ways; split, the
//! table would have to be read in pieces.

use std::collections::HashMap;
use std::time::Duration;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::domain::quantity::MAX_LINE_QUANTITY;
use crate::domain::rules::Rejection;
use crate::proto::shop::cart::v1::ErrorReason;
use crate::service::ServiceError;

/// The `domain` of every `google.rpc.ErrorInfo` this service sends.
pub const ERROR_DOMAIN: &str = "cart.shop";

/// How long a caller should wait before retrying an UNAVAILABLE call.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// How long a caller should wait before retrying a call whose request id is
/// still being served.
const IN_PROGRESS_RETRY_AFTER: Duration = Duration::from_millis(100);

/// How long a caller should wait after its call was shed for overload.
const OVERLOAD_RETRY_AFTER: Duration = Duration::from_millis(200);

/// A request field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// Path of the field, e.g. `shopper.session_id`.
    pub field: String,
    /// What is wrong.
    pub description: String,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request fields: INVALID_ARGUMENT with BadRequest.
    #[error("invalid request")]
    InvalidArgument(Vec<FieldViolation>),
    /// A use case failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The session used up its write budget: RESOURCE_EXHAUSTED with
    /// RetryInfo saying when the next write is allowed.
    #[error("rate limited")]
    RateLimited {
        /// Until the next write is allowed.
        retry_after: Duration,
    },
    /// Too many calls in flight on this replica: RESOURCE_EXHAUSTED, shed at
    /// once.
    #[error("overloaded")]
    Overloaded,
}

fn error_info(
    reason: ErrorReason,
    metadata: &[(&str, String)],
) -> (String, String, HashMap<String, String>) {
    (
        reason.as_str_name().to_owned(),
        ERROR_DOMAIN.to_owned(),
        metadata
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn not_found(resource_type: &str, name: &str, reason: ErrorReason, message: String) -> Status {
    let mut details = ErrorDetails::with_resource_info(resource_type, name, "", message.clone());
    let (reason, domain, meta) = error_info(reason, &[]);
    details.set_error_info(reason, domain, meta);
    Status::with_error_details(Code::NotFound, message, details)
}

fn precondition(
    kind: &str,
    subject: String,
    reason: ErrorReason,
    metadata: &[(&str, String)],
    message: String,
) -> Status {
    let mut details =
        ErrorDetails::with_precondition_failure_violation(kind, subject, message.clone());
    let (reason, domain, meta) = error_info(reason, metadata);
    details.set_error_info(reason, domain, meta);
    Status::with_error_details(Code::FailedPrecondition, message, details)
}

fn unavailable(reason: ErrorReason, message: &str) -> Status {
    let mut details = ErrorDetails::with_retry_info(Some(RETRY_AFTER));
    let (reason, domain, meta) = error_info(reason, &[]);
    details.set_error_info(reason, domain, meta);
    Status::with_error_details(Code::Unavailable, message, details)
}

fn internal(error: &dyn std::error::Error) -> Status {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "internal error");
    reasoned(Code::Internal, "internal error", ErrorReason::InternalError)
}

/// How long a watcher refused for the caps should wait before trying again.
const WATCHERS_RETRY_AFTER: Duration = Duration::from_secs(5);

/// RESOURCE_EXHAUSTED for a WatchCart past a watcher cap.
pub fn too_many_watchers(refused: crate::live::Refused) -> Status {
    let message = format!(
        "too many WatchCart streams for this {} (at most {}); retry later",
        refused.scope, refused.limit
    );
    let mut details = ErrorDetails::with_retry_info(Some(WATCHERS_RETRY_AFTER));
    details.add_quota_failure_violation(refused.scope, message.clone());
    let (reason, domain, meta) = error_info(
        ErrorReason::TooManyWatchers,
        &[
            ("scope", refused.scope.to_owned()),
            ("limit", refused.limit.to_string()),
        ],
    );
    details.set_error_info(reason, domain, meta);
    Status::with_error_details(Code::ResourceExhausted, message, details)
}

/// UNAVAILABLE for a WatchCart stream ended by the replica's shutdown.
pub fn replica_stopping() -> Status {
    reasoned(
        Code::Unavailable,
        "this replica is shutting down; watch again (another replica answers)",
        ErrorReason::ReplicaStopping,
    )
}

/// A status with only an ErrorInfo of `reason` for details: for refusals
/// that have nothing more to say (authentication, undecodable messages).
pub fn reasoned(code: Code, message: impl Into<String>, reason: ErrorReason) -> Status {
    let mut details = ErrorDetails::new();
    let (reason, domain, meta) = error_info(reason, &[]);
    details.set_error_info(reason, domain, meta);
    Status::with_error_details(code, message.into(), details)
}

/// The status of each cart-rule refusal. One arm per [`Rejection`], kept in
/// one function on purpose: it is the table a reader checks against
/// `docs/errors.md`, and the exhaustive match makes a new refusal fail to
/// compile until it has a code and a reason.
fn rejection_status(rejection: &Rejection) -> Status {
    match rejection {
        Rejection::VariantNotFound(v) => not_found(
            "shop.catalog.v1.Variant",
            v.as_str(),
            ErrorReason::VariantNotFound,
            format!("variant {v} does not exist"),
        ),
        Rejection::VariantNotOfProduct {
            variant_id,
            product_id,
        } => not_found(
            "shop.catalog.v1.Variant",
            &format!("products/{product_id}/variants/{variant_id}"),
            ErrorReason::VariantNotFound,
            format!("product {product_id} has no variant {variant_id}"),
        ),
        Rejection::ItemNotFound(id) => not_found(
            "shop.cart.v1.CartItem",
            &id.to_string(),
            ErrorReason::ItemNotFound,
            format!("item {id} is not in the shopper's cart"),
        ),
        Rejection::VariantInactive(v) => precondition(
            "AVAILABILITY",
            format!("variants/{v}"),
            ErrorReason::VariantInactive,
            &[("variant_id", v.to_string())],
            format!("variant {v} can no longer be bought"),
        ),
        Rejection::OutOfStock {
            variant_id,
            requested,
            available,
        } => precondition(
            "STOCK",
            format!("variants/{variant_id}"),
            ErrorReason::OutOfStock,
            &[
                ("variant_id", variant_id.to_string()),
                ("requested_quantity", requested.to_string()),
                ("available_quantity", available.to_string()),
            ],
            format!("{requested} of variant {variant_id} requested, {available} available"),
        ),
        Rejection::LineQuantityLimit {
            variant_id,
            requested,
        } => precondition(
            "LIMIT",
            format!("variants/{variant_id}"),
            ErrorReason::LineQuantityLimit,
            &[
                ("variant_id", variant_id.to_string()),
                ("requested_quantity", requested.to_string()),
                ("max_quantity", MAX_LINE_QUANTITY.to_string()),
            ],
            format!("a line holds at most {MAX_LINE_QUANTITY} units; {requested} requested"),
        ),
        Rejection::CartLineLimit { max_lines } => precondition(
            "LIMIT",
            "cart".to_owned(),
            ErrorReason::CartLineLimit,
            &[("max_lines", max_lines.to_string())],
            format!("a cart holds at most {max_lines} distinct items"),
        ),
        Rejection::CurrencyMismatch { cart, price } => precondition(
            "CURRENCY",
            "cart".to_owned(),
            ErrorReason::CurrencyMismatch,
            &[
                ("cart_currency", cart.to_string()),
                ("price_currency", price.to_string()),
            ],
            format!("the cart is in {cart}; the item is priced in {price}"),
        ),
        Rejection::CatalogUnavailable => unavailable(
            ErrorReason::CatalogUnavailable,
            "the catalog is unavailable; retry later",
        ),
        Rejection::CartNotFound(id) => not_found(
            "shop.cart.v1.Cart",
            &id.to_string(),
            ErrorReason::CartNotFound,
            format!("cart {id} does not exist"),
        ),
        Rejection::CartAlreadyCompleted(id) => precondition(
            "STATUS",
            format!("carts/{id}"),
            ErrorReason::CartAlreadyCompleted,
            &[("cart_id", id.to_string())],
            format!("cart {id} was completed by another order"),
        ),
        Rejection::CartNotActive { cart_id, status } => precondition(
            "STATUS",
            format!("carts/{cart_id}"),
            ErrorReason::CartNotActive,
            &[
                ("cart_id", cart_id.to_string()),
                ("status", status.as_str().to_owned()),
            ],
            format!("cart {cart_id} is {}", status.as_str()),
        ),
        Rejection::CartExpired(id) => precondition(
            "STATUS",
            format!("carts/{id}"),
            ErrorReason::CartExpired,
            &[("cart_id", id.to_string())],
            format!("cart {id} has expired"),
        ),
        Rejection::CartEmpty(id) => precondition(
            "STATUS",
            format!("carts/{id}"),
            ErrorReason::CartEmpty,
            &[("cart_id", id.to_string())],
            format!("cart {id} has no items"),
        ),
        Rejection::RecoveryDisabled => precondition(
            "CONFIGURATION",
            "recovery".to_owned(),
            ErrorReason::RecoveryDisabled,
            &[],
            "cart recovery is not configured on this service".to_owned(),
        ),
        Rejection::RecoveryTokenInvalid => bad_token(
            ErrorReason::RecoveryTokenInvalid,
            "the token is not a valid token of this kind",
        ),
        Rejection::RecoveryTokenExpired => bad_token(
            ErrorReason::RecoveryTokenExpired,
            "the recovery link has expired",
        ),
        Rejection::InBatch { index, rejection } => in_batch(*index, rejection_status(rejection)),
        Rejection::CartNotCompleted { cart_id, status } => precondition(
            "STATUS",
            format!("carts/{cart_id}"),
            ErrorReason::CartNotCompleted,
            &[
                ("cart_id", cart_id.to_string()),
                ("status", status.as_str().to_owned()),
            ],
            format!(
                "cart {cart_id} is {}, not completed: only an order can be reordered",
                status.as_str()
            ),
        ),
        Rejection::ListNotFound(id) => not_found(
            "shop.cart.v1.ShoppingList",
            &id.to_string(),
            ErrorReason::ListNotFound,
            format!("list {id} is not one of the shopper's lists"),
        ),
        Rejection::ListItemNotFound(id) => not_found(
            "shop.cart.v1.ShoppingListItem",
            &id.to_string(),
            ErrorReason::ListItemNotFound,
            format!("item {id} is not in the shopper's lists"),
        ),
        Rejection::ListFull { list_id, max_items } => precondition(
            "LIMIT",
            format!("lists/{list_id}"),
            ErrorReason::ListFull,
            &[
                ("list_id", list_id.to_string()),
                ("max_items", max_items.to_string()),
            ],
            format!("the list already holds its most items ({max_items})"),
        ),
        Rejection::ListLimit { max_lists } => precondition(
            "LIMIT",
            "lists".to_owned(),
            ErrorReason::ListLimit,
            &[("max_lists", max_lists.to_string())],
            format!("the customer already has their most wish lists ({max_lists})"),
        ),
        Rejection::ListNameTaken(name) => {
            let message = format!("a wish list named {name:?} already exists");
            let mut details = ErrorDetails::with_resource_info(
                "shop.cart.v1.ShoppingList",
                name.clone(),
                "",
                message.clone(),
            );
            let (reason, domain, meta) = error_info(ErrorReason::ListNameTaken, &[]);
            details.set_error_info(reason, domain, meta);
            Status::with_error_details(Code::AlreadyExists, message, details)
        }
        Rejection::ShareNotFound => not_found(
            "shop.cart.v1.SharedCart",
            "token",
            ErrorReason::ShareNotFound,
            "no share link has that token: it may have been revoked or have expired".to_owned(),
        ),
        Rejection::ShareIdNotFound(id) => not_found(
            "shop.cart.v1.CartShare",
            &id.to_string(),
            ErrorReason::ShareNotFound,
            format!("share {id} is not a share of the shopper's carts"),
        ),
        Rejection::ShareOfOwnCart => precondition(
            "OWNER",
            "token".to_owned(),
            ErrorReason::ShareOfOwnCart,
            &[],
            "this link shares the caller's own cart: there is nothing to copy".to_owned(),
        ),
        Rejection::NothingToShare => precondition(
            "EMPTY",
            "cart".to_owned(),
            ErrorReason::CartEmpty,
            &[],
            "the shopper's cart is empty: there is nothing to share".to_owned(),
        ),
        Rejection::SharedCartEmpty => precondition(
            "EMPTY",
            "token".to_owned(),
            ErrorReason::CartEmpty,
            &[],
            "the shared cart is empty: there is nothing to copy".to_owned(),
        ),
        Rejection::WishListsNeedSignIn => precondition(
            "AUTHENTICATION",
            "lists".to_owned(),
            ErrorReason::SignInRequired,
            &[],
            "wish lists are a customer's: sign in to use them".to_owned(),
        ),
        Rejection::SignInRequired(id) => precondition(
            "AUTHENTICATION",
            format!("carts/{id}"),
            ErrorReason::SignInRequired,
            &[],
            "this cart belongs to a customer: sign in as them to recover it".to_owned(),
        ),
    }
}

/// `status` of a bulk edit's line `index`: its ErrorInfo metadata gains
/// `item_index`, its PreconditionFailure subjects and message an `items[k]`
/// prefix.
fn in_batch(index: usize, status: Status) -> Status {
    let mut details = status.get_error_details();
    if let Some(info) = details.error_info() {
        let (reason, domain) = (info.reason.clone(), info.domain.clone());
        let mut metadata = info.metadata.clone();
        metadata.insert("item_index".to_owned(), index.to_string());
        details.set_error_info(reason, domain, metadata);
    }
    if let Some(failure) = details.precondition_failure() {
        let violations: Vec<_> = failure
            .violations
            .iter()
            .map(|v| {
                tonic_types::PreconditionViolation::new(
                    v.r#type.clone(),
                    format!("items[{index}]: {}", v.subject),
                    v.description.clone(),
                )
            })
            .collect();
        details.set_precondition_failure(violations);
    }
    let message = format!("items[{index}]: {}", status.message());
    Status::with_error_details(status.code(), message, details)
}

/// INVALID_ARGUMENT naming the `token` field.
fn bad_token(reason: ErrorReason, message: &str) -> Status {
    let mut details = ErrorDetails::with_bad_request_violation("token", message);
    let (reason, domain, meta) = error_info(reason, &[]);
    details.set_error_info(reason, domain, meta);
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// The status of a failed use case.
fn service_status(error: ServiceError) -> Status {
    match error {
        ServiceError::Rejected(rejection) => rejection_status(&rejection),
        ServiceError::VersionMismatch { expected, current } => {
            let message =
                format!("the cart is at version {current}, not {expected}; reload and retry");
            let mut details = ErrorDetails::new();
            let (reason, domain, meta) = error_info(
                ErrorReason::ConcurrentModification,
                &[
                    ("current_version", current.to_string()),
                    ("expected_version", expected.to_string()),
                ],
            );
            details.set_error_info(reason, domain, meta);
            Status::with_error_details(Code::Aborted, message, details)
        }
        ServiceError::RequestIdReused => {
            let message = "request_id was already used for a different request";
            let mut details = ErrorDetails::with_bad_request_violation("request_id", message);
            let (reason, domain, meta) = error_info(ErrorReason::RequestIdReused, &[]);
            details.set_error_info(reason, domain, meta);
            Status::with_error_details(Code::InvalidArgument, message, details)
        }
        ServiceError::RequestInProgress => {
            let message = "a call with this request_id is still running; retry shortly";
            let mut details = ErrorDetails::with_retry_info(Some(IN_PROGRESS_RETRY_AFTER));
            let (reason, domain, meta) = error_info(ErrorReason::RequestInProgress, &[]);
            details.set_error_info(reason, domain, meta);
            Status::with_error_details(Code::Aborted, message, details)
        }
        ServiceError::DatabaseUnavailable(cause) => {
            tracing::warn!(error = %cause, "database unavailable");
            unavailable(
                ErrorReason::DatabaseUnavailable,
                "the cart store is unavailable; retry later",
            )
        }
        ServiceError::Conflict(cause) => {
            tracing::warn!(error = %cause, "transaction conflict persisted after retries");
            let mut details = ErrorDetails::new();
            let (reason, domain, meta) = error_info(ErrorReason::ConcurrentModification, &[]);
            details.set_error_info(reason, domain, meta);
            Status::with_error_details(
                Code::Aborted,
                "the cart was changed concurrently; retry",
                details,
            )
        }
        error @ ServiceError::Internal(_) => internal(&error),
    }
}

impl From<ApiError> for Status {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::InvalidArgument(violations) => {
                let message = violations
                    .iter()
                    .map(|v| format!("{}: {}", v.field, v.description))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut details = ErrorDetails::new();
                for v in violations {
                    details.add_bad_request_violation(v.field, v.description);
                }
                let (reason, domain, meta) = error_info(ErrorReason::InvalidField, &[]);
                details.set_error_info(reason, domain, meta);
                Status::with_error_details(Code::InvalidArgument, message, details)
            }
            ApiError::Service(error) => service_status(error),
            ApiError::RateLimited { retry_after } => {
                // Whole milliseconds, rounded up: never "retry now" too early.
                let retry_after = Duration::from_millis(
                    u64::try_from(retry_after.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX),
                );
                let message = format!(
                    "too many changes to this cart; retry in {} ms",
                    retry_after.as_millis()
                );
                let mut details = ErrorDetails::with_retry_info(Some(retry_after));
                details.add_quota_failure_violation(
                    "session",
                    "writes per session exceeded the configured rate",
                );
                let (reason, domain, meta) = error_info(ErrorReason::RateLimited, &[]);
                details.set_error_info(reason, domain, meta);
                Status::with_error_details(Code::ResourceExhausted, message, details)
            }
            ApiError::Overloaded => {
                let message = "the cart service is overloaded; retry shortly";
                let mut details = ErrorDetails::with_retry_info(Some(OVERLOAD_RETRY_AFTER));
                let (reason, domain, meta) = error_info(ErrorReason::Overloaded, &[]);
                details.set_error_info(reason, domain, meta);
                Status::with_error_details(Code::ResourceExhausted, message, details)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cart::CartStatus;
    use crate::domain::ids::{CartId, ItemId, ListId, ListItemId, ProductId, ShareId, VariantId};
    use crate::domain::money::Currency;
    use crate::storage::StorageError;

    fn variant() -> VariantId {
        VariantId::parse("var-1").expect("valid")
    }

    #[test]
    fn every_error_class_maps_to_its_code_and_reason() {
        let usd = Currency::parse("USD").expect("valid");
        let eur = Currency::parse("EUR").expect("valid");
        let cases: Vec<(ApiError, Code, Option<ErrorReason>)> = vec![
            (
                ApiError::InvalidArgument(vec![FieldViolation {
                    field: "quantity".into(),
                    description: "bad".into(),
                }]),
                Code::InvalidArgument,
                Some(ErrorReason::InvalidField),
            ),
            (
                Rejection::VariantNotFound(variant()).into(),
                Code::NotFound,
                Some(ErrorReason::VariantNotFound),
            ),
            (
                Rejection::VariantNotOfProduct {
                    variant_id: variant(),
                    product_id: ProductId::parse("p").expect("valid"),
                }
                .into(),
                Code::NotFound,
                Some(ErrorReason::VariantNotFound),
            ),
            (
                Rejection::ItemNotFound(ItemId::new()).into(),
                Code::NotFound,
                Some(ErrorReason::ItemNotFound),
            ),
            (
                Rejection::VariantInactive(variant()).into(),
                Code::FailedPrecondition,
                Some(ErrorReason::VariantInactive),
            ),
            (
                Rejection::OutOfStock {
                    variant_id: variant(),
                    requested: 5,
                    available: 2,
                }
                .into(),
                Code::FailedPrecondition,
                Some(ErrorReason::OutOfStock),
            ),
            (
                Rejection::LineQuantityLimit {
                    variant_id: variant(),
                    requested: 101,
                }
                .into(),
                Code::FailedPrecondition,
                Some(ErrorReason::LineQuantityLimit),
            ),
            (
                Rejection::CartLineLimit { max_lines: 50 }.into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartLineLimit),
            ),
            (
                Rejection::CurrencyMismatch {
                    cart: usd,
                    price: eur,
                }
                .into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CurrencyMismatch),
            ),
            (
                Rejection::CatalogUnavailable.into(),
                Code::Unavailable,
                Some(ErrorReason::CatalogUnavailable),
            ),
            (
                Rejection::CartNotFound(CartId::new()).into(),
                Code::NotFound,
                Some(ErrorReason::CartNotFound),
            ),
            (
                Rejection::CartAlreadyCompleted(CartId::new()).into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartAlreadyCompleted),
            ),
            (
                Rejection::CartNotActive {
                    cart_id: CartId::new(),
                    status: CartStatus::Merged,
                }
                .into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartNotActive),
            ),
            (
                Rejection::RecoveryDisabled.into(),
                Code::FailedPrecondition,
                Some(ErrorReason::RecoveryDisabled),
            ),
            (
                Rejection::RecoveryTokenInvalid.into(),
                Code::InvalidArgument,
                Some(ErrorReason::RecoveryTokenInvalid),
            ),
            (
                Rejection::RecoveryTokenExpired.into(),
                Code::InvalidArgument,
                Some(ErrorReason::RecoveryTokenExpired),
            ),
            (
                Rejection::CartNotCompleted {
                    cart_id: CartId::new(),
                    status: CartStatus::Active,
                }
                .into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartNotCompleted),
            ),
            (
                Rejection::SignInRequired(CartId::new()).into(),
                Code::FailedPrecondition,
                Some(ErrorReason::SignInRequired),
            ),
            (
                Rejection::ShareNotFound.into(),
                Code::NotFound,
                Some(ErrorReason::ShareNotFound),
            ),
            (
                Rejection::ShareIdNotFound(ShareId::new()).into(),
                Code::NotFound,
                Some(ErrorReason::ShareNotFound),
            ),
            (
                Rejection::ShareOfOwnCart.into(),
                Code::FailedPrecondition,
                Some(ErrorReason::ShareOfOwnCart),
            ),
            (
                Rejection::NothingToShare.into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartEmpty),
            ),
            (
                Rejection::SharedCartEmpty.into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartEmpty),
            ),
            (
                Rejection::WishListsNeedSignIn.into(),
                Code::FailedPrecondition,
                Some(ErrorReason::SignInRequired),
            ),
            (
                Rejection::ListNotFound(ListId::new()).into(),
                Code::NotFound,
                Some(ErrorReason::ListNotFound),
            ),
            (
                Rejection::ListItemNotFound(ListItemId::new()).into(),
                Code::NotFound,
                Some(ErrorReason::ListItemNotFound),
            ),
            (
                Rejection::ListFull {
                    list_id: ListId::new(),
                    max_items: 100,
                }
                .into(),
                Code::FailedPrecondition,
                Some(ErrorReason::ListFull),
            ),
            (
                Rejection::ListLimit { max_lists: 20 }.into(),
                Code::FailedPrecondition,
                Some(ErrorReason::ListLimit),
            ),
            (
                Rejection::ListNameTaken("Gifts".into()).into(),
                Code::AlreadyExists,
                Some(ErrorReason::ListNameTaken),
            ),
            (
                ServiceError::VersionMismatch {
                    expected: 1,
                    current: 2,
                }
                .into(),
                Code::Aborted,
                Some(ErrorReason::ConcurrentModification),
            ),
            (
                ServiceError::RequestIdReused.into(),
                Code::InvalidArgument,
                Some(ErrorReason::RequestIdReused),
            ),
            (
                Rejection::CartExpired(CartId::new()).into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartExpired),
            ),
            (
                Rejection::CartEmpty(CartId::new()).into(),
                Code::FailedPrecondition,
                Some(ErrorReason::CartEmpty),
            ),
            (
                ServiceError::DatabaseUnavailable(StorageError::Corrupt("x".into())).into(),
                Code::Unavailable,
                Some(ErrorReason::DatabaseUnavailable),
            ),
            (
                ServiceError::Internal(StorageError::Corrupt("x".into())).into(),
                Code::Internal,
                Some(ErrorReason::InternalError),
            ),
            (
                ApiError::RateLimited {
                    retry_after: Duration::from_micros(1500),
                },
                Code::ResourceExhausted,
                Some(ErrorReason::RateLimited),
            ),
            (
                ServiceError::RequestInProgress.into(),
                Code::Aborted,
                Some(ErrorReason::RequestInProgress),
            ),
            (
                ApiError::Overloaded,
                Code::ResourceExhausted,
                Some(ErrorReason::Overloaded),
            ),
        ];
        let mut emitted = std::collections::BTreeSet::new();
        for (error, code, reason) in cases {
            let status = Status::from(error);
            assert_eq!(status.code(), code, "{status:?}");
            let details = status.get_error_details();
            let info = details.error_info().expect("every status has an ErrorInfo");
            assert_eq!(info.domain, ERROR_DOMAIN);
            assert_eq!(Some(info.reason.as_str()), reason.map(|r| r.as_str_name()));
            emitted.insert(info.reason.clone());
            if matches!(code, Code::Unavailable | Code::ResourceExhausted) {
                assert!(details.retry_info().is_some());
            }
            if reason == Some(ErrorReason::RateLimited) {
                // Rounded up to whole milliseconds.
                let delay = details.retry_info().and_then(|r| r.retry_delay);
                assert_eq!(delay, Some(Duration::from_millis(2)));
            }
            if code == Code::Internal {
                assert_eq!(status.message(), "internal error");
            }
        }
        // The statuses made outside this table: authentication, decoding,
        // and the observation layer's reasons for tonic's own statuses.
        for status in other_statuses() {
            let details = status.get_error_details();
            let info = details.error_info().expect("every status has an ErrorInfo");
            emitted.insert(info.reason.clone());
        }
        // Every reason sent is in the contract's enum, and every value of the
        // enum is sent by something.
        let declared: std::collections::BTreeSet<String> = (1..)
            .map_while(|n| ErrorReason::try_from(n).ok())
            .map(|r| r.as_str_name().to_owned())
            .collect();
        assert_eq!(emitted, declared);
    }

    fn other_statuses() -> Vec<Status> {
        let mut statuses = vec![
            super::super::codec::malformed(),
            too_many_watchers(crate::live::Refused {
                scope: "session",
                limit: 8,
            }),
            replica_stopping(),
        ];
        statuses.extend(super::super::auth::refusals());
        statuses.extend(
            [Code::OutOfRange, Code::Unimplemented, Code::Unknown]
                .map(|code| super::super::observe::with_reason(Status::new(code, "x"))),
        );
        statuses
    }

    impl From<Rejection> for ApiError {
        fn from(r: Rejection) -> Self {
            ApiError::Service(ServiceError::Rejected(r))
        }
    }
}
