//! The Rust client crate (`clients/rust`) against the real server: typed
//! calls, reasons and details decoded, Money as a decimal.

use cart_client::proto::{self as cpb, ErrorReason};
use cart_client::{CartClient, money};
use tonic::Code;

use crate::db_test;
use crate::support::*;

fn who(session: &str) -> Option<cpb::Shopper> {
    Some(cpb::Shopper {
        session_id: session.into(),
        customer_id: String::new(),
        ..Default::default()
    })
}

/// An add of a Classic Tee variant.
fn add(session: &str, variant: &str, quantity: i32) -> cpb::AddItemRequest {
    cpb::AddItemRequest {
        shopper: who(session),
        product_id: "prod-classic-tee".into(),
        variant_id: variant.into(),
        quantity,
        ..Default::default()
    }
}

db_test!(the_client_decodes_reasons_details_and_money, |app| {
    let client = CartClient::connect_lazy(&format!("http://{}", app.addr)).expect("url");
    let cart = client
        .add_item(add("rust-bff", "var-classic-tee-m", 2))
        .await
        .expect("added")
        .cart
        .expect("cart");
    let line = &cart.items[0];
    let unit = money::to_decimal(line.unit_price.as_ref().expect("price"));
    assert_eq!(unit.to_string(), "19.99");

    // Three available: the error says so, by reason and metadata.
    let error = client
        .add_item(add("rust-bff", "var-classic-tee-l", 9))
        .await
        .expect_err("out of stock");
    assert_eq!(error.code(), Code::FailedPrecondition);
    assert_eq!(error.reason(), ErrorReason::OutOfStock);
    assert_eq!(error.available_quantity(), Some(3));

    // A stale version: ABORTED with the current one to reload to.
    let stale = cpb::UpdateItemRequest {
        shopper: who("rust-bff"),
        item_id: line.id.clone(),
        quantity: 3,
        expected_version: Some(cart.version - 1),
        ..Default::default()
    };
    let error = client.update_item(stale).await.expect_err("stale");
    assert_eq!(error.reason(), ErrorReason::ConcurrentModification);
    assert_eq!(error.current_version(), Some(cart.version));

    // A bad field: the violations, by field.
    let error = client
        .add_item(add("rust-bff", "var-classic-tee-m", 0))
        .await
        .expect_err("bad quantity");
    assert_eq!(error.reason(), ErrorReason::InvalidField);
    assert!(
        error
            .field_violations()
            .iter()
            .any(|(field, _)| field == "quantity")
    );
    // Nothing changed on the way.
    assert_eq!(app.get(shopper("rust-bff")).await.items.len(), 1);
});
