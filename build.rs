//! Generates the gRPC code for the cart API, the catalog contract and the shared
//! types, plus one file descriptor set that server reflection serves.
//!
//! protoc comes from `protoc-bin-vendored` so a fresh machine needs no system
//! protoc; `$PROTOC` points at another one.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let protoc = match std::env::var_os("PROTOC") {
        Some(path) => PathBuf::from(path),
        None => protoc_bin_vendored::protoc_bin_path()?,
    };
    let well_known = protoc_bin_vendored::include_path()?;

    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    // A request's idempotency fingerprint is taken of its re-encoded bytes:
    // a map field must encode in one order (a HashMap's order is random per
    // value, so a retry would not match its first call).
    config.btree_map([".shop.cart.v1.Shopper.device"]);

    let protos = [
        "proto/shop/common/v1/money.proto",
        "proto/shop/catalog/v1/catalog.proto",
        "proto/shop/cart/v1/types.proto",
        "proto/shop/cart/v1/cart.proto",
        "proto/shop/cart/v1/lists.proto",
        "proto/shop/cart/v1/shares.proto",
        "proto/shop/cart/v1/recovery.proto",
        "proto/shop/cart/v1/admin.proto",
        "proto/shop/cart/v1/errors.proto",
    ];
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // Undecodable requests are INVALID_ARGUMENT, not INTERNAL.
        .codec_path("crate::grpc::codec::StrictCodec")
        .file_descriptor_set_path(out_dir.join("shop_descriptor.bin"))
        .compile_with_config(
            config,
            &protos.map(PathBuf::from),
            &[PathBuf::from("proto"), well_known],
        )?;
    println!("cargo:rerun-if-changed=proto");
    println!("cargo:rerun-if-env-changed=PROTOC");
    Ok(())
}
