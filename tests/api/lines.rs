use crate::db_test;
use crate::support::*;
use cart_service::domain::ids::VariantId;
use tonic::Code;

db_test!(
    update_item_sets_the_quantity_and_zero_removes_the_line,
    |app| {
        let cart = app
            .add(shopper("s1"), "var-classic-tee-m", 2)
            .await
            .expect("added");
        let id = cart.items[0].id.clone();
        let cart = app.update(shopper("s1"), &id, 7).await.expect("updated");
        assert_eq!(cart.items[0].quantity, 7);
        assert_eq!(cart.version, 2);
        let cart = app.update(shopper("s1"), &id, 0).await.expect("removed");
        assert!(cart.items.is_empty());
        assert_eq!(cart.version, 3);
        let events: Vec<String> = app
            .events(&cart.id)
            .await
            .into_iter()
            .map(|e| e.1)
            .collect();
        assert_eq!(
            events,
            ["created", "item_added", "item_updated", "item_removed"]
        );
    }
);

db_test!(
    raising_beyond_stock_is_refused_but_lowering_is_always_allowed,
    |app| {
        let cart = app
            .add(shopper("s1"), "var-classic-tee-l", 3)
            .await
            .expect("added");
        let id = cart.items[0].id.clone();
        let before = app.stored().await;
        let (_, details) = expect_code(
            app.update(shopper("s1"), &id, 4).await,
            Code::FailedPrecondition,
        );
        assert_eq!(reason(&details), "OUT_OF_STOCK");
        assert_eq!(app.stored().await, before);
        let variant = VariantId::parse("var-classic-tee-l").unwrap();
        app.catalog.update(&variant, |v| {
            v.inventory.available = 0;
            v.active = false;
        });
        let cart = app
            .update(shopper("s1"), &id, 1)
            .await
            .expect("lowering needs no stock");
        assert_eq!(cart.items[0].quantity, 1);
    }
);

db_test!(update_quantity_out_of_range_is_invalid_argument, |app| {
    let cart = app
        .add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("added");
    let id = cart.items[0].id.clone();
    let before = app.stored().await;
    for quantity in [-1, 101] {
        let (_, details) = expect_code(
            app.update(shopper("s1"), &id, quantity).await,
            Code::InvalidArgument,
        );
        assert_eq!(bad_fields(&details), ["quantity"]);
    }
    let (_, details) = expect_code(
        app.update(shopper("s1"), "not-a-uuid", 1).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["item_id"]);
    assert_eq!(app.stored().await, before);
});

db_test!(another_carts_item_is_not_found_and_left_alone, |app| {
    let theirs = app
        .add(shopper("victim"), "var-classic-tee-m", 2)
        .await
        .expect("added");
    let their_item = theirs.items[0].id.clone();
    app.add(shopper("attacker"), "var-socks-3pack", 1)
        .await
        .expect("added");
    let before = app.stored().await;
    let (_, details) = expect_code(
        app.update(shopper("attacker"), &their_item, 5).await,
        Code::NotFound,
    );
    assert_eq!(
        details.resource_info().unwrap().resource_type,
        "shop.cart.v1.CartItem"
    );
    expect_code(
        app.remove(shopper("attacker"), &their_item).await,
        Code::NotFound,
    );
    expect_code(
        app.remove(shopper("nobody"), &their_item).await,
        Code::NotFound,
    );
    assert_eq!(app.stored().await, before);
    assert_eq!(app.get(shopper("victim")).await.items[0].quantity, 2);
});

db_test!(remove_item_removes_only_that_line, |app| {
    app.add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("added");
    let cart = app
        .add(shopper("s1"), "var-socks-3pack", 1)
        .await
        .expect("added");
    let cart = app
        .remove(shopper("s1"), &cart.items[0].id)
        .await
        .expect("removed");
    assert_eq!(cart.items.len(), 1);
    assert_eq!(cart.items[0].variant_id, "var-socks-3pack");
    let (_, _) = expect_code(
        app.remove(shopper("s1"), &uuid::Uuid::now_v7().to_string())
            .await,
        Code::NotFound,
    );
});

db_test!(clear_cart_empties_the_cart_and_keeps_its_email, |app| {
    app.add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("added");
    app.add(shopper("s1"), "var-socks-3pack", 1)
        .await
        .expect("added");
    app.set_email(shopper("s1"), "ada@example.com")
        .await
        .expect("email");
    let cart = app.clear(shopper("s1")).await.expect("cleared");
    assert!(cart.items.is_empty());
    assert_eq!(cart.email, "ada@example.com");
    assert_eq!(app.stored().await.items.len(), 0);
    assert_eq!(app.events(&cart.id).await.last().unwrap().1, "cleared");
});

db_test!(clearing_without_a_cart_writes_nothing, |app| {
    let cart = app.clear(shopper("nobody")).await.expect("cleared");
    assert!(cart.id.is_empty());
    assert_eq!(app.stored().await.carts.len(), 0);
});
