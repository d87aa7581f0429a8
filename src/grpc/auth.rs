//! Caller authentication: optional bearer tokens per calling service, each
//! with a role. Roles follow services: `storefront` may call CartService,
//! ShoppingListService, CartShareService and CartRecoveryService; `service`
//! may call everything (CartAdminService too). Health and reflection stay
//! open: Kubernetes probes and debugging tools send no token.
//!
//! A [`Gate`] (tower layer) rather than a tonic interceptor, because the
//! decision needs the RPC's path, which an interceptor does not see. Tokens
//! are compared as SHA-256 digests, so lookups take the same time whatever
//! the guess.

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tonic::{Code, Status};

use super::gate::Gate;
use super::status::reasoned;
use crate::proto::shop::cart::v1::ErrorReason;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// The storefront's services (the BFF): cart, lists, shares, recovery.
    Storefront,
    /// Every service, the back office included (checkout, operations).
    Service,
}

/// The role each service of the API needs: the back office needs the
/// service role, the storefront's services the storefront role. A path of
/// this package that is no listed service needs the service role: deny by
/// default. Names come from the generated code (spelled nowhere else).
const SERVICE_ROLES: [(&str, Role); 5] = {
    use crate::proto::shop::cart::v1 as pb;
    [
        (pb::cart_service_server::SERVICE_NAME, Role::Storefront),
        (
            pb::shopping_list_service_server::SERVICE_NAME,
            Role::Storefront,
        ),
        (
            pb::cart_share_service_server::SERVICE_NAME,
            Role::Storefront,
        ),
        (
            pb::cart_recovery_service_server::SERVICE_NAME,
            Role::Storefront,
        ),
        (pb::cart_admin_service_server::SERVICE_NAME, Role::Service),
    ]
};

/// The package of the API: every path in it needs a role.
const API_PACKAGE: &str = "shop.cart.v1.";

/// The role an RPC needs, from its path; `None` when open to all (health,
/// reflection).
fn required_role(path: &str) -> Option<Role> {
    let (service, _method) = path.trim_start_matches('/').split_once('/')?;
    if !service.starts_with(API_PACKAGE) {
        return None;
    }
    Some(
        SERVICE_ROLES
            .iter()
            .find(|(name, _)| *name == service)
            .map_or(Role::Service, |(_, role)| *role),
    )
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The known tokens and their roles: a [`Gate`]. With no tokens configured
/// it lets everything through.
#[derive(Debug, Clone, Default)]
pub struct CallerTokens {
    tokens: Arc<HashMap<[u8; 32], Role>>,
}

impl CallerTokens {
    /// Accepts `tokens` with their roles.
    pub fn new<'a>(tokens: impl IntoIterator<Item = (&'a str, Role)>) -> Self {
        Self {
            tokens: Arc::new(tokens.into_iter().map(|(t, r)| (digest(t), r)).collect()),
        }
    }

    fn check(&self, path: &str, authorization: Option<&http::HeaderValue>) -> Result<(), Status> {
        if self.tokens.is_empty() {
            return Ok(());
        }
        let Some(required) = required_role(path) else {
            return Ok(());
        };
        let token = authorization
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or_else(missing_token)?;
        let role = self
            .tokens
            .get(&digest(token.trim()))
            .ok_or_else(unknown_token)?;
        if *role >= required {
            Ok(())
        } else {
            Err(role_not_allowed(path))
        }
    }
}

impl Gate for CallerTokens {
    type Pass = ();

    fn admit(&self, path: &str, headers: &http::HeaderMap) -> Result<(), Status> {
        self.check(path, headers.get(http::header::AUTHORIZATION))
    }
}

fn missing_token() -> Status {
    reasoned(
        Code::Unauthenticated,
        "a bearer token is required",
        ErrorReason::TokenMissing,
    )
}

fn unknown_token() -> Status {
    reasoned(
        Code::Unauthenticated,
        "unknown token",
        ErrorReason::TokenUnknown,
    )
}

fn role_not_allowed(path: &str) -> Status {
    reasoned(
        Code::PermissionDenied,
        format!("this caller may not call {path}"),
        ErrorReason::RoleNotAllowed,
    )
}

/// Every refusal of this gate, for the test that checks every reason the
/// service sends against the contract.
#[cfg(test)]
pub(super) fn refusals() -> Vec<Status> {
    vec![missing_token(), unknown_token(), role_not_allowed("/x")]
}

/// The token of an `authorization` value of the Bearer scheme, whose name
/// is case-insensitive (RFC 9110 §11.1): `Bearer`, `bearer`, `BEARER`.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim_start_matches(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(token: &str) -> http::HeaderValue {
        http::HeaderValue::from_str(&format!("Bearer {token}")).expect("header")
    }

    #[test]
    fn roles_follow_the_service() {
        let layer = CallerTokens::new([("bff", Role::Storefront), ("checkout", Role::Service)]);
        let shopper_rpc = "/shop.cart.v1.CartService/AddItem";
        let service_rpc = "/shop.cart.v1.CartAdminService/CompleteCart";
        assert!(layer.check(shopper_rpc, Some(&header("bff"))).is_ok());
        assert!(layer.check(shopper_rpc, Some(&header("checkout"))).is_ok());
        assert!(layer.check(service_rpc, Some(&header("checkout"))).is_ok());
        let denied = layer
            .check(service_rpc, Some(&header("bff")))
            .expect_err("denied");
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
        let unknown = layer
            .check(shopper_rpc, Some(&header("guess")))
            .expect_err("unknown");
        assert_eq!(unknown.code(), tonic::Code::Unauthenticated);
        let missing = layer.check(shopper_rpc, None).expect_err("missing");
        assert_eq!(missing.code(), tonic::Code::Unauthenticated);
        assert!(layer.check("/grpc.health.v1.Health/Check", None).is_ok());
        assert!(
            layer
                .check(
                    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                    None
                )
                .is_ok()
        );
    }

    #[test]
    fn the_role_table_lists_every_service_of_the_api_and_no_other() {
        use prost::Message;
        let set = prost_types::FileDescriptorSet::decode(crate::proto::FILE_DESCRIPTOR_SET)
            .expect("descriptor set");
        let mut services: Vec<String> = set
            .file
            .iter()
            .filter(|f| f.package() == "shop.cart.v1")
            .flat_map(|f| &f.service)
            .map(|s| format!("{API_PACKAGE}{}", s.name()))
            .collect();
        services.sort();
        let mut listed: Vec<String> = SERVICE_ROLES.iter().map(|(s, _)| (*s).to_owned()).collect();
        listed.sort();
        assert_eq!(listed, services);
    }

    #[test]
    fn a_service_missing_from_the_table_needs_the_service_role() {
        let layer = CallerTokens::new([("bff", Role::Storefront), ("checkout", Role::Service)]);
        let unlisted = "/shop.cart.v1.CartPurgeService/PurgeEverything";
        let denied = layer
            .check(unlisted, Some(&header("bff")))
            .expect_err("a storefront may not call an unlisted RPC");
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
        assert!(layer.check(unlisted, Some(&header("checkout"))).is_ok());
    }

    #[test]
    fn without_tokens_everything_is_open() {
        let layer = CallerTokens::default();
        assert!(
            layer
                .check("/shop.cart.v1.CartAdminService/CompleteCart", None)
                .is_ok()
        );
    }
}
