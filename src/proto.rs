//! Code generated from `proto/` by `build.rs`, nested by package. The
//! transport uses it (`grpc/`, the server's wiring in `startup/`), and the
//! catalog's client and demo server (`catalog/`, `catalog_server.rs`);
//! everything else speaks domain types.

#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// Our protobuf packages.
pub mod shop {
    /// Types shared by the APIs.
    pub mod common {
        /// Version 1.
        pub mod v1 {
            tonic::include_proto!("shop.common.v1");
        }
    }
    /// The catalog contract.
    pub mod catalog {
        /// Version 1.
        pub mod v1 {
            tonic::include_proto!("shop.catalog.v1");
        }
    }
    /// The cart API.
    pub mod cart {
        /// Version 1.
        pub mod v1 {
            tonic::include_proto!("shop.cart.v1");
        }
    }
}

/// The file descriptor set of every proto above, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("shop_descriptor");
