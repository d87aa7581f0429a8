//! Database outages, on PostgreSQL (SQLite is a file in the process: it has
//! no network to lose).

use crate::support::*;
use sea_orm::ConnectionTrait;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

const READINESS: &str = "shop.cart.v1.CartService";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_database_is_unavailable_not_ready_and_both_recover_by_themselves() {
    let Some((app, proxy)) = spawn_app_behind_proxy(|s| {
        s.database.acquire_timeout_ms = 500;
    })
    .await
    else {
        return;
    };
    wait_for(&app, READINESS, ServingStatus::Serving).await;
    app.add(shopper("s1"), "var-classic-tee-m", 2)
        .await
        .expect("added");

    proxy.cut();
    wait_for(&app, READINESS, ServingStatus::NotServing).await;
    let (_, details) = expect_code(
        app.client
            .clone()
            .get_cart(cart_client::proto::GetCartRequest {
                shopper: shopper("s1"),
                ..Default::default()
            })
            .await,
        Code::Unavailable,
    );
    assert_eq!(reason(&details), "DATABASE_UNAVAILABLE");
    assert!(details.retry_info().is_some());
    let (_, details) = expect_code(
        app.add(shopper("s1"), "var-classic-tee-m", 1).await,
        Code::Unavailable,
    );
    assert_eq!(reason(&details), "DATABASE_UNAVAILABLE");

    proxy.restore();
    wait_for(&app, READINESS, ServingStatus::Serving).await;
    let cart = app.get(shopper("s1")).await;
    assert_eq!(
        cart.items[0].quantity, 2,
        "nothing lost, nothing applied twice"
    );
    app.add(shopper("s1"), "var-classic-tee-m", 1)
        .await
        .expect("writes work again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminated_backends_surface_as_retryable_errors_and_the_pool_recovers() {
    let Some(app) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    app.add(shopper("warm"), "var-gift-card-25", 1)
        .await
        .expect("warm the pool");
    let kill = async {
        for _ in 0..3 {
            app.db
                .execute_unprepared(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                )
                .await
                .expect("terminate");
            tokio::task::yield_now().await;
        }
    };
    let calls = futures::future::join_all((0..40).map(|i| {
        let session = format!("s{i}");
        let app = &app;
        async move { app.add(shopper(&session), "var-gift-card-25", 1).await }
    }));
    let ((), results) = tokio::join!(kill, calls);
    for result in &results {
        if let Err(status) = result {
            assert!(
                matches!(status.code(), Code::Unavailable | Code::Aborted),
                "a dropped connection must be retryable, not {status:?}"
            );
        }
    }
    for i in 0..10 {
        app.add(shopper(&format!("after{i}")), "var-gift-card-25", 1)
            .await
            .expect("the pool recovered");
    }
    // Every call that said OK was applied exactly once. A call that failed
    // may have been applied if its connection dropped at commit: that outcome
    // is unknowable to the caller, which is what request ids are for.
    let failed = results.iter().filter(|r| r.is_err()).count();
    eprintln!(
        "{failed} of {} calls met a terminated connection",
        results.len()
    );
    for (i, result) in results.iter().enumerate() {
        let cart = app.get(shopper(&format!("s{i}"))).await;
        let quantity = cart.items.first().map_or(0, |l| l.quantity);
        match result {
            Ok(_) => assert_eq!(quantity, 1, "shopper s{i}"),
            Err(_) => assert!(quantity <= 1, "shopper s{i}"),
        }
    }
}
