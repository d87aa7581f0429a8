//! `catalog-server [--addr HOST:PORT] [--fixture PATH] [--tls-cert PEM --tls-key PEM]`:
//! serves a JSON catalog fixture over `shop.catalog.v1` (default
//! `0.0.0.0:50061`, `demo/catalog.json`, plaintext). The stand-in catalog
//! service of the demo, docker-compose and the tests. Stops on SIGINT or
//! SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;

use cart_service::catalog::FixtureCatalog;
use cart_service::catalog_server as server;
use cart_service::config::TelemetrySettings;
use cart_service::telemetry;
use tonic::transport::{Identity, ServerTlsConfig};

const USAGE: &str =
    "usage: catalog-server [--addr HOST:PORT] [--fixture PATH] [--tls-cert PEM --tls-key PEM]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut addr = "0.0.0.0:50061".to_owned();
    let mut fixture = "demo/catalog.json".to_owned();
    let mut tls_cert = String::new();
    let mut tls_key = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--addr" => &mut addr,
            "--fixture" => &mut fixture,
            "--tls-cert" => &mut tls_cert,
            "--tls-key" => &mut tls_key,
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
    // Spans are exported when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
    // OpenTelemetry variables name and sample them); logs at warn.
    let _telemetry = match telemetry::init(&TelemetrySettings {
        log_filter: "warn".into(),
        service_name: "catalog-server".into(),
        ..TelemetrySettings::default()
    }) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("catalog-server: {error}");
            return ExitCode::from(2);
        }
    };
    let tls = match tls_config(&tls_cert, &tls_key) {
        Ok(tls) => tls,
        Err(code) => return code,
    };
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
    match server::serve(listener, catalog, tls, stopped()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("catalog-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The TLS configuration of `--tls-cert` and `--tls-key` (both or neither).
fn tls_config(cert: &str, key: &str) -> Result<Option<ServerTlsConfig>, ExitCode> {
    match (cert.is_empty(), key.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => match (std::fs::read(cert), std::fs::read(key)) {
            (Ok(cert), Ok(key)) => Ok(Some(
                ServerTlsConfig::new().identity(Identity::from_pem(cert, key)),
            )),
            (Err(error), _) | (_, Err(error)) => {
                eprintln!("catalog-server: cannot read the TLS certificate or key: {error}");
                Err(ExitCode::from(2))
            }
        },
        _ => {
            eprintln!("catalog-server: --tls-cert and --tls-key go together\n{USAGE}");
            Err(ExitCode::from(2))
        }
    }
}

/// Completes on SIGINT or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        return;
    }
    let _ = tokio::signal::ctrl_c().await;
}
