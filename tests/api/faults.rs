use std::time::Duration;

use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use cart_service::domain::ids::VariantId;
use rust_decimal::Decimal;
use tonic::Code;

/// A catalog that fails every call, without delay.
const FAILING: Faults = Faults {
    delay: Duration::ZERO,
    failing: true,
};

fn degraded(cart: &pb::Cart) -> bool {
    cart.warnings
        .iter()
        .any(|w| w.r#type == pb::CartWarningType::CatalogUnavailable as i32)
}

/// Guest s1's cart of two Classic Tees M, written while the catalog is
/// well; then `faults` on every catalog call. Returns the lookups served so
/// far: what the test counts the catalog's calls from.
async fn cart_then_catalog_faults(app: &TestApp, faults: Faults) -> u64 {
    app.add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("added");
    app.set_catalog_faults(faults);
    app.catalog_served()
}

db_test!(
    reads_degrade_while_the_catalog_is_down_and_recover_when_it_returns,
    |app| {
        let mut app = app;
        app.cart_with_the_catalog_down("s1").await;
        assert!(degraded(&app.get(shopper("s1")).await));
        expect_code(
            app.add(shopper("s1"), "var-classic-tee-m", 1).await,
            Code::Unavailable,
        );
        app.restart_catalog().await;
        let cart = app.get(shopper("s1")).await;
        assert!(!degraded(&cart), "{:?}", cart.warnings);
        assert_eq!(cart.items[0].product.as_ref().unwrap().slug, "classic-tee");
        app.add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("writes work again");
    }
);

db_test!(
    a_catalog_slower_than_its_deadline_is_not_waited_for_twice,
    |settings| {
        settings.catalog.timeout_ms = 200;
    },
    |app| {
        let slow = Faults {
            delay: Duration::from_secs(2),
            failing: false,
        };
        let before = cart_then_catalog_faults(&app, slow).await;
        let started = std::time::Instant::now();
        let cart = app.get(shopper("s1")).await;
        assert!(degraded(&cart));
        assert_eq!(app.catalog_served() - before, 1, "a timeout is not retried");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "answered within the deadline, not the delay"
        );
        let stored = app.stored().await;
        let (_, details) = expect_code(
            app.add(shopper("s1"), "var-classic-tee-m", 1).await,
            Code::Unavailable,
        );
        assert!(details.retry_info().is_some());
        assert_eq!(app.stored().await, stored);
    }
);

db_test!(
    an_unavailable_catalog_is_retried_a_bounded_number_of_times,
    |settings| {
        settings.catalog.retries = 2;
        settings.catalog.breaker_failures = 100;
    },
    |app| {
        let before = cart_then_catalog_faults(&app, FAILING).await;
        assert!(degraded(&app.get(shopper("s1")).await));
        assert_eq!(app.catalog_served() - before, 3, "one call and two retries");
    }
);

db_test!(
    the_circuit_opens_after_repeated_failures_and_lets_one_call_through_after_its_cool_down,
    |settings| {
        settings.catalog.retries = 0;
        settings.catalog.breaker_failures = 3;
        settings.catalog.breaker_cooldown_ms = 5000;
    },
    |app| {
        let before = cart_then_catalog_faults(&app, FAILING).await;
        for _ in 0..3 {
            assert!(degraded(&app.get(shopper("s1")).await));
        }
        assert_eq!(app.catalog_served() - before, 3);
        assert!(degraded(&app.get(shopper("s1")).await));
        expect_code(
            app.add(shopper("s1"), "var-classic-tee-m", 1).await,
            Code::Unavailable,
        );
        assert_eq!(app.catalog_served() - before, 3, "open: no call goes out");
        app.clock.advance(chrono::Duration::seconds(6));
        assert!(degraded(&app.get(shopper("s1")).await));
        assert_eq!(
            app.catalog_served() - before,
            4,
            "half-open: one trial, which failed"
        );
        assert!(degraded(&app.get(shopper("s1")).await));
        assert_eq!(app.catalog_served() - before, 4, "open again");
        app.set_catalog_faults(Faults::default());
        app.clock.advance(chrono::Duration::seconds(6));
        assert!(
            !degraded(&app.get(shopper("s1")).await),
            "the trial succeeded: closed"
        );
        assert!(!degraded(&app.get(shopper("s1")).await));
        assert_eq!(app.catalog_served() - before, 6);
    }
);

db_test!(
    lookups_are_cached_for_their_time_to_live,
    |settings| {
        settings.catalog.cache_ttl_ms = 5000;
    },
    |app| {
        app.add(shopper("s1"), "var-classic-tee-m", 2)
            .await
            .expect("added");
        let before = app.catalog_served();
        app.get(shopper("s1")).await;
        app.get(shopper("s1")).await;
        assert_eq!(app.catalog_served(), before, "served from the cache");
        app.catalog
            .update(&VariantId::parse("var-classic-tee-m").unwrap(), |v| {
                v.price.amount = Decimal::new(2499, 2)
            });
        let cached = app.get(shopper("s1")).await;
        assert!(!cached.items[0].price_changed, "up to the TTL old");
        app.clock.advance(chrono::Duration::seconds(6));
        let fresh = app.get(shopper("s1")).await;
        assert!(fresh.items[0].price_changed);
        assert_eq!(app.catalog_served(), before + 1);
    }
);
