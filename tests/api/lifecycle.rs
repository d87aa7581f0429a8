use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use rust_decimal::Decimal;
use tonic::Code;

db_test!(
    refresh_accepts_prices_clamps_to_stock_drops_the_gone_and_validation_then_passes,
    |app| {
        // Five bags of coffee beans, three left in stock.
        app.stale_cart("s1", "var-coffee-beans-1kg", 5, 3).await;
        assert!(!app.validate(shopper("s1")).await.unwrap().valid);
        let r = app.refresh(shopper("s1")).await.expect("refreshed");
        let mut kinds: Vec<_> = r
            .adjustments
            .iter()
            .map(|a| {
                (
                    pb::CartAdjustmentType::try_from(a.r#type).unwrap(),
                    a.variant_id.clone(),
                )
            })
            .collect();
        kinds.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            kinds,
            [
                (
                    pb::CartAdjustmentType::PriceUpdated,
                    "var-classic-tee-m".to_owned()
                ),
                (
                    pb::CartAdjustmentType::QuantityClamped,
                    "var-coffee-beans-1kg".to_owned()
                ),
                (
                    pb::CartAdjustmentType::DroppedUnavailable,
                    "var-socks-3pack".to_owned()
                ),
            ]
        );
        let price = r
            .adjustments
            .iter()
            .find(|a| a.variant_id == "var-classic-tee-m")
            .unwrap();
        assert_eq!(
            (amount(&price.old_price), amount(&price.new_price)),
            ("19.99".to_owned(), "17.99".to_owned())
        );
        let cart = r.cart.unwrap();
        assert_eq!(cart.items.len(), 2);
        assert_eq!(
            amount(&cart.summary.unwrap().subtotal),
            format!("{}", Decimal::new(1799 * 2 + 3990 * 3, 2))
        );
        let validation = app.validate(shopper("s1")).await.expect("validated");
        assert!(validation.valid, "{:?}", validation.issues);
        assert_eq!(app.events(&cart.id).await.last().unwrap().1, "refreshed");
    }
);

db_test!(a_refresh_with_nothing_to_change_writes_nothing, |app| {
    app.add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("tee");
    let before = app.stored().await;
    let r = app.refresh(shopper("s1")).await.expect("refreshed");
    assert!(r.adjustments.is_empty());
    assert_eq!(r.cart.unwrap().version, 1);
    assert_eq!(app.stored().await, before);
    let none = app.refresh(shopper("nobody")).await.expect("no cart");
    assert!(none.cart.unwrap().id.is_empty());
});

db_test!(
    refresh_without_the_catalog_is_unavailable_and_changes_nothing,
    |app| {
        let mut app = app;
        app.add(shopper("s1"), "var-classic-tee-m", 2)
            .await
            .expect("tee");
        let before = app.stored().await;
        app.stop_catalog().await;
        let (_, details) = expect_code(app.refresh(shopper("s1")).await, Code::Unavailable);
        assert_eq!(reason(&details), "CATALOG_UNAVAILABLE");
        assert_eq!(app.stored().await, before);
    }
);

db_test!(
    completing_a_cart_is_idempotent_per_order_and_the_next_add_starts_a_new_cart,
    |app| {
        let cart = app
            .add(shopper("s1"), "var-classic-tee-m", 2)
            .await
            .expect("added");
        let done = app.complete(&cart.id, "order-1").await.expect("completed");
        assert_eq!(done.status, pb::CartStatus::Completed as i32);
        assert_eq!(done.order_id, "order-1");
        let before = app.stored().await;
        let again = app
            .complete(&cart.id, "order-1")
            .await
            .expect("same order again");
        assert_eq!(again.version, done.version);
        assert_eq!(app.stored().await, before);
        let (_, details) = expect_code(
            app.complete(&cart.id, "order-2").await,
            Code::FailedPrecondition,
        );
        assert_eq!(reason(&details), "CART_ALREADY_COMPLETED");
        assert!(
            app.get(shopper("s1")).await.id.is_empty(),
            "a completed cart is not the active cart"
        );
        let next = app
            .add(shopper("s1"), "var-socks-3pack", 1)
            .await
            .expect("new cart");
        assert_ne!(next.id, cart.id);
        let by_id = app.get_by_id(&cart.id).await.expect("by id");
        assert_eq!(
            (by_id.status, by_id.items.len()),
            (pb::CartStatus::Completed as i32, 1)
        );
        assert_eq!(app.events(&cart.id).await.last().unwrap().1, "completed");
    }
);

