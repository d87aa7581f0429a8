//! `loadgen`: a gRPC load generator for the cart service (and the floor it
//! cannot beat). Every response is checked; a failed or wrong answer counts
//! as an error by code, never as a fast request.
//!
//! ```text
//! loadgen [--target URL] [--scenario health|get-cart|add-item|update-item|validate|mixed]
//!         [--connections 4] [--in-flight 64] [--duration 15] [--warmup 3]
//!         [--carts 1000] [--lines 5] [--fixture demo/catalog.json]
//!         [--token TOKEN] [--wait-ready SECS] [--output text|json]
//!         [--cpu-of PID] [--keyed] [--fail-on-error]
//!         [--calls N [--warmup-calls 200] [--on-measure-start CMD] [--on-measure-end CMD]]
//! loadgen serve-health [--addr 127.0.0.1:50071]
//! loadgen watch [--watchers 1000] [--in-flight 8] [--duration 15] [--target URL]
//! ```
//!
//! Scenarios:
//! - `health`: `grpc.health.v1.Health/Check` on `""` (the gRPC floor);
//! - `get-cart`: `--carts` carts of `--lines` lines (5), filled before the
//!   run, read in rotation; each answer must hold those lines;
//! - `add-item`: fresh sessions, each adding `--lines` distinct variants one
//!   by one; each answer must hold the added variant;
//! - `update-item`: UpdateItem of a random line of the pre-filled carts to
//!   1–5 units; each answer must show the new quantity;
//! - `validate`: Validate of the pre-filled carts in rotation;
//! - `mixed`: a BFF-like mix over `--carts` pre-filled carts: 70% GetCart,
//!   20% AddItem, 5% UpdateItem, 5% Validate. A quarter of the calls write,
//!   spread over the carts' sessions: keep requests/s × 0.25 / carts under
//!   the service's per-session write rate (2/s by default), or the excess is
//!   RESOURCE_EXHAUSTED, as it would be for a real shopper.
//!
//! `--wait-ready` waits up to that long for the target's health to report
//! SERVING first; `--fail-on-error` exits non-zero when any call failed (the
//! CI smoke run). `--cpu-of` names the service's process: the report then
//! gives the CPU it and PostgreSQL's processes spent per call in the
//! measured window (from `/proc`, when all run on this machine). `serve-health` runs a bare tonic server with only the health service: the
//! floor that `health` against the cart service is compared with.
//!
//! `--keyed` gives every write a `request_id` of its own, one per logical
//! write, as `cart-client` sends them by default. `--calls` makes a counted
//! run instead of a timed one (`counted.rs`): exactly that many calls
//! between the two hooks, for counting instructions per call.
//!
//! `watch` measures commit-to-watcher latency: `--watchers` WatchCart
//! streams, one cart each, and `--in-flight` writers adding to random
//! watched carts (see `watch.rs`).

mod calls;
mod client;
mod counted;
mod cpu;
mod drive;
mod options;
mod watch;

use drive::*;
use options::*;

use std::process::ExitCode;

async fn serve_health(args: &[String]) -> Result<(), String> {
    let addr = match args {
        [] => "127.0.0.1:50071",
        [flag, addr] if flag == "--addr" => addr.as_str(),
        _ => return Err("serve-health takes only --addr HOST:PORT".into()),
    };
    let addr = addr
        .parse()
        .map_err(|e| format!("bad address {addr:?}: {e}"))?;
    let (_reporter, service) = tonic_health::server::health_reporter();
    println!("loadgen: bare health server on {addr}");
    tonic::transport::Server::builder()
        .add_service(service)
        .serve_with_shutdown(addr, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// `loadgen watch --watchers N [options]`: commit-to-watcher latency.
async fn watch_command(args: &[String]) -> ExitCode {
    let mut rest = Vec::new();
    let mut watchers = 1_000;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--watchers" {
            match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => watchers = n,
                None => {
                    eprintln!("loadgen: --watchers takes a number");
                    return ExitCode::from(2);
                }
            }
        } else {
            rest.push(arg.clone());
        }
    }
    let options = match parse_args(&rest) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("loadgen: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match watch::run_watch(options, watchers).await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("loadgen: {error}");
            ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.first().is_some_and(|a| a == "serve-health") {
        return match serve_health(&args[1..]).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("loadgen: {error}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().is_some_and(|a| a == "watch") {
        return watch_command(&args[1..]).await;
    }
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("loadgen: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (json, fail_on_error) = (options.json, options.fail_on_error);
    match run(options).await {
        Ok(report) => {
            if json {
                println!("{report}");
            } else {
                print_text(&report);
            }
            if report["ok"].as_u64() == Some(0) {
                eprintln!("loadgen: no call succeeded");
                return ExitCode::FAILURE;
            }
            if fail_on_error && report["errors"].as_u64() != Some(0) {
                eprintln!("loadgen: calls failed (--fail-on-error)");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("loadgen: {error}");
            ExitCode::FAILURE
        }
    }
}
