use crate::db_test;
use crate::helpers::*;
use cart_service::domain::ids::VariantId;
use cart_service::proto::shop::cart::v1 as pb;
use prost::Message;
use tonic::Code;

fn add_request(
    session: &str,
    variant: &str,
    product: &str,
    quantity: i32,
    request_id: &str,
) -> pb::AddItemRequest {
    pb::AddItemRequest {
        shopper: shopper(session),
        product_id: product.into(),
        variant_id: variant.into(),
        quantity,
        request_id: request_id.into(),
        ..Default::default()
    }
}

async fn add_raw(
    app: &TestApp,
    request: pb::AddItemRequest,
) -> Result<pb::AddItemResponse, tonic::Status> {
    Ok(app.client.clone().add_item(request).await?.into_inner())
}

db_test!(
    a_hundred_retries_of_one_request_id_apply_once_with_byte_identical_responses,
    |app| {
        let request = add_request("s1", "var-gift-card-25", "prod-gift-card", 3, "req-1");
        let first = add_raw(&app, request.clone()).await.expect("first");
        let retries =
            futures::future::join_all((0..100).map(|_| add_raw(&app, request.clone()))).await;
        for retry in retries {
            let retry = retry.expect("a retry succeeds");
            assert_eq!(
                retry.encode_to_vec(),
                first.encode_to_vec(),
                "replayed byte for byte"
            );
        }
        let cart = app.get(shopper("s1")).await;
        assert_eq!(cart.items[0].quantity, 3);
        assert_eq!(cart.version, 1);
    }
);

db_test!(concurrent_first_uses_of_one_request_id_apply_once, |app| {
    let request = add_request("s1", "var-gift-card-25", "prod-gift-card", 2, "req-race");
    let calls = futures::future::join_all((0..20).map(|_| add_raw(&app, request.clone()))).await;
    let bodies: Vec<Vec<u8>> = calls
        .into_iter()
        .map(|r| r.expect("succeeds").encode_to_vec())
        .collect();
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every caller sees the one response"
    );
    assert_eq!(app.get(shopper("s1")).await.items[0].quantity, 2);
});

db_test!(
    a_request_id_reused_for_another_request_is_refused_and_changes_nothing,
    |app| {
        add_raw(
            &app,
            add_request("s1", "var-gift-card-25", "prod-gift-card", 1, "req-1"),
        )
        .await
        .expect("first");
        let before = app.stored().await;
        let other = add_request("s1", "var-gift-card-25", "prod-gift-card", 2, "req-1");
        let (_, details) = expect_code(add_raw(&app, other).await, Code::InvalidArgument);
        assert_eq!(reason(&details), "REQUEST_ID_REUSED");
        assert_eq!(bad_fields(&details), ["request_id"]);
        let set_email = app
            .client
            .clone()
            .set_email(pb::SetEmailRequest {
                shopper: shopper("s1"),
                email: "ada@example.com".into(),
                request_id: "req-1".into(),
                ..Default::default()
            })
            .await;
        let (_, details) = expect_code(set_email, Code::InvalidArgument);
        assert_eq!(
            reason(&details),
            "REQUEST_ID_REUSED",
            "another RPC is another request"
        );
        assert_eq!(app.stored().await, before);
    }
);

db_test!(request_ids_are_scoped_to_the_shopper, |app| {
    add_raw(
        &app,
        add_request("s1", "var-gift-card-25", "prod-gift-card", 1, "same"),
    )
    .await
    .expect("s1");
    let theirs = add_raw(
        &app,
        add_request("s2", "var-gift-card-25", "prod-gift-card", 1, "same"),
    )
    .await
    .expect("s2");
    let cart = theirs.cart.unwrap();
    assert_eq!(
        cart.session_id, "s2",
        "never another shopper's remembered cart"
    );
    assert_eq!(app.stored().await.carts.len(), 2);
});

db_test!(a_failed_call_can_be_retried_with_its_request_id, |app| {
    let request = add_request(
        "s1",
        "var-classic-tee-l",
        "prod-classic-tee",
        5,
        "req-stock",
    );
    expect_code(
        add_raw(&app, request.clone()).await,
        Code::FailedPrecondition,
    );
    app.catalog
        .update(&VariantId::parse("var-classic-tee-l").unwrap(), |v| {
            v.inventory.available = 10
        });
    let done = add_raw(&app, request)
        .await
        .expect("succeeds once stock is back");
    assert_eq!(done.cart.unwrap().items[0].quantity, 5);
});

db_test!(a_request_id_is_forgotten_after_its_window, |app| {
    let request = add_request("s1", "var-gift-card-25", "prod-gift-card", 1, "req-old");
    add_raw(&app, request.clone()).await.expect("first");
    app.clock.advance(chrono::Duration::hours(25));
    add_raw(&app, request).await.expect("applies again");
    assert_eq!(app.get(shopper("s1")).await.items[0].quantity, 2);
});

db_test!(
    a_malformed_request_id_or_version_is_invalid_argument,
    |app| {
        let (_, details) = expect_code(
            add_raw(
                &app,
                add_request("s1", "var-gift-card-25", "prod-gift-card", 1, "has space"),
            )
            .await,
            Code::InvalidArgument,
        );
        assert_eq!(bad_fields(&details), ["request_id"]);
        let mut request = add_request("s1", "var-gift-card-25", "prod-gift-card", 1, "");
        request.expected_version = Some(-1);
        let (_, details) = expect_code(add_raw(&app, request).await, Code::InvalidArgument);
        assert_eq!(bad_fields(&details), ["expected_version"]);
        assert_eq!(app.stored().await.carts.len(), 0);
    }
);

db_test!(
    a_stale_expected_version_is_aborted_with_the_current_version,
    |app| {
        let mut request = add_request("s1", "var-gift-card-25", "prod-gift-card", 1, "");
        request.expected_version = Some(0);
        add_raw(&app, request.clone())
            .await
            .expect("version 0: no cart yet");
        let before = app.stored().await;
        let (_, details) = expect_code(add_raw(&app, request.clone()).await, Code::Aborted);
        assert_eq!(reason(&details), "CONCURRENT_MODIFICATION");
        assert_eq!(
            details.error_info().unwrap().metadata["current_version"],
            "1"
        );
        assert_eq!(app.stored().await, before);
        request.expected_version = Some(1);
        let cart = add_raw(&app, request)
            .await
            .expect("current version")
            .cart
            .unwrap();
        assert_eq!((cart.version, cart.items[0].quantity), (2, 2));
        let update = app
            .client
            .clone()
            .update_item(pb::UpdateItemRequest {
                shopper: shopper("s1"),
                item_id: cart.items[0].id.clone(),
                quantity: 5,
                expected_version: Some(1),
                ..Default::default()
            })
            .await;
        expect_code(update, Code::Aborted);
    }
);

db_test!(
    a_thousand_adds_from_fifty_tasks_end_with_exact_totals,
    |app| {
        // 10 shoppers × 100 single-unit adds (a line holds at most 100), from 50
        // concurrent tasks of 20 calls each.
        let tasks = (0..50).map(|task| {
            let app = &app;
            async move {
                for call in 0..20 {
                    let session = format!("s{}", (task * 20 + call) % 10);
                    app.add(shopper(&session), "var-gift-card-25", 1)
                        .await
                        .expect("add");
                }
            }
        });
        futures::future::join_all(tasks).await;
        for n in 0..10 {
            let cart = app.get(shopper(&format!("s{n}"))).await;
            assert_eq!(
                (cart.items[0].quantity, cart.version),
                (100, 100),
                "shopper s{n}"
            );
        }
    }
);
