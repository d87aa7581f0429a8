//! `loadgen`: a gRPC load generator for the cart service (and the floor it
//! cannot beat). Every response is checked; a failed or wrong answer counts
//! as an error by code, never as a fast request.
//!
//! ```text
//! loadgen [--target URL] [--scenario health|get-cart|add-item|mixed]
//!         [--connections 4] [--in-flight 64] [--duration 15] [--warmup 3]
//!         [--carts 1000] [--fixture demo/catalog.json] [--token TOKEN]
//!         [--wait-ready SECS] [--output text|json] [--fail-on-error]
//! loadgen serve-health [--addr 127.0.0.1:50071]
//! ```
//!
//! Scenarios:
//! - `health`: `grpc.health.v1.Health/Check` on `""` (the gRPC floor);
//! - `get-cart`: `--carts` carts of 5 lines, filled before the run, read in
//!   rotation; each answer must hold the 5 lines;
//! - `add-item`: fresh sessions, each adding 5 distinct variants one by one;
//!   each answer must hold the added variant;
//! - `mixed`: a BFF-like mix over `--carts` pre-filled carts: 70% GetCart,
//!   20% AddItem, 5% UpdateItem, 5% Validate. A quarter of the calls write,
//!   spread over the carts' sessions: keep requests/s × 0.25 / carts under
//!   the service's per-session write rate (2/s by default), or the excess is
//!   RESOURCE_EXHAUSTED, as it would be for a real shopper.
//!
//! `--wait-ready` waits up to that long for the target's health to report
//! SERVING first; `--fail-on-error` exits non-zero when any call failed (the
//! CI smoke run). `serve-health` runs a bare tonic server with only the health service: the
//! floor that `health` against the cart service is compared with.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cart_service::catalog::FixtureCatalog;
use cart_service::proto::shop::cart::v1 as pb;
use cart_service::proto::shop::cart::v1::cart_service_client::CartServiceClient;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const USAGE: &str = "usage: loadgen [--target URL] [--scenario health|get-cart|add-item|mixed] \
[--connections N] [--in-flight N] [--duration SECS] [--warmup SECS] [--carts N] \
[--fixture PATH] [--token TOKEN] [--wait-ready SECS] [--output text|json] [--fail-on-error]
       loadgen serve-health [--addr HOST:PORT]";

/// Lines per pre-filled cart.
const LINES_PER_CART: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Health,
    GetCart,
    AddItem,
    Mixed,
}

impl Scenario {
    fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "health" => Self::Health,
            "get-cart" => Self::GetCart,
            "add-item" => Self::AddItem,
            "mixed" => Self::Mixed,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::GetCart => "get-cart",
            Self::AddItem => "add-item",
            Self::Mixed => "mixed",
        }
    }
}

