use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use tonic::Code;

db_test!(
    adding_an_item_creates_the_cart_at_version_one_with_its_events,
    |app| {
        let cart = app
            .add(shopper("s1"), "var-classic-tee-m", 2)
            .await
            .expect("added");
        assert!(!cart.id.is_empty());
        assert_eq!(cart.version, 1);
        assert_eq!(cart.status, pb::CartStatus::Active as i32);
        assert_eq!(cart.items.len(), 1);
        let line = &cart.items[0];
        assert_eq!(line.quantity, 2);
        assert_eq!(amount(&line.unit_price), "19.99");
        assert_eq!(amount(&line.subtotal), "39.98");
        assert_eq!(amount(&cart.summary.as_ref().unwrap().total), "39.98");
        assert_eq!(
            app.events(&cart.id).await,
            vec![(1, "created".to_owned()), (2, "item_added".to_owned())]
        );
    }
);

db_test!(
    adding_the_same_variant_again_increments_its_only_line,
    |app| {
        app.add(shopper("s1"), "var-classic-tee-m", 2)
            .await
            .expect("first add");
        let cart = app
            .add(shopper("s1"), "var-classic-tee-m", 3)
            .await
            .expect("second add");
        assert_eq!(cart.version, 2);
        assert_eq!(cart.items.len(), 1);
        assert_eq!(cart.items[0].quantity, 5);
        assert_eq!(cart.summary.as_ref().unwrap().item_count, 5);
        assert_eq!(app.stored().await.items.len(), 1);
        let events = app.events(&cart.id).await;
        assert_eq!(events.last(), Some(&(3, "item_added".to_owned())));
    }
);

db_test!(
    every_mutation_slides_the_expiry_to_thirty_days_after_it,
    |app| {
        let cart = app
            .add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("added");
        let updated = cart.update_time.expect("update time");
        let expires = cart.expire_time.expect("expire time");
        assert_eq!(expires.seconds - updated.seconds, 30 * 24 * 3600);
        app.clock.advance(chrono::Duration::days(3));
        let later = app
            .add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("added");
        assert_eq!(
            later.expire_time.expect("expire").seconds,
            expires.seconds + 3 * 24 * 3600
        );
    }
);

db_test!(
    bad_quantities_are_invalid_argument_and_change_nothing,
    |app| {
        app.add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("added");
        let before = app.stored().await;
        for quantity in [0, 101, -1, i32::MIN] {
            let (_, details) = expect_code(
                app.add(shopper("s1"), "var-classic-tee-m", quantity).await,
                Code::InvalidArgument,
            );
            assert_eq!(bad_fields(&details), ["quantity"], "quantity {quantity}");
        }
        assert_eq!(app.stored().await, before);
    }
);

db_test!(a_missing_or_malformed_shopper_is_invalid_argument, |app| {
    let (_, details) = expect_code(
        app.add(None, "var-classic-tee-m", 1).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["shopper"]);
    let (_, details) = expect_code(
        app.add(shopper(""), "var-classic-tee-m", 1).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["shopper.session_id"]);
    let long = "x".repeat(129);
    let (_, details) = expect_code(
        app.add(customer("s1", &long), "var-classic-tee-m", 1).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["shopper.customer_id"]);
    assert_eq!(app.stored().await.carts.len(), 0);
});

db_test!(an_unknown_variant_is_not_found_with_resource_info, |app| {
    let request = add_item_request(shopper("s1"), "prod-classic-tee", "var-does-not-exist", 1);
    let result = app.add_request(request).await;
    let (_, details) = expect_code(result, Code::NotFound);
    let info = details.resource_info().expect("resource info");
    assert_eq!(info.resource_type, "shop.catalog.v1.Variant");
    assert_eq!(info.resource_name, "var-does-not-exist");
    assert_eq!(app.stored().await.carts.len(), 0);
});

db_test!(a_variant_of_another_product_is_not_found, |app| {
    let request = add_item_request(shopper("s1"), "prod-hoodie", "var-classic-tee-m", 1);
    let result = app.add_request(request).await;
    let (_, details) = expect_code(result, Code::NotFound);
    assert_eq!(reason(&details), "VARIANT_NOT_FOUND");
    assert_eq!(app.stored().await.carts.len(), 0);
});

db_test!(an_inactive_variant_is_failed_precondition, |app| {
    let (_, details) = expect_code(
        app.add(shopper("s1"), "var-running-shoes-44", 1).await,
        Code::FailedPrecondition,
    );
    assert_eq!(reason(&details), "VARIANT_INACTIVE");
    assert!(details.precondition_failure().is_some());
});

