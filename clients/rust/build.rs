//! Generates the client side of the cart API from the repository's `proto/`
//! (no server code), with the vendored protoc.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = PathBuf::from("../../proto");
    let protoc = match std::env::var_os("PROTOC") {
        Some(path) => PathBuf::from(path),
        None => protoc_bin_vendored::protoc_bin_path()?,
    };
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    let files = [
        "shop/common/v1/money.proto",
        "shop/cart/v1/errors.proto",
        "shop/cart/v1/types.proto",
        "shop/cart/v1/cart.proto",
        "shop/cart/v1/lists.proto",
        "shop/cart/v1/shares.proto",
        "shop/cart/v1/recovery.proto",
        "shop/cart/v1/admin.proto",
    ]
    .map(|f| protos.join(f));
    tonic_prost_build::configure()
        .build_server(false)
        .build_client(true)
        .compile_with_config(
            config,
            &files,
            &[protos.clone(), protoc_bin_vendored::include_path()?],
        )?;
    println!("cargo:rerun-if-changed=../../proto");
    println!("cargo:rerun-if-env-changed=PROTOC");
    Ok(())
}
