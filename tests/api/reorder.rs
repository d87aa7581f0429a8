//! Reorder: an order's lines copied into the cart at today's prices, by the
//! MERGE rules, every change reported; only the shopper's completed carts.

use cart_client::proto::{self as pb, ErrorReason};
use cart_service::domain::ids::VariantId;
use rust_decimal::Decimal;
use tonic::Code;

use crate::db_test;
use crate::support::*;

fn reorder(who: Option<pb::Shopper>, order: &str) -> pb::ReorderRequest {
    pb::ReorderRequest {
        shopper: who,
        order_cart_id: order.into(),
        ..Default::default()
    }
}

/// A completed cart of `who` with `lines` (variant, quantity).
async fn order(app: &TestApp, who: Option<pb::Shopper>, lines: &[(&str, i32)]) -> pb::Cart {
    let mut cart = pb::Cart::default();
    for (variant, quantity) in lines {
        cart = app
            .add(who.clone(), variant, *quantity)
            .await
            .expect("added");
    }
    app.complete(&cart.id, "order-1").await.expect("completed")
}

fn variant(id: &str) -> VariantId {
    VariantId::parse(id).expect("id")
}

db_test!(an_order_comes_back_at_todays_prices, |app| {
    let who = customer("laptop", "ada");
    let ordered = order(
        &app,
        who.clone(),
        &[("var-classic-tee-m", 2), ("var-classic-tee-s", 1)],
    )
    .await;
    app.catalog.update(&variant("var-classic-tee-m"), |v| {
        v.price.amount = Decimal::new(2199, 2);
    });
    let answer = app
        .cart
        .reorder(reorder(who.clone(), &ordered.id))
        .await
        .expect("reordered");
    let cart = answer.cart.expect("cart");
    assert_ne!(cart.id, ordered.id, "a new active cart");
    let m = cart
        .items
        .iter()
        .find(|i| i.variant_id == "var-classic-tee-m")
        .expect("M");
    assert_eq!((m.quantity, amount(&m.unit_price)), (2, "21.99".to_owned()));
    let repriced: Vec<_> = answer
        .adjustments
        .iter()
        .filter(|a| a.r#type() == pb::CartAdjustmentType::PriceUpdated)
        .collect();
    assert_eq!(repriced.len(), 1);
    assert_eq!(amount(&repriced[0].old_price), "19.99");
    assert_eq!(amount(&repriced[0].new_price), "21.99");
    assert_eq!(
        answer.notice,
        "Prices are today's prices; 1 changed since the order."
    );
    let events = app.list_events(&cart.id, 50, "").await.expect("events");
    assert!(events.events.iter().any(|e| e.r#type == "reordered"));
});

db_test!(
    an_order_is_fitted_to_stock_and_what_is_gone_is_dropped,
    |app| {
        let who = shopper("s");
        let ordered = order(
            &app,
            who.clone(),
            &[("var-classic-tee-l", 3), ("var-classic-tee-s", 1)],
        )
        .await;
        app.catalog
            .update(&variant("var-classic-tee-l"), |v| v.inventory.available = 1);
        app.catalog
            .update(&variant("var-classic-tee-s"), |v| v.active = false);
        let answer = app
            .cart
            .reorder(reorder(who, &ordered.id))
            .await
            .expect("reordered");
        let cart = answer.cart.expect("cart");
        assert_eq!(cart.items.len(), 1);
        assert_eq!(
            (cart.items[0].variant_id.as_str(), cart.items[0].quantity),
            ("var-classic-tee-l", 1)
        );
        let kinds: Vec<pb::CartAdjustmentType> =
            answer.adjustments.iter().map(|a| a.r#type()).collect();
        assert!(
            kinds.contains(&pb::CartAdjustmentType::QuantityClamped),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&pb::CartAdjustmentType::DroppedUnavailable),
            "{kinds:?}"
        );
    }
);

db_test!(only_the_shoppers_own_orders_can_be_reordered, |app| {
    let theirs = order(&app, customer("x", "bob"), &[("var-classic-tee-m", 1)]).await;
    let active = app
        .add(customer("laptop", "ada"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    let (error, _) = expect_code(
        app.cart
            .reorder(reorder(customer("laptop", "ada"), &theirs.id))
            .await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::CartNotFound);
    let (error, _) = expect_code(
        app.cart
            .reorder(reorder(customer("laptop", "ada"), &active.id))
            .await,
        Code::FailedPrecondition,
    );
    assert_eq!(error.reason(), ErrorReason::CartNotCompleted);
    assert_eq!(error.metadata("status"), Some("active"));
    let (_, details) = expect_code(
        app.cart
            .reorder(reorder(customer("laptop", "ada"), "not-an-id"))
            .await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["order_cart_id"]);
    let after = app.get(customer("laptop", "ada")).await;
    assert_eq!(
        (after.version, after.items.len()),
        (active.version, 1),
        "nothing changed"
    );
});
