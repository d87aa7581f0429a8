use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use cart_service::domain::ids::VariantId;
use rust_decimal::Decimal;

db_test!(
    a_shopper_without_a_cart_gets_an_empty_view_and_nothing_is_written,
    |app| {
        let cart = app.get(shopper("fresh")).await;
        assert!(cart.id.is_empty());
        assert_eq!(cart.version, 0);
        assert!(cart.items.is_empty());
        assert_eq!(cart.currency_code, "USD");
        assert_eq!(amount(&cart.summary.as_ref().unwrap().total), "0");
        assert_eq!(app.stored().await.carts.len(), 0);
    }
);

db_test!(
    get_cart_enriches_lines_from_the_catalog_and_totals_them_exactly,
    |app| {
        app.add(shopper("s1"), "var-classic-tee-m", 3)
            .await
            .expect("tee");
        app.add(shopper("s1"), "var-penny-sticker-std", 7)
            .await
            .expect("stickers");
        let before = app.stored().await;
        let cart = app.get(shopper("s1")).await;
        assert_eq!(app.stored().await, before, "a read writes nothing");
        let tee = &cart.items[0];
        let product = tee.product.as_ref().unwrap();
        assert_eq!(product.name, "Classic Tee");
        assert_eq!(product.slug, "classic-tee");
        assert_eq!(product.images.len(), 1);
        let variant = tee.variant.as_ref().unwrap();
        assert_eq!(variant.name, "Medium");
        assert_eq!(variant.attributes["size"], "M");
        let summary = cart.summary.unwrap();
        assert_eq!(summary.item_count, 10);
        assert_eq!(summary.unique_items, 2);
        // 3 × 19.99 + 7 × 0.10, exact.
        assert_eq!(amount(&summary.subtotal), "60.67");
        assert_eq!(amount(&summary.total), "60.67");
        assert_eq!(amount(&summary.tax), "0");
    }
);

db_test!(a_guest_never_sees_a_customers_cart, |app| {
    app.add(customer("s1", "c1"), "var-classic-tee-m", 1)
        .await
        .expect("customer add");
    let guest = app.get(shopper("s1")).await;
    assert!(guest.id.is_empty(), "the guest view is empty");
    let own = app.get(customer("other-device", "c1")).await;
    assert_eq!(
        own.items.len(),
        1,
        "the customer's cart follows the customer"
    );
    let guest_cart = app
        .add(shopper("s1"), "var-socks-3pack", 1)
        .await
        .expect("guest add");
    assert_eq!(guest_cart.items.len(), 1);
    assert_eq!(app.stored().await.carts.len(), 2);
});

db_test!(a_price_change_warns_and_keeps_the_locked_price, |app| {
    app.add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("added");
    let id = VariantId::parse("var-classic-tee-m").unwrap();
    app.catalog
        .update(&id, |v| v.price.amount = Decimal::new(2499, 2));
    let cart = app.get(shopper("s1")).await;
    let line = &cart.items[0];
    assert_eq!(amount(&line.unit_price), "19.99");
    assert_eq!(amount(&line.current_price), "24.99");
    assert!(line.price_changed);
    assert_eq!(amount(&cart.summary.unwrap().subtotal), "39.98");
    assert!(
        cart.warnings
            .iter()
            .any(|w| w.r#type == pb::CartWarningType::PriceChanged as i32 && w.item_id == line.id)
    );
});

db_test!(stock_warnings_show_low_and_short_stock, |app| {
    // Classic Tee L: 3 left (below the threshold of 5).
    let cart = app
        .add(shopper("s1"), "var-classic-tee-l", 2)
        .await
        .expect("added");
    assert_eq!(
        cart.items[0].availability,
        pb::Availability::LowStock as i32
    );
    assert_eq!(cart.items[0].available_quantity, 3);
    assert!(
        cart.warnings
            .iter()
            .any(|w| w.r#type == pb::CartWarningType::LowStock as i32)
    );
    let id = VariantId::parse("var-classic-tee-l").unwrap();
    app.catalog.update(&id, |v| v.inventory.available = 1);
    let cart = app.get(shopper("s1")).await;
    assert_eq!(
        cart.items[0].availability,
        pb::Availability::OutOfStock as i32
    );
    assert!(
        cart.warnings
            .iter()
            .any(|w| w.r#type == pb::CartWarningType::OutOfStock as i32)
    );
    app.catalog.update(&id, |v| v.active = false);
    let cart = app.get(shopper("s1")).await;
    assert_eq!(
        cart.items[0].availability,
        pb::Availability::Unavailable as i32
    );
});

db_test!(
    the_cart_is_served_from_snapshots_while_the_catalog_is_down,
    |app| {
        let mut app = app;
        app.cart_with_the_catalog_down("s1").await;
        let cart = app.get(shopper("s1")).await;
        assert_eq!(cart.items.len(), 1);
        let line = &cart.items[0];
        assert_eq!(line.product.as_ref().unwrap().name, "Classic Tee");
        assert_eq!(line.variant.as_ref().unwrap().sku, "CLASSI-M");
        assert_eq!(amount(&line.unit_price), "19.99");
        assert!(line.current_price.is_none());
        assert_eq!(line.availability, pb::Availability::Unknown as i32);
        assert!(
            cart.warnings
                .iter()
                .any(|w| w.r#type == pb::CartWarningType::CatalogUnavailable as i32)
        );
        // Removing needs no catalog.
        let cart = app
            .remove(shopper("s1"), &line.id)
            .await
            .expect("removed without the catalog");
        assert!(cart.items.is_empty());
    }
);

db_test!(
    an_expired_cart_is_never_served_and_the_next_add_starts_afresh,
    |app| {
        let old = app
            .add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("added");
        app.clock.advance(chrono::Duration::days(31));
        let view = app.get(shopper("s1")).await;
        assert!(view.id.is_empty(), "expired cart is not served");
        let new = app
            .add(shopper("s1"), "var-socks-3pack", 1)
            .await
            .expect("added");
        assert_ne!(new.id, old.id);
        assert_eq!(new.items.len(), 1);
        let stored = app.stored().await;
        let old_row = stored
            .carts
            .iter()
            .find(|c| c.id.to_string() == old.id)
            .unwrap();
        assert_eq!(old_row.status, "abandoned");
        assert_eq!(app.events(&old.id).await.last().unwrap().1, "abandoned");
    }
);
