//! Rollouts: replicas migrating together on a fresh database, and shutdown
//! in the order Kubernetes needs (NOT_SERVING while still accepting, then
//! Watch streams ended, then open calls drained).

use std::time::Duration;

use crate::db_test;
use crate::support::*;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};

const READY: &str = "shop.cart.v1.CartService";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_starting_at_once_on_a_fresh_postgres_database_all_become_serving() {
    // Each migrates at start-up; before the advisory lock one of them failed
    // with a duplicate pg_type entry.
    let Some(apps) = spawn_apps_at_once(Backend::Postgres, 3, |_| {}).await else {
        return;
    };
    for app in &apps {
        wait_for(app, READY, ServingStatus::Serving).await;
        add(app, "replica-shopper").await;
    }
    let cart = apps[0].get(shopper("replica-shopper")).await;
    assert_eq!(
        cart.items[0].quantity, 3,
        "all three replicas wrote one schema"
    );
}

/// The service's own view of `app`'s database.
async fn database(app: &TestApp) -> cart_service::storage::Database {
    cart_service::storage::Database::connect(&cart_service::storage::DatabaseOptions {
        url: app.settings.database.url.expose().to_owned(),
        max_connections: 2,
        acquire_timeout: Duration::from_secs(3),
        sqlite_busy_timeout: Duration::from_secs(5),
    })
    .await
    .expect("connect")
}

async fn add(app: &TestApp, session: &str) {
    app.client
        .clone()
        .add_item(add_tee_request(session, 1))
        .await
        .expect("add served");
}

db_test!(
    the_migrate_command_brings_the_schema_up_and_a_replica_that_does_not_migrate_waits_for_it,
    |backend: Backend| {
        // A replica told not to migrate starts NOT_SERVING on a database
        // whose schema is behind, and turns SERVING once it is current.
        let Some(app) = spawn_app_with(backend, |s| s.database.run_migrations = false).await else {
            assert_eq!(backend, Backend::Postgres, "SQLite is always available");
            return;
        };
        assert_eq!(status_of(&app, READY).await, ServingStatus::NotServing);
        assert!(
            database(&app).await.check_ready().await.is_err(),
            "schema missing"
        );
        cart_service::startup::migrate(&app.settings)
            .await
            .expect("migrate");
        wait_for(&app, READY, ServingStatus::Serving).await;
        add(&app, "after-migrate").await;
    }
);

db_test!(
    shutdown_ends_watch_streams_and_finishes_without_waiting_out_the_grace,
    |settings| {
        // Long enough that waiting it out would fail the timeout below.
        settings.server.shutdown_grace_secs = 60;
    },
    |app| {
        let mut app = app;
        wait_for(&app, READY, ServingStatus::Serving).await;
        let mut watch = app
            .health
            .clone()
            .watch(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .expect("watch")
            .into_inner();
        let within = Duration::from_secs(30);
        let first = watch.message().await.expect("first").expect("status");
        assert_eq!(first.status, ServingStatus::Serving as i32);
        app.begin_stop();
        let update = tokio::time::timeout(within, watch.message())
            .await
            .expect("an update")
            .expect("update")
            .expect("status");
        assert_eq!(update.status, ServingStatus::NotServing as i32);
        // The stream ends cleanly (OK) instead of holding the shutdown.
        let end = tokio::time::timeout(within, watch.message())
            .await
            .expect("the stream ends inside the grace period");
        assert!(end.expect("ends with OK").is_none());
        tokio::time::timeout(Duration::from_secs(30), app.stop_server())
            .await
            .expect("stopped well inside the grace period");
    }
);

db_test!(
    at_shutdown_new_connections_see_not_serving_before_the_listener_closes,
    |settings| {
        settings.server.drain_delay_ms = 2000;
    },
    |app| {
        let mut app = app;
        wait_for(&app, READY, ServingStatus::Serving).await;
        app.begin_stop();
        // A probe opening a new connection, as the kubelet does, must get an
        // answer saying NOT_SERVING, not a refused connection.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let channel = Channel::from_shared(format!("http://{}", app.addr))
                .expect("url")
                .connect()
                .await
                .expect("still accepting during the drain delay");
            let status = HealthClient::new(channel)
                .check(HealthCheckRequest {
                    service: READY.into(),
                })
                .await
                .expect("answered")
                .into_inner()
                .status;
            if status == ServingStatus::NotServing as i32 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "never NOT_SERVING");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        app.stop_server().await;
    }
);

db_test!(
    a_database_ahead_of_the_binary_stays_ready_during_a_rollout,
    |app| {
        // A newer release's migration Job ran; this replica does not know
        // its migration and keeps serving.
        use sea_orm::ConnectionTrait;
        wait_for(&app, READY, ServingStatus::Serving).await;
        app.db
            .execute_unprepared(
                "INSERT INTO seaql_migrations (version, applied_at) \
                 VALUES ('m29991231_000001_from_a_newer_release', 0)",
            )
            .await
            .expect("a newer release's migration");
        let db = database(&app).await;
        db.check_ready()
            .await
            .expect("ready with the database ahead");
        // An older release migrating at start-up finds nothing to do.
        db.migrate().await.expect("nothing to migrate");
        cart_service::startup::migrate(&app.settings)
            .await
            .expect("the migrate command too");
    }
);
