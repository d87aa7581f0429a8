//! Flood protection: the per-session write budget (token bucket on the
//! service clock) and the in-flight cap that sheds cart calls while health
//! keeps answering.

use std::time::Duration;

use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

db_test!(
    a_session_over_its_write_budget_is_refused_until_it_refills,
    |settings| {
        settings.limits.session_writes_per_minute = 60;
        settings.limits.session_write_burst = 3;
    },
    |app| {
        let mut client = app.client.clone();
        let s1_add = add_tee_request("s1", 1);
        for _ in 0..3 {
            client
                .add_item(s1_add.clone())
                .await
                .expect("within the burst");
        }
        let before = app.stored().await;
        let (status, details) = expect_code(
            client.add_item(s1_add.clone()).await,
            Code::ResourceExhausted,
        );
        assert_eq!(reason(&details), "RATE_LIMITED");
        assert_eq!(
            details.retry_info().and_then(|r| r.retry_delay),
            Some(Duration::from_secs(1)),
            "{status:?}"
        );
        assert!(details.quota_failure().is_some());
        // Every shopper write draws on the same budget.
        let item_id = app.get(shopper("s1")).await.items[0].id.clone();
        let (_, details) = expect_code(
            app.update(shopper("s1"), &item_id, 1).await,
            Code::ResourceExhausted,
        );
        assert_eq!(reason(&details), "RATE_LIMITED");
        expect_code(app.clear(shopper("s1")).await, Code::ResourceExhausted);
        assert_eq!(app.stored().await, before, "a refused write changed data");

        // Reads are not limited, nor are other sessions.
        assert_eq!(app.get(shopper("s1")).await.items[0].quantity, 3);
        app.validate(shopper("s1")).await.expect("validate");
        client
            .add_item(add_tee_request("s2", 1))
            .await
            .expect("another session has its own budget");

        // One second later, one more write.
        app.clock.advance(chrono::Duration::seconds(1));
        client.add_item(s1_add.clone()).await.expect("refilled");
        expect_code(client.add_item(s1_add).await, Code::ResourceExhausted);
        assert_eq!(app.get(shopper("s1")).await.items[0].quantity, 4);
    }
);

db_test!(
    calls_over_the_in_flight_cap_are_shed_and_health_still_answers,
    |settings| {
        settings.limits.max_in_flight = 1;
        settings.catalog.timeout_ms = 10_000;
    },
    |app| {
        // The one slot is held by an add waiting on a slow catalog.
        app.set_catalog_faults(Faults {
            delay: Duration::from_millis(1500),
            ..Faults::default()
        });
        let mut client = app.client.clone();
        let s1_add = add_tee_request("s1", 1);
        let slow = tokio::spawn(async move { client.add_item(s1_add).await });
        app.wait_until_catalog_served(1).await;

        let (status, details) = expect_code(
            app.client
                .clone()
                .get_cart(pb::GetCartRequest {
                    shopper: shopper("s2"),
                    ..Default::default()
                })
                .await,
            Code::ResourceExhausted,
        );
        assert_eq!(reason(&details), "OVERLOADED", "{status:?}");
        assert!(details.retry_info().is_some());
        let s2_add = pb::AddItemRequest {
            variant_id: "var-classic-tee-l".into(),
            ..add_tee_request("s2", 1)
        };
        let (_, details) = expect_code(
            app.client.clone().add_item(s2_add.clone()).await,
            Code::ResourceExhausted,
        );
        assert_eq!(reason(&details), "OVERLOADED");
        // Health is never shed.
        assert_eq!(status_of(&app, "").await, ServingStatus::Serving);

        let cart = slow
            .await
            .expect("task")
            .expect("the call holding the slot completes")
            .into_inner()
            .cart
            .expect("cart");
        assert_eq!(cart.items.len(), 1);
        app.set_catalog_faults(Faults::default());
        // The slot is free again; the shed add wrote nothing.
        assert!(app.get(shopper("s2")).await.items.is_empty());
        app.client
            .clone()
            .add_item(s2_add)
            .await
            .expect("served once the slot is free");
    }
);