db_test!(
    merged_expired_empty_and_unknown_carts_cannot_be_completed,
    |app| {
        let guest = app.guest_adds("s1", &[("var-classic-tee-m", 1)]).await;
        app.customer_adds("c1", &[("var-socks-3pack", 1)]).await;
        app.merge_guest("s1", "c1", pb::MergeStrategy::Merge).await;
        let (_, details) = expect_code(
            app.complete(&guest.id, "o1").await,
            Code::FailedPrecondition,
        );
        assert_eq!(reason(&details), "CART_NOT_ACTIVE");
        let empty = app
            .set_email(shopper("s2"), "ada@example.com")
            .await
            .expect("empty cart");
        let (_, details) = expect_code(
            app.complete(&empty.id, "o2").await,
            Code::FailedPrecondition,
        );
        assert_eq!(reason(&details), "CART_EMPTY");
        let old = app
            .add(shopper("s3"), "var-classic-tee-m", 1)
            .await
            .expect("cart");
        app.clock.advance(chrono::Duration::days(31));
        let (_, details) = expect_code(app.complete(&old.id, "o3").await, Code::FailedPrecondition);
        assert_eq!(reason(&details), "CART_EXPIRED");
        let unknown = uuid::Uuid::now_v7().to_string();
        let (_, details) = expect_code(app.complete(&unknown, "o4").await, Code::NotFound);
        assert_eq!(reason(&details), "CART_NOT_FOUND");
        let (_, details) = expect_code(app.complete("nope", "").await, Code::InvalidArgument);
        assert_eq!(bad_fields(&details), ["cart_id", "order_id"]);
        expect_code(app.get_by_id(&unknown).await, Code::NotFound);
        expect_code(app.get_by_id("nope").await, Code::InvalidArgument);
    }
);

db_test!(cart_events_are_listed_in_order_page_by_page, |app| {
    let cart = app
        .add(shopper("s1"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    let item = cart.items[0].id.clone();
    app.update(shopper("s1"), &item, 3).await.expect("updated");
    app.set_email(shopper("s1"), "ada@example.com")
        .await
        .expect("email");
    app.remove(shopper("s1"), &item).await.expect("removed");
    let mut token = String::new();
    let mut seen = Vec::new();
    loop {
        let page = app.list_events(&cart.id, 2, &token).await.expect("page");
        assert!(page.events.len() <= 2);
        seen.extend(page.events.iter().map(|e| (e.sequence, e.r#type.clone())));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let types: Vec<&str> = seen.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        types,
        [
            "created",
            "item_added",
            "item_updated",
            "email_set",
            "item_removed"
        ]
    );
    assert_eq!(
        seen.iter().map(|e| e.0).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let first = app
        .list_events(&cart.id, 0, "")
        .await
        .expect("default page");
    let added = &first.events[1];
    assert_eq!(
        added.data.as_ref().unwrap().fields["variant_id"].kind,
        Some(prost_types::value::Kind::StringValue(
            "var-classic-tee-m".into()
        ))
    );
    let other = app
        .add(shopper("s2"), "var-socks-3pack", 1)
        .await
        .expect("other cart");
    let page = app.list_events(&cart.id, 1, "").await.expect("page");
    let (_, details) = expect_code(
        app.list_events(&other.id, 1, &page.next_page_token).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["page_token"]);
    let (_, details) = expect_code(
        app.list_events(&cart.id, 1, "zz").await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["page_token"]);
    let (_, details) = expect_code(
        app.list_events(&cart.id, 501, "").await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["page_size"]);
    expect_code(
        app.list_events(&uuid::Uuid::now_v7().to_string(), 1, "")
            .await,
        Code::NotFound,
    );
});
