//! The BFF's HTTP API: the page, the products, the cart and its changes as
//! Server-Sent Events, adding and changing lines, sign-in and sign-out.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cart_client::CartError;
use cart_client::proto::{self as pb, watch_cart_response::Update};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{App, view};

type Answer = Result<Json<Value>, (StatusCode, Json<Value>)>;

/// Every route.
pub fn routes(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/api/products", get(products))
        .route("/api/cart", get(cart))
        .route("/api/cart/items", post(add_item))
        .route("/api/cart/items/{item_id}", post(set_quantity))
        .route("/api/cart/stream", get(stream))
        .route("/api/signin", post(sign_in))
        .route("/api/signout", post(sign_out))
        .with_state(app)
}

/// A cookie of the request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The shopper of the request: its session and, once signed in, the
/// customer.
fn shopper(headers: &HeaderMap) -> Result<pb::Shopper, (StatusCode, Json<Value>)> {
    let session_id = cookie(headers, "sid").ok_or_else(|| {
        let body = json!({"reason": "NO_SESSION", "message": "Reload the page."});
        (StatusCode::UNAUTHORIZED, Json(body))
    })?;
    Ok(pb::Shopper {
        session_id,
        customer_id: cookie(headers, "customer").unwrap_or_default(),
        ..Default::default()
    })
}

/// A refusal as an HTTP answer: the page shows `message` and rolls back.
fn refused(error: CartError) -> (StatusCode, Json<Value>) {
    use tonic::Code;
    let status = match error.code() {
        Code::InvalidArgument => StatusCode::BAD_REQUEST,
        Code::NotFound | Code::FailedPrecondition | Code::Aborted => StatusCode::CONFLICT,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(view::refusal(&error)))
}

/// The page; a first visit gets its session cookie.
async fn index(headers: HeaderMap) -> Response {
    let page = Html(include_str!("../static/index.html"));
    if cookie(&headers, "sid").is_some() {
        return page.into_response();
    }
    let sid = format!(
        "sid={}; Path=/; HttpOnly; SameSite=Lax",
        uuid::Uuid::new_v4()
    );
    ([(header::SET_COOKIE, sid)], page).into_response()
}

async fn products(State(app): State<Arc<App>>) -> Json<Value> {
    Json(app.products.clone())
}

async fn cart(State(app): State<Arc<App>>, headers: HeaderMap) -> Answer {
    let who = shopper(&headers)?;
    let request = pb::GetCartRequest {
        shopper: Some(who.clone()),
        ..Default::default()
    };
    let cart = app.cart.get_cart(request).await.map_err(refused)?.cart;
    Ok(Json(view::cart(
        &cart.unwrap_or_default(),
        &who.customer_id,
    )))
}

#[derive(Deserialize)]
struct Add {
    product_id: String,
    variant_id: String,
    quantity: i32,
}

async fn add_item(State(app): State<Arc<App>>, headers: HeaderMap, Json(add): Json<Add>) -> Answer {
    let who = shopper(&headers)?;
    let request = pb::AddItemRequest {
        shopper: Some(who.clone()),
        product_id: add.product_id,
        variant_id: add.variant_id,
        quantity: add.quantity,
        ..Default::default()
    };
    let cart = app.cart.add_item(request).await.map_err(refused)?.cart;
    Ok(Json(view::cart(
        &cart.unwrap_or_default(),
        &who.customer_id,
    )))
}

#[derive(Deserialize)]
struct Quantity {
    quantity: i32,
}

async fn set_quantity(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(item_id): Path<String>,
    Json(set): Json<Quantity>,
) -> Answer {
    let who = shopper(&headers)?;
    let request = pb::UpdateItemRequest {
        shopper: Some(who.clone()),
        item_id,
        quantity: set.quantity,
        ..Default::default()
    };
    let cart = app.cart.update_item(request).await.map_err(refused)?.cart;
    Ok(Json(view::cart(
        &cart.unwrap_or_default(),
        &who.customer_id,
    )))
}

#[derive(Deserialize)]
struct SignIn {
    customer_id: String,
}

/// A customer id the cookie can carry as it is.
fn plain_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'))
}

/// Sign-in: the guest cart merges into the customer's (once), and the
/// `customer` cookie names the customer from now on. A demo: whoever types
/// a customer id is that customer. A real BFF authenticates first and keeps
/// the identity in a signed cookie or a server-side session.
async fn sign_in(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Json(sign_in): Json<SignIn>,
) -> Result<Response, (StatusCode, Json<Value>)> {
    if !plain_id(&sign_in.customer_id) {
        let body = json!({"reason": "INVALID_FIELD", "message": "Customer ids are letters, digits, '-', '_', '.' and '@'."});
        return Err((StatusCode::BAD_REQUEST, Json(body)));
    }
    let mut who = shopper(&headers)?;
    who.customer_id = sign_in.customer_id.clone();
    let request = pb::MergeGuestCartRequest {
        shopper: Some(who),
        ..Default::default()
    };
    let merged = app.cart.merge_guest_cart(request).await.map_err(refused)?;
    let cookie = format!(
        "customer={}; Path=/; HttpOnly; SameSite=Lax",
        sign_in.customer_id
    );
    let body = Json(view::cart(
        &merged.cart.unwrap_or_default(),
        &sign_in.customer_id,
    ));
    Ok(([(header::SET_COOKIE, cookie)], body).into_response())
}

async fn sign_out() -> Response {
    let cookie = "customer=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
    ([(header::SET_COOKIE, cookie)], Json(json!({}))).into_response()
}

/// The cart live: `cart` events with the whole cart, one `ended` event when
/// it stopped being this shopper's (the page then opens the stream again).
async fn stream(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, (StatusCode, Json<Value>)> {
    let who = shopper(&headers)?;
    let customer = who.customer_id.clone();
    let request = pb::WatchCartRequest {
        shopper: Some(who),
        after_version: 0,
        ..Default::default()
    };
    let watched = app.cart.watch_cart(request).await.map_err(refused)?;
    let events = watched.filter_map(move |message| {
        let customer = customer.clone();
        async move {
            let event = match message.map(|m| m.update) {
                Ok(Some(Update::Cart(cart))) => Event::default()
                    .event("cart")
                    .data(view::cart(&cart, &customer).to_string()),
                Ok(Some(Update::Ended(ended))) => Event::default().event("ended").data(
                    json!({"cart_id": ended.cart_id, "into_cart_id": ended.into_cart_id})
                        .to_string(),
                ),
                Ok(Some(Update::Keepalive(_))) | Ok(None) => return None,
                // The replica stopped, or the service is away: the page
                // reconnects (EventSource does by itself, after `retry`).
                Err(_) => Event::default().event("gone").data("{}"),
            };
            Some(Ok(event.retry(Duration::from_millis(500))))
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
