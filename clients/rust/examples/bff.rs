//! A BFF's first calls with `cart-client`, run by CI against a real service:
//! a guest adds and reads, signs in (the guest cart merges into the
//! customer's), is told OUT_OF_STOCK with the quantity available, and is
//! RATE_LIMITED, retried after the RetryInfo delay. Money is a decimal
//! throughout. Exits non-zero when the service answers otherwise.
//!
//! ```sh
//! cargo run                                            # the service, demo catalog
//! cargo run -p cart-client --example bff -- http://127.0.0.1:50051
//! ```

use cart_client::proto::{self as pb, ErrorReason};
use cart_client::{CartClient, CartError, RetryPolicy, money};

type Failure = Box<dyn std::error::Error>;

fn shopper(session: &str, customer: &str) -> Option<pb::Shopper> {
    Some(pb::Shopper {
        session_id: session.into(),
        customer_id: customer.into(),
        ..Default::default()
    })
}

fn add(who: Option<pb::Shopper>, variant: &str, quantity: i32) -> pb::AddItemRequest {
    pb::AddItemRequest {
        shopper: who,
        product_id: "prod-classic-tee".into(),
        variant_id: variant.into(),
        quantity,
        ..Default::default()
    }
}

/// The cart's lines and total, amounts as decimals.
fn show(label: &str, cart: &pb::Cart) {
    println!("{label}: cart {} (version {})", cart.id, cart.version);
    for line in &cart.items {
        let name = line.product.as_ref().map_or("", |p| p.name.as_str());
        let unit = line.unit_price.as_ref().map(money::to_decimal);
        println!(
            "  {} x {name} ({}) at {}",
            line.quantity,
            line.variant_id,
            unit.unwrap_or_default()
        );
    }
    if let Some(total) = cart.summary.as_ref().and_then(|s| s.total.as_ref()) {
        println!(
            "  total {} {}",
            money::to_decimal(total),
            total.currency_code
        );
    }
}

fn check(ok: bool, what: &str) -> Result<(), Failure> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected answer: {what}").into())
    }
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:50051".into());
    // The default policy retries what is worth retrying, each write with
    // one request_id for all its attempts.
    let client = CartClient::connect_lazy(&url)?;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let session = format!("example-{run}");
    let guest = shopper(&session, "");

    // 1. A guest adds two tees and reads the cart back.
    let added = client
        .add_item(add(guest.clone(), "var-classic-tee-m", 2))
        .await?;
    show("added", added.cart.as_ref().ok_or("no cart")?);
    let read = client
        .get_cart(pb::GetCartRequest {
            shopper: guest.clone(),
            ..Default::default()
        })
        .await?
        .cart
        .ok_or("no cart")?;
    show("read", &read);
    let total = read.summary.as_ref().and_then(|s| s.total.as_ref());
    check(
        total.map(money::to_decimal) == Some("39.98".parse()?),
        "2 x 19.99 should total 39.98",
    )?;

    // 2. Sign-in: the guest cart merges into the customer's.
    let customer = shopper(&session, &format!("customer-{run}"));
    let merged = client
        .merge_guest_cart(pb::MergeGuestCartRequest {
            shopper: customer.clone(),
            ..Default::default()
        })
        .await?;
    let cart = merged.cart.ok_or("no cart")?;
    show("signed in", &cart);
    check(
        cart.customer_id.starts_with("customer-") && cart.items.len() == 1,
        "the customer's cart should hold the guest's line",
    )?;

    // 3. More than the stock: OUT_OF_STOCK, with the quantity available.
    let refused = client
        .add_item(add(customer.clone(), "var-classic-tee-l", 50))
        .await;
    match refused {
        Err(e) if e.reason() == ErrorReason::OutOfStock => {
            let available = e.available_quantity().ok_or("no available_quantity")?;
            println!("out of stock: only {available} available");
        }
        other => return Err(format!("expected OUT_OF_STOCK, got {other:?}").into()),
    }

    // 4. Writes past the session's budget: RATE_LIMITED, with RetryInfo.
    // This client never retries, to show the error; the default one above
    // would have waited and retried by itself.
    let once = CartClient::connect_lazy(&url)?.with_retry(RetryPolicy::never());
    let busy = shopper(&format!("example-busy-{run}"), "");
    let mut limited: Option<(CartError, pb::AddItemRequest)> = None;
    for _ in 0..1000 {
        // Each write its own request_id, reused by its retry below.
        let request = pb::AddItemRequest {
            request_id: uuid::Uuid::new_v4().to_string(),
            ..add(busy.clone(), "var-classic-tee-s", 1)
        };
        if let Err(e) = once.add_item(request.clone()).await {
            limited = Some((e, request));
            break;
        }
    }
    let (error, request) = limited.ok_or("never rate limited")?;
    check(error.reason() == ErrorReason::RateLimited, "RATE_LIMITED")?;
    let delay = error
        .retry_delay()
        .ok_or("RATE_LIMITED without RetryInfo")?;
    println!("rate limited: retrying in {delay:?}");
    tokio::time::sleep(delay).await;
    let retried = once.add_item(request).await?;
    show("retried", retried.cart.as_ref().ok_or("no cart")?);
    println!("ok");
    Ok(())
}
