//! A reference backend-for-frontend and storefront page for the cart service.
//!
//! - The `sid` cookie (made on the first visit) is the session; the
//!   `customer` cookie, set at sign-in, the customer. Together they are the
//!   `Shopper` of every call.
//! - Sign-in calls MergeGuestCart once, then every call names the customer.
//! - The page follows the cart through `/api/cart/stream`: Server-Sent Events
//!   fed by WatchCart. When the stream says the cart ended (merged at
//!   sign-in in another tab), the page opens it again as whoever it now is.
//! - Products come from the demo catalog file, prices and stock from the
//!   cart service (which asks the catalog service).
//!
//! ```sh
//! cargo run                                   # the cart service on :50051
//! cargo run -p storefront                     # http://127.0.0.1:8080
//! ```
//! `STOREFRONT_ADDR` (127.0.0.1:8080), `CART_URL` (http://127.0.0.1:50051)
//! and `CATALOG_FIXTURE` (demo/catalog.json) change the defaults.

mod api;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;

use cart_client::CartClient;

/// What the handlers share.
pub struct App {
    /// The cart service.
    pub cart: CartClient,
    /// The catalog's products, as the page lists them.
    pub products: serde_json::Value,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = env_or("STOREFRONT_ADDR", "127.0.0.1:8080").parse()?;
    let cart = CartClient::connect_lazy(&env_or("CART_URL", "http://127.0.0.1:50051"))?;
    let fixture = std::fs::read_to_string(env_or("CATALOG_FIXTURE", "demo/catalog.json"))?;
    let products = view::products(&serde_json::from_str(&fixture)?);
    let app = Arc::new(App { cart, products });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("storefront on http://{}", listener.local_addr()?);
    axum::serve(listener, api::routes(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}
