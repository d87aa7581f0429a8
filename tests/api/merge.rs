use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use cart_service::domain::ids::VariantId;
use pb::{CartAdjustmentType as Adj, MergeStrategy as Strategy};
use rust_decimal::Decimal;
use tonic::Code;

fn adjustments(r: &pb::MergeGuestCartResponse) -> Vec<(Adj, String, i32, i32)> {
    r.adjustments
        .iter()
        .map(|a| {
            (
                Adj::try_from(a.r#type).expect("known"),
                a.variant_id.clone(),
                a.requested_quantity,
                a.quantity,
            )
        })
        .collect()
}

fn quantities(cart: &pb::Cart) -> Vec<(String, i32)> {
    let mut q: Vec<_> = cart
        .items
        .iter()
        .map(|i| (i.variant_id.clone(), i.quantity))
        .collect();
    q.sort();
    q
}

db_test!(
    without_a_customer_cart_the_guest_cart_becomes_the_customers,
    |app| {
        let guest = app
            .add(shopper("s1"), "var-classic-tee-m", 2)
            .await
            .expect("added");
        let r = app.merge_guest("s1", "c1", Strategy::Unspecified).await;
        assert!(r.merged);
        let cart = r.cart.unwrap();
        assert_eq!(cart.id, guest.id, "the same cart, now the customer's");
        assert_eq!(cart.customer_id, "c1");
        assert_eq!(quantities(&cart), [("var-classic-tee-m".to_owned(), 2)]);
        assert!(r.adjustments.is_empty());
        assert_eq!(
            app.events(&cart.id).await.last().unwrap().1,
            "customer_linked"
        );
        assert!(
            app.get(shopper("s1")).await.id.is_empty(),
            "signed out, the session has no cart"
        );
        assert_eq!(
            app.get(customer("laptop", "c1")).await.id,
            guest.id,
            "on every device"
        );
    }
);

db_test!(
    merge_sums_quantities_clamped_to_stock_and_reports_every_adjustment,
    |app| {
        // var-classic-tee-l has 3 in stock.
        app.customer_adds(
            "c1",
            &[("var-classic-tee-l", 2), ("var-ceramic-mug-white", 1)],
        )
        .await;
        let guest = app
            .guest_adds("s1", &[("var-classic-tee-l", 2), ("var-socks-3pack", 4)])
            .await;
        let r = app.merge_guest("s1", "c1", Strategy::Merge).await;
        assert!(r.merged);
        let cart = r.cart.as_ref().unwrap();
        assert_eq!(
            quantities(cart),
            [
                ("var-ceramic-mug-white".to_owned(), 1),
                ("var-classic-tee-l".to_owned(), 3),
                ("var-socks-3pack".to_owned(), 4),
            ]
        );
        assert_eq!(
            adjustments(&r),
            [(Adj::QuantityClamped, "var-classic-tee-l".to_owned(), 4, 3)]
        );
        let stored = app.stored().await;
        let guest_row = stored
            .carts
            .iter()
            .find(|c| c.id.to_string() == guest.id)
            .unwrap();
        assert_eq!(guest_row.status, "merged");
        assert_eq!(
            guest_row.merged_into_cart_id.map(|id| id.to_string()),
            Some(cart.id.clone())
        );
        assert_eq!(app.events(&guest.id).await.last().unwrap().1, "merged");
        assert_eq!(app.events(&cart.id).await.last().unwrap().1, "merged");
        let by_id = app.get_by_id(&guest.id).await.expect("guest cart by id");
        assert_eq!(by_id.status, pb::CartStatus::Merged as i32);
        assert_eq!(by_id.merged_into_cart_id, cart.id);
    }
);

db_test!(
    merge_keeps_the_customers_price_and_new_lines_keep_the_guest_snapshot,
    |app| {
        let tee = VariantId::parse("var-classic-tee-m").unwrap();
        let socks = VariantId::parse("var-socks-3pack").unwrap();
        let request = pb::AddItemRequest {
            metadata: Some(metadata(serde_json::json!({ "gift": "yes" }))),
            ..add_item_request(shopper("s1"), "prod-socks", "var-socks-3pack", 1)
        };
        app.add_request(request).await.expect("guest socks");
        app.add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("guest tee at 19.99");
        app.catalog
            .update(&tee, |v| v.price.amount = Decimal::new(2499, 2));
        app.catalog
            .update(&socks, |v| v.price.amount = Decimal::new(2500, 2));
        app.add(customer("phone", "c1"), "var-classic-tee-m", 1)
            .await
            .expect("customer tee at 24.99");
        let r = app.merge_guest("s1", "c1", Strategy::Merge).await;
        let cart = r.cart.unwrap();
        let tee_line = cart
            .items
            .iter()
            .find(|i| i.variant_id == "var-classic-tee-m")
            .unwrap();
        assert_eq!(
            (tee_line.quantity, amount(&tee_line.unit_price)),
            (2, "24.99".to_owned())
        );
        let socks_line = cart
            .items
            .iter()
            .find(|i| i.variant_id == "var-socks-3pack")
            .unwrap();
        assert_eq!(
            amount(&socks_line.unit_price),
            "21",
            "the guest's snapshot price"
        );
        assert!(
            socks_line
                .metadata
                .as_ref()
                .is_some_and(|m| m.fields.contains_key("gift"))
        );
    }
);

db_test!(keep_customer_drops_the_guest_lines, |app| {
    app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
    app.guest_adds("s1", &[("var-socks-3pack", 2)]).await;
    let r = app.merge_guest("s1", "c1", Strategy::KeepCustomer).await;
    assert_eq!(
        quantities(r.cart.as_ref().unwrap()),
        [("var-classic-tee-m".to_owned(), 1)]
    );
    assert_eq!(
        adjustments(&r),
        [(Adj::DroppedByStrategy, "var-socks-3pack".to_owned(), 2, 0)]
    );
});

db_test!(keep_guest_replaces_the_customers_lines, |app| {
    app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
    app.guest_adds("s1", &[("var-socks-3pack", 2)]).await;
    let r = app.merge_guest("s1", "c1", Strategy::KeepGuest).await;
    assert_eq!(
        quantities(r.cart.as_ref().unwrap()),
        [("var-socks-3pack".to_owned(), 2)]
    );
    assert_eq!(
        adjustments(&r),
        [(Adj::DroppedByStrategy, "var-classic-tee-m".to_owned(), 1, 0)]
    );
});

db_test!(merging_an_empty_guest_cart_changes_no_lines, |app| {
    app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
    let guest = app
        .set_email(shopper("s1"), "ada@example.com")
        .await
        .expect("empty guest cart");
    let r = app.merge_guest("s1", "c1", Strategy::Merge).await;
    assert!(r.merged);
    assert_eq!(
        quantities(r.cart.as_ref().unwrap()),
        [("var-classic-tee-m".to_owned(), 1)]
    );
    assert_eq!(
        app.get_by_id(&guest.id).await.unwrap().status,
        pb::CartStatus::Merged as i32
    );
});

db_test!(
    merging_into_a_full_customer_cart_drops_what_does_not_fit,
    |settings| {
        settings.cart.max_lines = 2;
    },
    |app| {
        app.customer_adds("c1", &[("var-classic-tee-s", 1), ("var-classic-tee-m", 1)])
            .await;
        // One variant the customer's cart has, one it has not.
        app.guest_adds("s1", &[("var-classic-tee-m", 1), ("var-socks-3pack", 1)])
            .await;
        let r = app.merge_guest("s1", "c1", Strategy::Merge).await;
        let cart = r.cart.as_ref().unwrap();
        assert_eq!(
            quantities(cart),
            [
                ("var-classic-tee-m".to_owned(), 2),
                ("var-classic-tee-s".to_owned(), 1)
            ]
        );
        assert_eq!(
            adjustments(&r),
            [(Adj::DroppedLineLimit, "var-socks-3pack".to_owned(), 1, 0)]
        );
    }
);

db_test!(
    merging_after_stock_dropped_clamps_or_drops_guest_lines,
    |app| {
        app.guest_adds(
            "s1",
            &[
                ("var-coffee-beans-1kg", 10),
                ("var-yoga-mat-std", 2),
                ("var-notebook-a5", 1),
            ],
        )
        .await;
        app.customer_adds("c1", &[("var-socks-3pack", 1)]).await;
        app.catalog
            .update(&VariantId::parse("var-coffee-beans-1kg").unwrap(), |v| {
                v.inventory.available = 4
            });
        app.catalog
            .update(&VariantId::parse("var-yoga-mat-std").unwrap(), |v| {
                v.inventory.available = 0
            });
        app.catalog
            .update(&VariantId::parse("var-notebook-a5").unwrap(), |v| {
                v.active = false
            });
        let r = app.merge_guest("s1", "c1", Strategy::Merge).await;
        assert_eq!(
            quantities(r.cart.as_ref().unwrap()),
            [
                ("var-coffee-beans-1kg".to_owned(), 4),
                ("var-socks-3pack".to_owned(), 1)
            ]
        );
        let mut got = adjustments(&r);
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            [
                (
                    Adj::QuantityClamped,
                    "var-coffee-beans-1kg".to_owned(),
                    10,
                    4
                ),
                (Adj::DroppedUnavailable, "var-notebook-a5".to_owned(), 1, 0),
                (Adj::DroppedOutOfStock, "var-yoga-mat-std".to_owned(), 2, 0),
            ]
        );
    }
);

