//! `cart-client`: the cart service for a Rust backend-for-frontend.
//!
//! - [`CartClient`]: typed calls to every service of the API (CartService,
//!   ShoppingListService, CartShareService, CartRecoveryService and
//!   CartAdminService) over one channel; every write carries a `request_id`, made
//!   once per logical call and reused by its retries, so a retry never
//!   applies a change twice (with [`RetryPolicy::never`], writes go as
//!   given).
//! - [`CartError`]: the status with its decoded details: [`CartError::reason`]
//!   is a [`proto::ErrorReason`] (the contract's enum), and the values a
//!   client acts on (available quantity, current version, retry delay, bad
//!   fields) are methods.
//! - [`RetryPolicy`]: which failures are retried and for how long; it waits
//!   what the service's RetryInfo says.
//! - [`money`]: `shop.common.v1.Money` ⇄ `rust_decimal::Decimal`, exactly.

mod client;
mod error;
pub mod money;
mod retry;

pub use client::CartClient;
pub use error::CartError;
pub use retry::RetryPolicy;

/// The generated messages and client of `proto/`; `shop.cart.v1` is also
/// re-exported at this level, `shop.common.v1` as `common`.
#[allow(missing_docs, clippy::all)]
pub mod proto {
    /// The packages of `proto/`, nested as their names are.
    pub mod shop {
        pub mod common {
            pub mod v1 {
                tonic::include_proto!("shop.common.v1");
            }
        }
        pub mod cart {
            pub mod v1 {
                tonic::include_proto!("shop.cart.v1");
            }
        }
    }
    pub use shop::cart::v1::cart_admin_service_client::CartAdminServiceClient;
    pub use shop::cart::v1::cart_recovery_service_client::CartRecoveryServiceClient;
    pub use shop::cart::v1::cart_service_client::CartServiceClient;
    pub use shop::cart::v1::cart_share_service_client::CartShareServiceClient;
    pub use shop::cart::v1::shopping_list_service_client::ShoppingListServiceClient;
    pub use shop::cart::v1::*;
    pub use shop::common::v1 as common;
}
