//! Recovery by device: exact and near matches, the threshold, ambiguity,
//! customer carts never, and only keyed hashes stored.

use cart_client::proto::{self as pb, RecoveryOutcome};
use sea_orm::{ConnectionTrait, Statement};

use crate::db_test;
use crate::recovery::*;
use crate::support::*;

const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";

fn device(screen: &str, ip: &str) -> Vec<(&'static str, String)> {
    vec![
        ("user_agent", USER_AGENT.to_owned()),
        ("accept_language", "fr-FR,fr;q=0.9".to_owned()),
        ("time_zone", "Europe/Paris".to_owned()),
        ("screen", screen.to_owned()),
        ("ip_prefix", ip.to_owned()),
    ]
}

fn on(who: Option<pb::Shopper>, signals: &[(&'static str, String)]) -> Option<pb::Shopper> {
    who.map(|mut s| {
        s.device = signals
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        s
    })
}

/// A guest cart of `session` added to from `signals`.
async fn cart_from(app: &TestApp, session: &str, signals: &[(&'static str, String)]) -> pb::Cart {
    app.add(on(shopper(session), signals), "var-classic-tee-m", 1)
        .await
        .expect("added")
}

async fn by_device(
    app: &TestApp,
    who: Option<pb::Shopper>,
    signals: &[(&'static str, String)],
) -> pb::RecoverCartResponse {
    app.cart
        .recover_cart(pb::RecoverCartRequest {
            shopper: on(who, signals),
            source: Some(pb::recover_cart_request::Source::ByDevice(true)),
            ..Default::default()
        })
        .await
        .expect("recover by device")
}

fn configured(settings: &mut cart_service::config::Settings) {
    recovery_settings(settings, &format!("smtp://{}", free_addr()));
}

db_test!(
    the_same_device_recovers_its_cart_in_a_new_session,
    |s| { configured(s) },
    |app| {
        let home = device("1920x1080@1", "203.0.113.0/24");
        let cart = cart_from(&app, "yesterday", &home).await;
        // A session with lines of its own keeps them.
        let office = device("2560x1440@1", "192.0.2.0/24");
        cart_from(&app, "busy", &office).await;
        let kept = by_device(&app, shopper("busy"), &office).await;
        assert_eq!(kept.outcome(), RecoveryOutcome::HasOwnCart);
        // Another network (similarity 0.75): below the 0.8 threshold.
        let elsewhere = device("1920x1080@1", "198.51.100.0/24");
        let none = by_device(&app, shopper("today"), &elsewhere).await;
        assert_eq!(none.outcome(), RecoveryOutcome::NoMatch);
        // Another screen only (0.85): the cart comes back.
        let resized = device("1280x720@1", "203.0.113.0/24");
        let back = by_device(&app, shopper("today"), &resized).await;
        assert_eq!(back.outcome(), RecoveryOutcome::TakenOver);
        assert_eq!(back.recovered_cart_id, cart.id);
        assert_eq!(app.get(shopper("today")).await.id, cart.id);
        // The recovery stored the device it came from: an exact match moves
        // the cart on to the next session of that device.
        let again = by_device(&app, shopper("tomorrow"), &resized).await;
        assert_eq!(again.outcome(), RecoveryOutcome::TakenOver);
        assert_eq!(app.get(shopper("tomorrow")).await.id, cart.id);
    }
);

db_test!(
    two_alike_carts_recover_nothing,
    |s| { configured(s) },
    |app| {
        let laptop = device("1920x1080@1", "203.0.113.0/24");
        cart_from(&app, "one", &laptop).await;
        cart_from(&app, "two", &laptop).await;
        let answer = by_device(&app, shopper("three"), &laptop).await;
        assert_eq!(answer.outcome(), RecoveryOutcome::Ambiguous);
        assert_eq!(answer.candidates, 2);
        assert_eq!(app.get(shopper("three")).await.id, "");
        assert_eq!(app.get(shopper("one")).await.items.len(), 1);
    }
);

db_test!(
    customer_carts_are_never_recovered_by_device,
    |s| { configured(s) },
    |app| {
        let phone = device("390x844@3", "203.0.113.0/24");
        app.add(on(customer("phone", "ada"), &phone), "var-classic-tee-m", 1)
            .await
            .expect("customer's cart");
        let answer = by_device(&app, shopper("new"), &phone).await;
        assert_eq!(answer.outcome(), RecoveryOutcome::NoMatch);
    }
);

db_test!(
    only_keyed_hashes_of_signals_are_stored,
    |s| { configured(s) },
    |app| {
        let signals = device("1920x1080@1", "203.0.113.0/24");
        cart_from(&app, "s", &signals).await;
        let backend = app.db.get_database_backend();
        let rows = app
            .db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT signal, hash FROM cart_device_signals",
            ))
            .await
            .expect("rows");
        assert_eq!(rows.len(), 5);
        let events = app
            .db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT CAST(event_data AS TEXT) FROM cart_events",
            ))
            .await
            .expect("events");
        let mut stored: Vec<String> = Vec::new();
        for row in &rows {
            stored.push(row.try_get_by_index::<String>(1).expect("hash"));
        }
        for row in &events {
            stored.push(row.try_get_by_index::<String>(0).unwrap_or_default());
        }
        for (_, raw) in &signals {
            assert!(
                stored.iter().all(|s| !s.contains(raw.as_str())),
                "{raw} stored in the clear"
            );
        }
        assert!(
            rows.iter()
                .all(|r| r.try_get_by_index::<String>(1).expect("hash").len() == 64)
        );
    }
);

db_test!(
    a_retry_with_device_signals_is_the_same_request,
    |s| { configured(s) },
    |app| {
        // Map fields reach the service in any order: the retry must still match.
        let signals = device("1920x1080@1", "203.0.113.0/24");
        let request = pb::AddItemRequest {
            shopper: on(shopper("s"), &signals),
            product_id: "prod-classic-tee".into(),
            variant_id: "var-classic-tee-m".into(),
            quantity: 1,
            request_id: "add-with-device".into(),
            ..Default::default()
        };
        let first = app.add_request(request.clone()).await.expect("first");
        for _ in 0..5 {
            let again = app
                .add_request(request.clone())
                .await
                .expect("a retry, not a reuse");
            assert_eq!(again, first);
        }
        assert_eq!(app.get(shopper("s")).await.items[0].quantity, 1);
    }
);