db_test!(
    a_retried_merge_changes_nothing_and_returns_the_customers_cart,
    |app| {
        app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
        app.guest_adds("s1", &[("var-classic-tee-m", 2)]).await;
        let first = app.merge_guest("s1", "c1", Strategy::Merge).await;
        let before = app.stored().await;
        let again = app
            .merge(customer("s1", "c1"), "", Strategy::Merge)
            .await
            .expect("retried");
        assert!(!again.merged);
        assert_eq!(
            again.cart.as_ref().unwrap().id,
            first.cart.as_ref().unwrap().id
        );
        assert_eq!(
            again.cart.as_ref().unwrap().version,
            first.cart.as_ref().unwrap().version
        );
        assert_eq!(
            quantities(again.cart.as_ref().unwrap()),
            [("var-classic-tee-m".to_owned(), 3)]
        );
        assert_eq!(app.stored().await, before);
    }
);

db_test!(concurrent_merges_of_one_guest_cart_apply_once, |app| {
    app.customer_adds("c1", &[("var-gift-card-25", 1)]).await;
    app.guest_adds("s1", &[("var-gift-card-25", 5)]).await;
    let calls = (0..6).map(|_| app.merge(customer("s1", "c1"), "", Strategy::Merge));
    let results = futures::future::join_all(calls).await;
    let merged = results
        .iter()
        .filter(|r| r.as_ref().expect("merge succeeds").merged)
        .count();
    assert_eq!(merged, 1);
    let cart = app.get(customer("any", "c1")).await;
    assert_eq!(quantities(&cart), [("var-gift-card-25".to_owned(), 6)]);
});

