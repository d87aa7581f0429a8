//! `catalog-server [--addr HOST:PORT] [--fixture PATH]`: serves a JSON catalog
//! fixture over `shop.catalog.v1` (default `0.0.0.0:50061`,
//! `demo/catalog.json`). The stand-in catalog service of the demo,
//! docker-compose and the tests.

use std::process::ExitCode;
use std::sync::Arc;

use cart_service::catalog::{FixtureCatalog, server};

const USAGE: &str = "usage: catalog-server [--addr HOST:PORT] [--fixture PATH]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut addr = "0.0.0.0:50061".to_owned();
    let mut fixture = "demo/catalog.json".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--addr" => &mut addr,
            "--fixture" => &mut fixture,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("catalog-server: unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        match args.next() {
            Some(value) => *slot = value,
            None => {
                eprintln!("catalog-server: {arg} needs a value\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let catalog = match FixtureCatalog::from_file(fixture.as_ref()) {
        Ok(catalog) => Arc::new(catalog),
        Err(error) => {
            eprintln!("catalog-server: {error}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("catalog-server: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "catalog-server: serving {} variants from {fixture} on {addr}",
        catalog.all().len()
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match server::serve(listener, catalog, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("catalog-server: {error}");
            ExitCode::FAILURE
        }
    }
}
