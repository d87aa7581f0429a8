//! Back-in-stock e-mail: an alert on a saved item sends one e-mail per
//! restock through the recovery outbox to a real SMTP server; the clock and
//! the catalog are moved, nothing is slept.

use cart_client::proto::{self as pb, ErrorReason};
use cart_service::domain::ids::VariantId;
use tonic::Code;

use crate::db_test;
use cart_service::recovery::hash::Hasher;
use cart_service::recovery::token::Claim;

use crate::recovery::{HASH_KEY, previous_key_signer, recovery_settings, run_recovery};
use crate::support::*;

/// `variant` saved by Ada with an alert to her address; the item's id.
async fn watched(app: &TestApp, variant: &str) -> String {
    let ada = customer("laptop", "ada");
    let saved = app
        .cart
        .add_list_item(pb::AddListItemRequest {
            shopper: ada.clone(),
            product_id: app.product_of(variant),
            variant_id: variant.into(),
            quantity: 1,
            ..Default::default()
        })
        .await
        .expect("saved");
    let item = saved.list.unwrap().items[0].item.clone().unwrap().id;
    let set = alert(app, &item, "ada@example.com")
        .await
        .expect("alert set");
    assert!(set.list.unwrap().items[0].back_in_stock_alert);
    item
}

async fn alert(
    app: &TestApp,
    item: &str,
    email: &str,
) -> Result<pb::SetBackInStockAlertResponse, cart_client::CartError> {
    app.cart
        .set_back_in_stock_alert(pb::SetBackInStockAlertRequest {
            shopper: customer("laptop", "ada"),
            list_item_id: item.into(),
            email: email.into(),
            ..Default::default()
        })
        .await
}

fn stock(app: &TestApp, variant: &str, available: i64) {
    app.catalog
        .update(&VariantId::parse(variant).unwrap(), |v| {
            v.inventory.available = available;
        });
}

db_test!(one_back_in_stock_email_per_restock, |backend: Backend| {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let Some(app) = spawn_app_with(backend, |s| {
        recovery_settings(s, &url);
        s.recovery.lists_url = "https://shop.example.com/lists".into();
    })
    .await
    else {
        return;
    };
    // The navy hoodie has none in stock.
    watched(&app, "var-hoodie-navy-m").await;
    assert_eq!(run_recovery(&app).await.restocked, 0);
    assert!(smtp.take().is_empty());

    stock(&app, "var-hoodie-navy-m", 5);
    let report = run_recovery(&app).await;
    assert_eq!((report.restocked, report.sent), (1, 1), "{report:?}");
    let mails = smtp.take();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(mail.subject, "Zip Hoodie is back in stock");
    assert!(
        mail.text
            .contains("Zip Hoodie (Navy / M), which you saved, is back in stock at 54.00 USD."),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("https://shop.example.com/lists"));
    assert!(
        mail.list_unsubscribe
            .starts_with("<https://shop.example.com/email/unsubscribe?token=")
    );

    // Still in stock: nothing more, however often the job runs.
    for _ in 0..3 {
        assert_eq!(run_recovery(&app).await.restocked, 0);
    }
    assert!(smtp.take().is_empty());

    // Sold out and restocked again: one more.
    stock(&app, "var-hoodie-navy-m", 0);
    assert_eq!(run_recovery(&app).await.restocked, 0);
    stock(&app, "var-hoodie-navy-m", 2);
    assert_eq!(run_recovery(&app).await.restocked, 1);
    assert_eq!(smtp.take().len(), 1);
    let sql =
        "SELECT COUNT(*) AS n FROM list_events WHERE event_type = 'back_in_stock_email_queued'";
    assert_eq!(app.count(sql).await, 2);
});

db_test!(
    an_alert_set_in_stock_waits_for_the_next_restock,
    |backend: Backend| {
        let smtp = SmtpServer::start();
        let url = smtp.url();
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        let item = watched(&app, "var-socks-3pack").await;
        assert_eq!(
            run_recovery(&app).await.restocked,
            0,
            "in stock: not a restock"
        );
        stock(&app, "var-socks-3pack", 0);
        run_recovery(&app).await;
        stock(&app, "var-socks-3pack", 10);
        assert_eq!(run_recovery(&app).await.restocked, 1);
        assert_eq!(smtp.take().len(), 1);

        // Cleared: a restock sends nothing.
        let cleared = alert(&app, &item, "").await.expect("cleared");
        assert!(!cleared.list.unwrap().items[0].back_in_stock_alert);
        stock(&app, "var-socks-3pack", 0);
        run_recovery(&app).await;
        stock(&app, "var-socks-3pack", 10);
        assert_eq!(run_recovery(&app).await.restocked, 0);
        assert!(smtp.take().is_empty());
    }
);

db_test!(bad_alerts_change_nothing, |app| {
    let ada = customer("laptop", "ada");
    let saved = app
        .cart
        .add_list_item(pb::AddListItemRequest {
            shopper: ada.clone(),
            product_id: "prod-socks".into(),
            variant_id: "var-socks-3pack".into(),
            quantity: 1,
            ..Default::default()
        })
        .await
        .expect("saved");
    let item = saved.list.unwrap().items[0].item.clone().unwrap().id;
    let (_, details) = expect_code(
        alert(&app, &item, "not an address").await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["email"]);
    let unknown = uuid::Uuid::now_v7().to_string();
    let (error, _) = expect_code(
        alert(&app, &unknown, "ada@example.com").await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ListItemNotFound);
    // Another shopper's item is not found either.
    let (error, _) = expect_code(
        app.cart
            .set_back_in_stock_alert(pb::SetBackInStockAlertRequest {
                shopper: customer("x", "bob"),
                list_item_id: item.clone(),
                email: "bob@example.com".into(),
                ..Default::default()
            })
            .await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ListItemNotFound);
    // Without recovery configured nothing could send it.
    let (error, _) = expect_code(
        alert(&app, &item, "ada@example.com").await,
        Code::FailedPrecondition,
    );
    assert_eq!(error.reason(), ErrorReason::RecoveryDisabled);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM list_item_alerts")
            .await,
        0
    );
});

db_test!(
    an_alert_set_again_keeps_its_restock_and_an_unsubscribed_address_gets_nothing,
    |backend: Backend| {
        let smtp = SmtpServer::start();
        let url = smtp.url();
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        let item = watched(&app, "var-hoodie-navy-m").await;
        stock(&app, "var-hoodie-navy-m", 4);
        // A new address after the restock, before the job saw it: the
        // restock still sends, to the new address.
        alert(&app, &item, "ada@work.example.com")
            .await
            .expect("set again");
        assert_eq!(run_recovery(&app).await.restocked, 1);
        let mails = smtp.take();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, ["ada@work.example.com"]);

        // That address unsubscribes: the next restock is suppressed.
        let hash = Hasher::new(HASH_KEY)
            .unwrap()
            .address("ada@work.example.com");
        let token = previous_key_signer().sign(&Claim::Unsubscribe { address_hash: hash });
        app.cart
            .unsubscribe_recovery(pb::UnsubscribeRecoveryRequest { token })
            .await
            .expect("unsubscribed");
        stock(&app, "var-hoodie-navy-m", 0);
        run_recovery(&app).await;
        stock(&app, "var-hoodie-navy-m", 4);
        let report = run_recovery(&app).await;
        assert_eq!((report.restocked, report.suppressed), (0, 1), "{report:?}");
        assert!(smtp.take().is_empty());
    }
);