db_test!(
    adding_beyond_stock_is_refused_with_the_available_quantity,
    |app| {
        // var-classic-tee-l has 3 in stock.
        app.add(shopper("s1"), "var-classic-tee-l", 2)
            .await
            .expect("within stock");
        let before = app.stored().await;
        let (_, details) = expect_code(
            app.add(shopper("s1"), "var-classic-tee-l", 2).await,
            Code::FailedPrecondition,
        );
        assert_eq!(reason(&details), "OUT_OF_STOCK");
        let meta = &details.error_info().expect("error info").metadata;
        assert_eq!(meta["available_quantity"], "3");
        assert_eq!(meta["requested_quantity"], "4");
        let violation = &details
            .precondition_failure()
            .expect("precondition")
            .violations[0];
        assert_eq!(violation.subject, "variants/var-classic-tee-l");
        assert_eq!(app.stored().await, before);
        let (_, details) = expect_code(
            app.add(shopper("s2"), "var-hoodie-navy-m", 1).await,
            Code::FailedPrecondition,
        );
        assert_eq!(reason(&details), "OUT_OF_STOCK");
    }
);

db_test!(backorder_and_untracked_variants_can_exceed_stock, |app| {
    let cart = app
        .add(shopper("s1"), "var-ceramic-mug-black", 10)
        .await
        .expect("backorder allowed");
    assert_eq!(cart.items[0].quantity, 10);
    let cart = app
        .add(shopper("s1"), "var-gift-card-25", 100)
        .await
        .expect("untracked");
    assert_eq!(cart.items.len(), 2);
});

db_test!(a_line_never_holds_more_than_one_hundred_units, |app| {
    app.add(shopper("s1"), "var-gift-card-25", 60)
        .await
        .expect("added");
    let before = app.stored().await;
    let (_, details) = expect_code(
        app.add(shopper("s1"), "var-gift-card-25", 41).await,
        Code::FailedPrecondition,
    );
    assert_eq!(reason(&details), "LINE_QUANTITY_LIMIT");
    assert_eq!(app.stored().await, before);
    app.add(shopper("s1"), "var-gift-card-25", 40)
        .await
        .expect("exactly 100");
});

db_test!(
    a_full_cart_refuses_a_new_line_but_still_increments_existing_ones,
    |settings| {
        settings.cart.max_lines = 2;
    },
    |app| {
        app.add(shopper("s1"), "var-classic-tee-s", 1)
            .await
            .expect("line 1");
        app.add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("line 2");
        let before = app.stored().await;
        let (_, details) = expect_code(
            app.add(shopper("s1"), "var-socks-3pack", 1).await,
            Code::FailedPrecondition,
        );
        assert_eq!(reason(&details), "CART_LINE_LIMIT");
        assert_eq!(details.error_info().unwrap().metadata["max_lines"], "2");
        assert_eq!(app.stored().await, before);
        let cart = app
            .add(shopper("s1"), "var-classic-tee-s", 1)
            .await
            .expect("increment");
        assert_eq!(cart.items[0].quantity, 2);
    }
);

db_test!(a_variant_priced_in_another_currency_is_refused, |app| {
    let (_, details) = expect_code(
        app.add(shopper("s1"), "var-euro-poster-a2", 1).await,
        Code::FailedPrecondition,
    );
    assert_eq!(reason(&details), "CURRENCY_MISMATCH");
    let meta = &details.error_info().unwrap().metadata;
    assert_eq!(
        (
            meta["cart_currency"].as_str(),
            meta["price_currency"].as_str()
        ),
        ("USD", "EUR")
    );
    assert_eq!(app.stored().await.carts.len(), 0);
});

db_test!(
    line_metadata_is_kept_and_oversized_metadata_refused,
    |app| {
        let request = |meta| pb::AddItemRequest {
            metadata: Some(meta),
            ..add_tee_request("s1", 1)
        };
        let cart = app
            .add_request(request(metadata(
                serde_json::json!({"gift_message": "Happy birthday!", "wrap": true}),
            )))
            .await
            .expect("added");
        let stored = cart.items[0].metadata.as_ref().expect("metadata");
        assert_eq!(stored.fields.len(), 2);
        let before = app.stored().await;
        let big = metadata(serde_json::json!({ "note": "x".repeat(5000) }));
        let (_, details) = expect_code(app.add_request(request(big)).await, Code::InvalidArgument);
        assert_eq!(bad_fields(&details), ["metadata"]);
        let (_, details) = expect_code(
            app.add_request(request(deep_metadata(9))).await,
            Code::InvalidArgument,
        );
        assert_eq!(bad_fields(&details), ["metadata"]);
        assert_eq!(app.stored().await, before);
    }
);

db_test!(a_request_over_the_size_limit_is_refused, |app| {
    let request = pb::AddItemRequest {
        metadata: Some(metadata(
            serde_json::json!({ "blob": "y".repeat(100 * 1024) }),
        )),
        ..add_tee_request("s1", 1)
    };
    let result = app.add_request(request).await;
    let (_status, _) = expect_code(result, Code::OutOfRange);
    assert_eq!(app.stored().await.carts.len(), 0);
});

db_test!(
    adding_while_the_catalog_is_down_is_unavailable_and_changes_nothing,
    |app| {
        let mut app = app;
        app.add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("added");
        let before = app.stored().await;
        app.stop_catalog().await;
        let (_, details) = expect_code(
            app.add(shopper("s1"), "var-classic-tee-m", 1).await,
            Code::Unavailable,
        );
        assert_eq!(reason(&details), "CATALOG_UNAVAILABLE");
        assert!(details.retry_info().is_some());
        assert_eq!(app.stored().await, before);
    }
);
