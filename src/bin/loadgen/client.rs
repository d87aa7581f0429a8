//! The load's side of the wire: channels, the cart client (`cart-client`,
//! never retrying: every failure is counted) with its token, readiness,
//! fixture products, pre-filled carts and the checked calls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::options::*;
use cart_client::proto as pb;
use cart_client::{CartClient, CartError, RetryPolicy};
use cart_service::catalog::FixtureCatalog;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

pub(crate) type Cart = CartClient;

/// What a call came to: Ok, or how it failed. A wrong answer (e.g. a cart
/// missing its lines) is reported as "WRONG_ANSWER".
pub(crate) type Outcome = Result<(), Failure>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Failure {
    /// The code and, when the service gave one, the reason:
    /// "ResourceExhausted RATE_LIMITED".
    Status(String),
    WrongAnswer,
}

pub(crate) fn failed(error: &CartError) -> Failure {
    let reason = error.reason();
    Failure::Status(if reason == pb::ErrorReason::Unspecified {
        format!("{:?}", error.code())
    } else {
        format!("{:?} {}", error.code(), reason.as_str_name())
    })
}

/// A variant the load may add: in stock for far more than the run adds.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub(crate) product_id: String,
    pub(crate) variant_id: String,
}

pub(crate) fn load_products(fixture: &str, lines: usize) -> Result<Vec<Product>, String> {
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
    if products.len() < lines {
        return Err(format!(
            "the fixture has {} plentiful USD variants; {lines} are needed",
            products.len()
        ));
    }
    Ok(products)
}

pub(crate) fn shopper(session: &str) -> Option<pb::Shopper> {
    Some(pb::Shopper {
        session_id: session.to_owned(),
        customer_id: String::new(),
        ..Default::default()
    })
}

/// A `request_id` of its own for one logical write when `keyed`, else none.
pub(crate) fn request_id(keyed: bool) -> String {
    if keyed {
        uuid::Uuid::new_v4().to_string()
    } else {
        String::new()
    }
}

pub(crate) fn add_request(session: &str, product: &Product, keyed: bool) -> pb::AddItemRequest {
    pb::AddItemRequest {
        shopper: shopper(session),
        product_id: product.product_id.clone(),
        variant_id: product.variant_id.clone(),
        quantity: 1,
        request_id: request_id(keyed),
        ..Default::default()
    }
}

pub(crate) fn has_variant(cart: Option<&pb::Cart>, variant: &str) -> bool {
    cart.is_some_and(|c| c.items.iter().any(|i| i.variant_id == variant))
}

/// A pre-filled cart: its session and its line ids.
#[derive(Debug, Clone)]
pub(crate) struct Filled {
    pub(crate) session: String,
    pub(crate) items: Vec<String>,
}

/// Everything the workers share.
pub(crate) struct Shared {
    pub(crate) options: Options,
    pub(crate) run: String,
    pub(crate) products: Vec<Product>,
    pub(crate) carts: Vec<Filled>,
    pub(crate) next: AtomicU64,
}

impl Shared {
    pub(crate) fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }
}

pub(crate) fn connect(options: &Options) -> Result<Vec<Channel>, String> {
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

pub(crate) fn connect_cart(channel: Channel, options: &Options) -> Result<Cart, String> {
    let client = CartClient::new(channel).with_retry(RetryPolicy::never());
    match &options.token {
        Some(token) => client
            .with_token(token)
            .map_err(|_| "the token is not a valid header value".to_owned()),
        None => Ok(client),
    }
}

/// Waits until `service` reports SERVING (retrying while the server is not
/// up yet), or fails after `within`.
pub(crate) async fn wait_ready(
    channel: Channel,
    service: &str,
    within: Duration,
) -> Result<(), String> {
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
pub(crate) async fn fill_carts(
    client: &Cart,
    run: &str,
    products: &[Product],
    count: usize,
    lines: usize,
) -> Result<Vec<Filled>, String> {
    use futures::stream::{self, StreamExt, TryStreamExt};
    stream::iter(0..count)
        .map(|n| {
            let client = client.clone();
            let session = format!("lg-{run}-cart-{n}");
            async move {
                let mut cart = None;
                for k in 0..lines {
                    let product = &products[(n + k) % products.len()];
                    cart = client
                        .add_item(add_request(&session, product, false))
                        .await
                        .map_err(|e| format!("filling cart {n}: {e}"))?
                        .cart;
                }
                let items = cart
                    .map(|c| c.items.into_iter().map(|i| i.id).collect::<Vec<_>>())
                    .unwrap_or_default();
                if items.len() != lines {
                    return Err(format!("cart {n} has {} lines after filling", items.len()));
                }
                Ok(Filled { session, items })
            }
        })
        .buffer_unordered(32)
        .try_collect()
        .await
}

pub(crate) async fn get_cart(client: &Cart, cart: &Filled) -> Outcome {
    let response = client
        .get_cart(pb::GetCartRequest {
            shopper: shopper(&cart.session),
            ..Default::default()
        })
        .await
        .map_err(|e| failed(&e))?;
    match response.cart {
        Some(c) if c.items.len() >= cart.items.len() => Ok(()),
        _ => Err(Failure::WrongAnswer),
    }
}

pub(crate) async fn add_item(
    client: &Cart,
    session: &str,
    product: &Product,
    keyed: bool,
) -> Outcome {
    let response = client
        .add_item(add_request(session, product, keyed))
        .await
        .map_err(|e| failed(&e))?;
    if has_variant(response.cart.as_ref(), &product.variant_id) {
        Ok(())
    } else {
        Err(Failure::WrongAnswer)
    }
}