db_test!(
    a_merge_and_adds_on_the_customer_cart_at_once_lose_nothing,
    |app| {
        app.customer_adds("c1", &[("var-gift-card-25", 1)]).await;
        app.guest_adds("s1", &[("var-gift-card-25", 5)]).await;
        let merge = app.merge(customer("s1", "c1"), "", Strategy::Merge);
        let adds = futures::future::join_all(
            (0..5).map(|_| app.add(customer("phone", "c1"), "var-gift-card-25", 2)),
        );
        let (merged, added) = tokio::join!(merge, adds);
        assert!(merged.expect("merge").merged);
        assert!(added.iter().all(|r| r.is_ok()), "{added:?}");
        let cart = app.get(customer("any", "c1")).await;
        assert_eq!(quantities(&cart), [("var-gift-card-25".to_owned(), 16)]);
    }
);

db_test!(a_rotated_session_names_its_guest_cart, |app| {
    app.guest_adds("before-sign-in", &[("var-socks-3pack", 1)])
        .await;
    let r = app
        .merge(
            customer("after-sign-in", "c1"),
            "before-sign-in",
            Strategy::Merge,
        )
        .await
        .expect("merged");
    assert!(r.merged);
    assert_eq!(
        quantities(r.cart.as_ref().unwrap()),
        [("var-socks-3pack".to_owned(), 1)]
    );
});

db_test!(
    merge_needs_a_customer_and_a_catalog_and_changes_nothing_without,
    |app| {
        let mut app = app;
        app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
        app.guest_adds("s1", &[("var-socks-3pack", 1)]).await;
        let before = app.stored().await;
        let (_, details) = expect_code(
            app.merge(shopper("s1"), "", Strategy::Merge).await,
            Code::InvalidArgument,
        );
        assert_eq!(bad_fields(&details), ["shopper.customer_id"]);
        let request = pb::MergeGuestCartRequest {
            strategy: 99,
            ..merge_guest_cart_request(customer("s1", "c1"), "", Strategy::Unspecified)
        };
        let unknown_strategy = app.client.clone().merge_guest_cart(request).await;
        let (_, details) = expect_code(unknown_strategy, Code::InvalidArgument);
        assert_eq!(bad_fields(&details), ["strategy"]);
        app.stop_catalog().await;
        let (_, details) = expect_code(
            app.merge(customer("s1", "c1"), "", Strategy::Merge).await,
            Code::Unavailable,
        );
        assert_eq!(reason(&details), "CATALOG_UNAVAILABLE");
        assert_eq!(app.stored().await, before);
    }
);

db_test!(
    the_guests_email_is_kept_when_the_customers_cart_has_none,
    |app| {
        app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
        app.guest_adds("s1", &[("var-socks-3pack", 2)]).await;
        app.set_email(shopper("s1"), "guest@example.com")
            .await
            .expect("guest e-mail");
        let r = app.merge_guest("s1", "c1", Strategy::Merge).await;
        assert_eq!(r.cart.expect("cart").email, "guest@example.com");
    }
);

db_test!(the_customers_own_email_wins_over_the_guests, |app| {
    app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
    app.set_email(customer("phone", "c1"), "customer@example.com")
        .await
        .expect("customer e-mail");
    app.guest_adds("s1", &[("var-socks-3pack", 2)]).await;
    app.set_email(shopper("s1"), "guest@example.com")
        .await
        .expect("guest e-mail");
    let r = app.merge_guest("s1", "c1", Strategy::Merge).await;
    assert_eq!(r.cart.expect("cart").email, "customer@example.com");
});
