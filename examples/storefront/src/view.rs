//! What the page sees: products from the catalog fixture, the cart as JSON
//! with amounts as exact decimal strings, and refusals with their reason.

use cart_client::proto as pb;
use cart_client::{CartError, money};
use serde_json::{Value, json};

/// The fixture's products, with their variants' ids, names and prices.
pub fn products(fixture: &Value) -> Value {
    let products = fixture["products"].as_array().cloned().unwrap_or_default();
    products
        .iter()
        .map(|p| {
            let variants: Vec<Value> = p["variants"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter(|v| v["active"].as_bool().unwrap_or(true))
                .map(|v| {
                    json!({
                        "id": v["id"],
                        "name": v["name"],
                        "price": format!("{} {}", v["price"].as_str().unwrap_or(""), v["currency"].as_str().unwrap_or("")),
                    })
                })
                .collect();
            json!({
                "id": p["id"],
                "name": p["name"],
                "image": p["images"][0]["url"],
                "variants": variants,
            })
        })
        .collect()
}

fn amount(money: Option<&pb::common::Money>) -> String {
    money.map_or_else(String::new, |m| {
        format!("{} {}", money::to_decimal(m), m.currency_code)
    })
}

/// The cart as the page draws it, for the shopper signed in as `who`
/// (empty: a guest).
pub fn cart(cart: &pb::Cart, who: &str) -> Value {
    let summary = cart.summary.as_ref();
    json!({
        "id": cart.id,
        "version": cart.version,
        "who": who,
        "item_count": summary.map_or(0, |s| s.item_count),
        "total": amount(summary.and_then(|s| s.total.as_ref())),
        "items": cart.items.iter().map(|i| json!({
            "id": i.id,
            "name": i.product.as_ref().map_or("", |p| p.name.as_str()),
            "variant": i.variant.as_ref().map_or("", |v| v.name.as_str()),
            "quantity": i.quantity,
            "unit_price": amount(i.unit_price.as_ref()),
            "subtotal": amount(i.subtotal.as_ref()),
        })).collect::<Vec<_>>(),
    })
}

/// A refusal for the page: its reason, a message a shopper can read, and
/// the quantity available when stock was short.
pub fn refusal(error: &CartError) -> Value {
    use pb::ErrorReason;
    let message = match error.reason() {
        ErrorReason::OutOfStock => format!(
            "Only {} left in stock.",
            error.available_quantity().unwrap_or(0)
        ),
        ErrorReason::LineQuantityLimit => "That is the most of one item a cart can hold.".into(),
        ErrorReason::RateLimited => "Too many changes at once; try again in a moment.".into(),
        _ => "Something went wrong; please try again.".into(),
    };
    json!({
        "reason": error.reason().as_str_name(),
        "message": message,
        "available_quantity": error.available_quantity(),
    })
}
