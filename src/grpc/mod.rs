//! The gRPC transport: one tonic server type per service of `shop.cart.v1`,
//! each in its own file with everything the transport does for its RPCs —
//! [`cart`] (CartService), [`lists`] (ShoppingListService), [`shares`]
//! (CartShareService), [`recovery`] (CartRecoveryService) and [`admin`]
//! (CartAdminService). Each handler is three steps: parse the request into
//! domain types ([`parse`]), call the use case ([`crate::service`]), convert
//! the result back ([`wire`]; errors through [`status`]). Writes share their
//! start and their answer ([`write`]): the session's write budget, the
//! request id and expected version, and a retry answered with the first
//! response byte for byte.

mod admin;
pub mod auth;
pub mod budget;
mod cart;
pub mod codec;
pub mod gate;
pub mod health;
pub mod json;
pub mod limits;
mod lists;
pub mod observe;
mod page_token;
mod parse;
#[cfg(test)]
mod parse_tests;
mod recovery;
mod shares;
pub mod status;
mod watch;
mod wire;
mod write;

use std::sync::Arc;

use tonic::Status;

pub use admin::AdminApi;
pub use cart::CartApi;
pub use lists::ListsApi;
pub use recovery::RecoveryApi;
pub use shares::SharesApi;

use crate::live::Hub;
use crate::service::CartService;
use budget::SessionBudget;
use status::ApiError;

/// What every service's handlers share: the use cases, the session write
/// budget and the hub that wakes WatchCart streams.
#[derive(Debug, Clone)]
pub struct Api {
    service: CartService,
    session_writes: Option<Arc<SessionBudget>>,
    live: Hub,
}

impl Api {
    /// Serves `service`, limiting each session's writes with `session_writes`
    /// when given; WatchCart streams are woken by `live`.
    pub fn new(service: CartService, session_writes: Option<SessionBudget>, live: Hub) -> Self {
        Self {
            service,
            session_writes: session_writes.map(Arc::new),
            live,
        }
    }
}

/// A tonic server type of one service over the shared [`Api`].
macro_rules! service_api {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub $crate::grpc::Api);

        impl std::ops::Deref for $name {
            type Target = $crate::grpc::Api;
            fn deref(&self) -> &$crate::grpc::Api {
                &self.0
            }
        }
    };
}
use service_api;

fn fail(e: impl Into<ApiError>) -> Status {
    e.into().into()
}

#[cfg(test)]
mod tests {
    use prost::Message;

    /// Every write table of the transport, joined.
    fn write_rpcs() -> Vec<(&'static str, &'static str, &'static str)> {
        [
            super::cart::write_rpcs(),
            super::admin::write_rpcs(),
            super::recovery::write_rpcs(),
            super::lists::write_rpcs(),
            super::shares::write_rpcs(),
        ]
        .concat()
    }

    /// `(service, method, request message)` of every RPC whose request
    /// carries a `request_id`, from the descriptors.
    fn keyed_rpcs_in_descriptors() -> Vec<(String, String, String)> {
        let set = prost_types::FileDescriptorSet::decode(crate::proto::FILE_DESCRIPTOR_SET)
            .expect("descriptor set");
        let files: Vec<_> = (set.file.iter())
            .filter(|f| f.package() == "shop.cart.v1")
            .collect();
        let keyed = |input: &str| {
            let name = input.rsplit('.').next().unwrap_or(input);
            (files.iter().flat_map(|f| &f.message_type))
                .find(|m| m.name() == name)
                .is_some_and(|m| m.field.iter().any(|f| f.name() == "request_id"))
        };
        let mut rpcs = Vec::new();
        for file in &files {
            for service in &file.service {
                for method in &service.method {
                    if keyed(method.input_type()) {
                        let input = method.input_type().rsplit('.').next().unwrap_or("");
                        rpcs.push((
                            format!("shop.cart.v1.{}", service.name()),
                            method.name().to_owned(),
                            input.to_owned(),
                        ));
                    }
                }
            }
        }
        rpcs.sort();
        rpcs
    }

    #[test]
    fn the_write_tables_name_every_keyed_rpc_of_the_descriptors_and_no_other() {
        let mut listed: Vec<(String, String, String)> = write_rpcs()
            .into_iter()
            .map(|(service, method, request)| {
                let request = request.rsplit("::").next().unwrap_or(request);
                (service.to_owned(), method.to_owned(), request.to_owned())
            })
            .collect();
        listed.sort();
        assert_eq!(listed, keyed_rpcs_in_descriptors());
    }
}
