use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use tonic::Code;

fn kinds(response: &pb::ValidateResponse) -> Vec<pb::ValidationIssueType> {
    response
        .issues
        .iter()
        .map(|i| pb::ValidationIssueType::try_from(i.r#type).expect("known type"))
        .collect()
}

/// The issue of `kind` in `response`.
fn issue(response: &pb::ValidateResponse, kind: pb::ValidationIssueType) -> &pb::ValidationIssue {
    response
        .issues
        .iter()
        .find(|i| i.r#type == kind as i32)
        .unwrap_or_else(|| panic!("no {kind:?} issue in {:?}", response.issues))
}

/// Guest s1's cart ready for checkout: two Classic Tees M and an e-mail.
async fn ready_cart(app: &TestApp) {
    app.add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("added");
    app.set_email(shopper("s1"), "ada@example.com")
        .await
        .expect("email");
}

db_test!(set_email_creates_the_cart_and_trims_the_address, |app| {
    let cart = app
        .set_email(shopper("s1"), "  ada@example.com ")
        .await
        .expect("set");
    assert_eq!(cart.email, "ada@example.com");
    assert_eq!(cart.version, 1);
    assert_eq!(
        app.events(&cart.id)
            .await
            .into_iter()
            .map(|e| e.1)
            .collect::<Vec<_>>(),
        ["created", "email_set"]
    );
});

db_test!(
    malformed_emails_are_invalid_argument_and_change_nothing,
    |app| {
        app.set_email(shopper("s1"), "ada@example.com")
            .await
            .expect("set");
        let before = app.stored().await;
        let too_long = format!("{}@example.com", "a".repeat(250));
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            too_long.as_str(),
        ] {
            let (_, details) = expect_code(
                app.set_email(shopper("s1"), bad).await,
                Code::InvalidArgument,
            );
            assert_eq!(bad_fields(&details), ["email"], "{bad:?}");
        }
        assert_eq!(app.stored().await, before);
    }
);

db_test!(
    validating_an_empty_cart_reports_empty_and_missing_email,
    |app| {
        let response = app.validate(shopper("s1")).await.expect("validated");
        assert!(!response.valid);
        assert_eq!(
            kinds(&response),
            [
                pb::ValidationIssueType::EmptyCart,
                pb::ValidationIssueType::EmailMissing
            ]
        );
        assert_eq!(
            app.stored().await.carts.len(),
            0,
            "validation writes nothing"
        );
    }
);

db_test!(a_cart_with_an_email_and_good_lines_is_valid, |app| {
    ready_cart(&app).await;
    let response = app.validate(shopper("s1")).await.expect("validated");
    assert!(response.valid, "{:?}", response.issues);
    assert!(response.issues.is_empty());
    assert_eq!(response.cart.unwrap().items.len(), 1);
});

db_test!(
    validation_reports_price_changes_short_stock_and_gone_variants,
    |app| {
        // Three Classic Tees L, one left in stock.
        app.stale_cart("s1", "var-classic-tee-l", 3, 1).await;
        let response = app.validate(shopper("s1")).await.expect("validated");
        assert!(!response.valid);
        let price = issue(&response, pb::ValidationIssueType::PriceChanged);
        assert_eq!(price.variant_id, "var-classic-tee-m");
        assert_eq!(amount(&price.old_price), "19.99");
        assert_eq!(amount(&price.new_price), "17.99");
        let stock = issue(&response, pb::ValidationIssueType::InsufficientStock);
        assert_eq!((stock.requested_quantity, stock.available_quantity), (3, 1));
        let gone = issue(&response, pb::ValidationIssueType::ItemUnavailable);
        assert_eq!(gone.variant_id, "var-socks-3pack");
        assert_eq!(response.issues.len(), 3);
    }
);

db_test!(validation_fails_when_the_catalog_is_down, |app| {
    let mut app = app;
    ready_cart(&app).await;
    app.stop_catalog().await;
    let response = app.validate(shopper("s1")).await.expect("validated");
    assert!(!response.valid);
    assert_eq!(
        kinds(&response),
        [pb::ValidationIssueType::CatalogUnavailable]
    );
});
