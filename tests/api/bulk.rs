//! AddItems and UpdateItems: many lines in one transaction, all or nothing,
//! each failure named by its position, one catalog lookup per batch.

use cart_client::proto::{self as pb, ErrorReason};
use tonic::Code;

use crate::db_test;
use crate::support::*;

fn line(variant: &str, quantity: i32) -> pb::AddItemsLine {
    pb::AddItemsLine {
        product_id: "prod-classic-tee".into(),
        variant_id: variant.into(),
        quantity,
        ..Default::default()
    }
}

fn add_items(session: &str, items: Vec<pb::AddItemsLine>) -> pb::AddItemsRequest {
    pb::AddItemsRequest {
        shopper: shopper(session),
        items,
        ..Default::default()
    }
}

fn set(item_id: &str, quantity: i32) -> pb::ItemQuantity {
    pb::ItemQuantity {
        item_id: item_id.into(),
        quantity,
    }
}

fn update_items(session: &str, items: Vec<pb::ItemQuantity>) -> pb::UpdateItemsRequest {
    pb::UpdateItemsRequest {
        shopper: shopper(session),
        items,
        ..Default::default()
    }
}

db_test!(
    add_items_adds_every_line_in_one_write_and_one_lookup,
    |app| {
        let before = app.catalog_served();
        let cart = app
            .cart
            .add_items(add_items(
                "bulk",
                vec![
                    line("var-classic-tee-m", 2),
                    line("var-classic-tee-s", 1),
                    line("var-classic-tee-m", 1),
                ],
            ))
            .await
            .expect("added")
            .cart
            .expect("cart");
        assert_eq!(
            app.catalog_served() - before,
            1,
            "one catalog lookup for the batch"
        );
        assert_eq!(cart.version, 1, "one write");
        let quantities: Vec<(String, i32)> = cart
            .items
            .iter()
            .map(|i| (i.variant_id.clone(), i.quantity))
            .collect();
        assert_eq!(
            quantities,
            [
                ("var-classic-tee-m".to_owned(), 3),
                ("var-classic-tee-s".to_owned(), 1)
            ]
        );
        let events = app.list_events(&cart.id, 50, "").await.expect("events");
        let kinds: Vec<&str> = events.events.iter().map(|e| e.r#type.as_str()).collect();
        assert_eq!(kinds, ["created", "item_added", "item_added", "item_added"]);
    }
);

db_test!(a_refused_line_is_named_and_nothing_is_written, |app| {
    let cart = app
        .add(shopper("bulk"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    let refused = app
        .cart
        .add_items(add_items(
            "bulk",
            vec![line("var-classic-tee-s", 1), line("var-classic-tee-l", 50)],
        ))
        .await;
    let (error, details) = expect_code(refused, Code::FailedPrecondition);
    assert_eq!(error.reason(), ErrorReason::OutOfStock);
    assert_eq!(error.metadata("item_index"), Some("1"));
    assert_eq!(error.available_quantity(), Some(3));
    let subject = &details.precondition_failure().expect("failure").violations[0].subject;
    assert!(subject.starts_with("items[1]: "), "{subject}");
    let after = app.get(shopper("bulk")).await;
    assert_eq!((after.version, after.items.len()), (cart.version, 1));
});

db_test!(malformed_lines_are_named_by_position, |app| {
    let cases = [
        (
            vec![
                line("var-classic-tee-m", 1),
                line("var-classic-tee-m", 0),
                line("", 1),
            ],
            vec!["items[1].quantity", "items[2].variant_id"],
        ),
        (Vec::new(), vec!["items"]),
        (vec![line("var-classic-tee-m", 1); 51], vec!["items"]),
    ];
    for (items, fields) in cases {
        let (error, details) = expect_code(
            app.cart.add_items(add_items("bulk", items)).await,
            Code::InvalidArgument,
        );
        assert_eq!(error.reason(), ErrorReason::InvalidField);
        assert_eq!(bad_fields(&details), fields);
    }
    assert_eq!(app.get(shopper("bulk")).await.id, "", "nothing created");
});

db_test!(update_items_is_all_or_nothing, |app| {
    let cart = app
        .cart
        .add_items(add_items(
            "bulk",
            vec![line("var-classic-tee-m", 1), line("var-classic-tee-s", 1)],
        ))
        .await
        .expect("added")
        .cart
        .expect("cart");
    let (m, s) = (cart.items[0].id.clone(), cart.items[1].id.clone());
    let updated = app
        .cart
        .update_items(update_items("bulk", vec![set(&m, 5), set(&s, 0)]))
        .await
        .expect("updated")
        .cart
        .expect("cart");
    assert_eq!(updated.items.len(), 1);
    assert_eq!(
        (updated.items[0].id.as_str(), updated.items[0].quantity),
        (m.as_str(), 5)
    );
    assert_eq!(updated.version, cart.version + 1);
    // A line that is not the shopper's: NOT_FOUND for line 1, nothing written.
    let unknown = "01900000-0000-7000-8000-000000000000";
    let (error, _) = expect_code(
        app.cart
            .update_items(update_items("bulk", vec![set(&m, 2), set(unknown, 1)]))
            .await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ItemNotFound);
    assert_eq!(error.metadata("item_index"), Some("1"));
    assert_eq!(app.get(shopper("bulk")).await.items[0].quantity, 5);
    // One line twice: refused before anything runs.
    let (_, details) = expect_code(
        app.cart
            .update_items(update_items("bulk", vec![set(&m, 2), set(&m, 3)]))
            .await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["items[1].item_id"]);
});