#[derive(Debug, Clone)]
struct Options {
    target: String,
    scenario: Scenario,
    connections: usize,
    in_flight: usize,
    duration: Duration,
    warmup: Duration,
    carts: usize,
    fixture: String,
    token: Option<String>,
    wait_ready: Duration,
    json: bool,
    fail_on_error: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        target: "http://127.0.0.1:50051".into(),
        scenario: Scenario::Health,
        connections: 4,
        in_flight: 64,
        duration: Duration::from_secs(15),
        warmup: Duration::from_secs(3),
        carts: 1000,
        fixture: "demo/catalog.json".into(),
        token: None,
        wait_ready: Duration::ZERO,
        json: false,
        fail_on_error: false,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        if flag == "--fail-on-error" {
            o.fail_on_error = true;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .as_str();
        let number = |what: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{what} must be a whole number, got {value:?}"))
        };
        match flag.as_str() {
            "--target" => o.target = value.to_owned(),
            "--scenario" => {
                o.scenario =
                    Scenario::parse(value).ok_or_else(|| format!("unknown scenario {value:?}"))?;
            }
            "--connections" => {
                o.connections = usize::try_from(number("--connections")?.max(1)).unwrap_or(1)
            }
            "--in-flight" => {
                o.in_flight = usize::try_from(number("--in-flight")?.max(1)).unwrap_or(1)
            }
            "--duration" => o.duration = Duration::from_secs(number("--duration")?.max(1)),
            "--warmup" => o.warmup = Duration::from_secs(number("--warmup")?),
            "--carts" => o.carts = usize::try_from(number("--carts")?.max(1)).unwrap_or(1),
            "--fixture" => o.fixture = value.to_owned(),
            "--token" => o.token = Some(value.to_owned()),
            "--wait-ready" => o.wait_ready = Duration::from_secs(number("--wait-ready")?),
            "--output" => {
                o.json = match value {
                    "json" => true,
                    "text" => false,
                    other => return Err(format!("--output is text or json, got {other:?}")),
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

type Cart = CartServiceClient<InterceptedService<Channel, Auth>>;

/// Adds the bearer token, when given, to every call.
#[derive(Clone)]
struct Auth(Option<MetadataValue<tonic::metadata::Ascii>>);

impl tonic::service::Interceptor for Auth {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        if let Some(token) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", token.clone());
        }
        Ok(request)
    }
}

/// What a call came to: Ok, or the code it failed with. A wrong answer
/// (e.g. a cart missing its lines) counts as `Code::Internal` here, named
/// "WRONG_ANSWER" in the report.
type Outcome = Result<(), Failure>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Failure {
    Status(String),
    WrongAnswer,
}

fn code_name(code: Code) -> String {
    format!("{code:?}")
}

fn failed(status: &Status) -> Failure {
    Failure::Status(code_name(status.code()))
}

/// A variant the load may add: in stock for far more than the run adds.
#[derive(Debug, Clone)]
struct Product {
    product_id: String,
    variant_id: String,
}

fn load_products(fixture: &str) -> Result<Vec<Product>, String> {
    let catalog = FixtureCatalog::from_file(fixture.as_ref()).map_err(|e| e.to_string())?;
    let products: Vec<Product> = catalog
        .all()
        .into_iter()
        .filter(|v| {
            v.active
                && v.price.currency.as_str() == "USD"
                && (!v.inventory.tracked || v.inventory.available >= 500)
        })
        .map(|v| Product {
            product_id: v.product_id.to_string(),
            variant_id: v.id.to_string(),
        })
        .collect();
    if products.len() < LINES_PER_CART {
        return Err(format!(
            "the fixture has {} plentiful USD variants; {LINES_PER_CART} are needed",
            products.len()
        ));
    }
    Ok(products)
}

fn shopper(session: &str) -> Option<pb::Shopper> {
    Some(pb::Shopper {
        session_id: session.to_owned(),
        customer_id: String::new(),
    })
}

fn add_request(session: &str, product: &Product) -> pb::AddItemRequest {
    pb::AddItemRequest {
        shopper: shopper(session),
        product_id: product.product_id.clone(),
        variant_id: product.variant_id.clone(),
        quantity: 1,
        ..Default::default()
    }
}

fn has_variant(cart: Option<&pb::Cart>, variant: &str) -> bool {
    cart.is_some_and(|c| c.items.iter().any(|i| i.variant_id == variant))
}

/// A pre-filled cart: its session and its line ids.
#[derive(Debug, Clone)]
struct Filled {
    session: String,
    items: Vec<String>,
}

/// Everything the workers share.
struct Shared {
    options: Options,
    run: String,
    products: Vec<Product>,
    carts: Vec<Filled>,
    next: AtomicU64,
}

impl Shared {
    fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }
}

fn connect(options: &Options) -> Result<Vec<Channel>, String> {
    let mut channels = Vec::with_capacity(options.connections);
    for _ in 0..options.connections {
        let channel = Endpoint::from_shared(options.target.clone())
            .map_err(|e| format!("bad target {:?}: {e}", options.target))?
            .tcp_nodelay(true);
        // Lazy: `--wait-ready` may be waiting for the server to come up.
        channels.push(channel.connect_lazy());
    }
    Ok(channels)
}

fn cart_client(channel: Channel, options: &Options) -> Result<Cart, String> {
    let token = options
        .token
        .as_ref()
        .map(|t| MetadataValue::try_from(format!("Bearer {t}")))
        .transpose()
        .map_err(|_| "the token is not a valid header value".to_owned())?;
    Ok(CartServiceClient::with_interceptor(channel, Auth(token)))
}

/// Waits until `service` reports SERVING (retrying while the server is not
/// up yet), or fails after `within`.
async fn wait_ready(channel: Channel, service: &str, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    let mut health = HealthClient::new(channel);
    loop {
        let status = health
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .map(|r| r.into_inner().status);
        if status
            .as_ref()
            .is_ok_and(|s| *s == ServingStatus::Serving as i32)
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "the service is not ready after {within:?}: {status:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Fills `count` carts with 5 lines each, 32 at a time.
async fn fill_carts(
    client: &Cart,
    run: &str,
    products: &[Product],
    count: usize,
) -> Result<Vec<Filled>, String> {
    use futures::stream::{self, StreamExt, TryStreamExt};
    stream::iter(0..count)
        .map(|n| {
            let mut client = client.clone();
            let session = format!("lg-{run}-cart-{n}");
            async move {
                let mut cart = None;
                for k in 0..LINES_PER_CART {
                    let product = &products[(n + k) % products.len()];
                    cart = client
                        .add_item(add_request(&session, product))
                        .await
                        .map_err(|s| format!("filling cart {n}: {:?} {}", s.code(), s.message()))?
                        .into_inner()
                        .cart;
                }
                let items = cart
                    .map(|c| c.items.into_iter().map(|i| i.id).collect::<Vec<_>>())
                    .unwrap_or_default();
                if items.len() != LINES_PER_CART {
                    return Err(format!("cart {n} has {} lines after filling", items.len()));
                }
                Ok(Filled { session, items })
            }
        })
        .buffer_unordered(32)
        .try_collect()
        .await
}

async fn get_cart(client: &mut Cart, cart: &Filled) -> Outcome {
    let response = client
        .get_cart(pb::GetCartRequest {
            shopper: shopper(&cart.session),
        })
        .await
        .map_err(|s| failed(&s))?;
    match response.into_inner().cart {
        Some(c) if c.items.len() >= LINES_PER_CART => Ok(()),
        _ => Err(Failure::WrongAnswer),
    }
}

async fn add_item(client: &mut Cart, session: &str, product: &Product) -> Outcome {
    let response = client
        .add_item(add_request(session, product))
        .await
        .map_err(|s| failed(&s))?;
    if has_variant(response.into_inner().cart.as_ref(), &product.variant_id) {
        Ok(())
    } else {
        Err(Failure::WrongAnswer)
    }
}

/// One call of the scenario; `worker` and its `seq`-th call pick the data.
async fn one_call(
    shared: &Shared,
    worker: usize,
    seq: u64,
    cart: &mut Cart,
    health: &mut HealthClient<Channel>,
) -> Outcome {
    let n = shared.next();
    match shared.options.scenario {
        Scenario::Health => {
            let response = health
                .check(HealthCheckRequest {
                    service: String::new(),
                })
                .await
                .map_err(|s| failed(&s))?;
            if response.into_inner().status == ServingStatus::Serving as i32 {
                Ok(())
            } else {
                Err(Failure::WrongAnswer)
            }
        }
        Scenario::GetCart => {
            let filled = &shared.carts[n as usize % shared.carts.len()];
            get_cart(cart, filled).await
        }
        Scenario::AddItem => {
            // Each worker its own sessions, a fresh one every 5 adds, each
            // add another variant: no two calls in flight share a cart.
            let session = format!(
                "lg-{}-add-{worker}-{}",
                shared.run,
                seq / LINES_PER_CART as u64
            );
            let product = &shared.products[(seq as usize + worker) % shared.products.len()];
            add_item(cart, &session, product).await
        }
        Scenario::Mixed => {
            let filled = &shared.carts[n as usize % shared.carts.len()];
            match fastrand::u32(0..100) {
                0..70 => get_cart(cart, filled).await,
                70..90 => {
                    let product = &shared.products[fastrand::usize(0..shared.products.len())];
                    add_item(cart, &filled.session, product).await
                }
                90..95 => {
                    let item_id = filled.items[fastrand::usize(0..filled.items.len())].clone();
                    let quantity = fastrand::i32(1..=5);
                    let response = cart
                        .update_item(pb::UpdateItemRequest {
                            shopper: shopper(&filled.session),
                            item_id: item_id.clone(),
                            quantity,
                            ..Default::default()
                        })
                        .await
                        .map_err(|s| failed(&s))?;
                    let updated = response.into_inner().cart.is_some_and(|c| {
                        c.items
                            .iter()
                            .any(|i| i.id == item_id && i.quantity == quantity)
                    });
                    if updated {
                        Ok(())
                    } else {
                        Err(Failure::WrongAnswer)
                    }
                }
                _ => {
                    let response = cart
                        .validate(pb::ValidateRequest {
                            shopper: shopper(&filled.session),
                        })
                        .await
                        .map_err(|s| failed(&s))?;
                    match response.into_inner().cart {
                        Some(c) if !c.items.is_empty() => Ok(()),
                        _ => Err(Failure::WrongAnswer),
                    }
                }
            }
        }
    }
}

/// What one worker measured after the warm-up.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: BTreeMap<Failure, u64>,
}

async fn worker(
    shared: Arc<Shared>,
    worker: usize,
    channel: Channel,
    measure_from: Instant,
    stop_at: Instant,
) -> Result<Tally, String> {
    let mut cart = cart_client(channel.clone(), &shared.options)?;
    let mut health = HealthClient::new(channel);
    let mut tally = Tally::default();
    for seq in 0.. {
        let started = Instant::now();
        if started >= stop_at {
            break;
        }
        let outcome = one_call(&shared, worker, seq, &mut cart, &mut health).await;
        if started < measure_from {
            continue;
        }
        match outcome {
            Ok(()) => {
                let us = started.elapsed().as_micros();
                tally
                    .latencies_us
                    .push(u32::try_from(us).unwrap_or(u32::MAX));
            }
            Err(failure) => *tally.errors.entry(failure).or_default() += 1,
        }
    }
    Ok(tally)
}

/// The nearest-rank percentile `permille`/1000 of `sorted` microseconds, in
/// milliseconds.
fn percentile(sorted: &[u32], permille: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (permille * sorted.len()).div_ceil(1000);
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

async fn run(options: Options) -> Result<serde_json::Value, String> {
    let channels = connect(&options)?;
    // The bare health server of `serve-health` knows only "".
    let ready = match options.scenario {
        Scenario::Health => "",
        _ => "shop.cart.v1.CartService",
    };
    wait_ready(channels[0].clone(), ready, options.wait_ready).await?;
    let products = load_products(&options.fixture)?;
    let run = format!("{:x}", fastrand::u64(..));
    let carts = match options.scenario {
        Scenario::GetCart | Scenario::Mixed => {
            let client = cart_client(channels[0].clone(), &options)?;
            fill_carts(&client, &run, &products, options.carts).await?
        }
        Scenario::Health | Scenario::AddItem => Vec::new(),
    };
    let shared = Arc::new(Shared {
        options: options.clone(),
        run,
        products,
        carts,
        next: AtomicU64::new(0),
    });
    let start = Instant::now();
    let measure_from = start + options.warmup;
    let stop_at = measure_from + options.duration;
    let tasks: Vec<_> = (0..options.in_flight)
        .map(|n| {
            tokio::spawn(worker(
                shared.clone(),
                n,
                channels[n % channels.len()].clone(),
                measure_from,
                stop_at,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        let tally = task.await.map_err(|e| format!("worker failed: {e}"))??;
        latencies.extend(tally.latencies_us);
        for (failure, count) in tally.errors {
            let name = match failure {
                Failure::Status(code) => code,
                Failure::WrongAnswer => "WRONG_ANSWER".into(),
            };
            *errors.entry(name).or_default() += count;
        }
    }
    latencies.sort_unstable();
    let seconds = options.duration.as_secs_f64();
    let ok = latencies.len() as u64;
    let error_count: u64 = errors.values().sum();
    Ok(serde_json::json!({
        "scenario": options.scenario.name(),
        "target": options.target,
        "connections": options.connections,
        "in_flight": options.in_flight,
        "duration_s": seconds,
        "warmup_s": options.warmup.as_secs_f64(),
        "ok": ok,
        "errors": error_count,
        "errors_by_code": errors,
        "rps": ok as f64 / seconds,
        "latency_ms": {
            "p50": percentile(&latencies, 500),
            "p90": percentile(&latencies, 900),
            "p99": percentile(&latencies, 990),
            "p99_9": percentile(&latencies, 999),
            "max": percentile(&latencies, 1000),
        },
    }))
}

fn print_text(report: &serde_json::Value) {
    let get = |path: &[&str]| path.iter().fold(report, |v, k| &v[*k]).to_string();
    println!(
        "scenario {}  target {}  connections {}  in-flight {}  duration {} s (after {} s warm-up)",
        report["scenario"].as_str().unwrap_or_default(),
        report["target"].as_str().unwrap_or_default(),
        get(&["connections"]),
        get(&["in_flight"]),
        get(&["duration_s"]),
        get(&["warmup_s"]),
    );
    println!(
        "requests/s {:.0}  ok {}  errors {}",
        report["rps"].as_f64().unwrap_or_default(),
        get(&["ok"]),
        get(&["errors"]),
    );
    println!(
        "latency ms  p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
        get(&["latency_ms", "p50"]),
        get(&["latency_ms", "p90"]),
        get(&["latency_ms", "p99"]),
        get(&["latency_ms", "p99_9"]),
        get(&["latency_ms", "max"]),
    );
    if let Some(errors) = report["errors_by_code"].as_object() {
        for (code, count) in errors {
            println!("errors {code}: {count}");
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_in_milliseconds() {
        let sorted: Vec<u32> = (1..=1000).map(|n| n * 1000).collect();
        assert_eq!(percentile(&sorted, 500), 500.0);
        assert_eq!(percentile(&sorted, 990), 990.0);
        assert_eq!(percentile(&sorted, 999), 999.0);
        assert_eq!(percentile(&sorted, 1000), 1000.0);
        assert_eq!(percentile(&[], 500), 0.0);
    }

    #[test]
    fn arguments_are_parsed_and_bad_ones_named() {
        let args: Vec<String> = ["--scenario", "mixed", "--in-flight", "8", "--fail-on-error"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let options = parse_args(&args).expect("valid");
        assert_eq!(options.scenario, Scenario::Mixed);
        assert_eq!(options.in_flight, 8);
        assert!(options.fail_on_error);
        let bad = parse_args(&["--scenario".to_owned(), "nope".to_owned()]);
        assert!(bad.expect_err("unknown").contains("nope"));
        let missing = parse_args(&["--duration".to_owned()]);
        assert!(missing.expect_err("no value").contains("--duration"));
    }
}
