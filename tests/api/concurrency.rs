use crate::db_test;
use crate::support::*;
use cart_service::domain::ids::VariantId;

/// Distinct in-stock variants of the demo catalog.
const VARIANTS: [&str; 10] = [
    "var-classic-tee-s",
    "var-classic-tee-m",
    "var-socks-3pack",
    "var-notebook-a5",
    "var-tea-sampler-std",
    "var-water-bottle-750ml",
    "var-coffee-beans-250g",
    "var-ceramic-mug-white",
    "var-gift-card-25",
    "var-gift-card-100",
];

db_test!(twenty_concurrent_adds_of_one_variant_sum_exactly, |app| {
    let calls = (0..20).map(|_| app.add(shopper("s1"), "var-gift-card-25", 3));
    let results = futures::future::join_all(calls).await;
    for result in &results {
        assert!(result.is_ok(), "{result:?}");
    }
    let cart = app.get(shopper("s1")).await;
    assert_eq!(cart.items.len(), 1);
    assert_eq!(cart.items[0].quantity, 60);
    assert_eq!(cart.version, 20);
    // created + 20 item_added, numbered 1..=21 without gaps.
    let seqs: Vec<i64> = app
        .events(&cart.id)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(seqs, (1..=21).collect::<Vec<_>>());
});

db_test!(
    ten_concurrent_first_adds_for_one_session_create_exactly_one_cart,
    |app| {
        let calls = VARIANTS.iter().map(|v| app.add(shopper("s1"), v, 1));
        let results = futures::future::join_all(calls).await;
        for result in &results {
            assert!(result.is_ok(), "{result:?}");
        }
        let stored = app.stored().await;
        assert_eq!(stored.carts.len(), 1);
        assert_eq!(stored.items.len(), 10);
        assert_eq!(app.get(shopper("s1")).await.version, 10);
    }
);

db_test!(
    the_line_limit_holds_under_fifty_concurrent_adds_of_distinct_variants,
    |settings| {
        settings.cart.max_lines = 20;
    },
    |app| {
        // 50 distinct variants: copies of one demo variant under new ids.
        let template = app
            .catalog
            .lookup(&[VariantId::parse("var-gift-card-25").expect("id")])
            .into_values()
            .next()
            .expect("demo variant");
        let ids: Vec<String> = (0..50)
            .map(|n| format!("var-gift-card-25-copy-{n}"))
            .collect();
        for id in &ids {
            let mut copy = template.clone();
            copy.id = VariantId::parse(id).expect("id");
            app.catalog.insert(copy);
        }
        let calls = ids.iter().map(|v| app.add(shopper("s1"), v, 1));
        let results = futures::future::join_all(calls).await;
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 20);
        for result in results.into_iter().filter(|r| r.is_err()) {
            let (_, details) = expect_code(result, tonic::Code::FailedPrecondition);
            assert_eq!(reason(&details), "CART_LINE_LIMIT");
        }
        let stored = app.stored().await;
        assert_eq!(stored.items.len(), 20);
        assert_eq!(app.get(shopper("s1")).await.version, 20);
    }
);
