use chrono::Duration;

use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use cart_service::jobs::MaintenanceReport;
use cart_service::storage::maintenance::LEADER_LOCK_KEY;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

async fn abandoned_events(app: &TestApp, cart_id: &str) -> usize {
    app.events(cart_id)
        .await
        .iter()
        .filter(|e| e.1 == "abandoned")
        .count()
}

/// One guest cart per session, each holding one `variant`; their ids, in
/// order.
async fn one_line_carts<S: AsRef<str>>(
    app: &TestApp,
    sessions: impl IntoIterator<Item = S>,
    variant: &str,
) -> Vec<String> {
    let mut ids = Vec::new();
    for session in sessions {
        let who = shopper(session.as_ref());
        ids.push(app.add(who, variant, 1).await.expect("added").id);
    }
    ids
}

db_test!(expired_carts_are_abandoned_once_each_with_an_event, |app| {
    let old = one_line_carts(&app, ["a", "b", "c"], "var-classic-tee-m").await;
    app.clock.advance(Duration::days(31));
    let fresh = app
        .add(shopper("d"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    let report = app.maintenance.run_once().await.expect("run");
    assert_eq!(report.expired, 3);
    assert!(!report.skipped);
    for id in &old {
        let cart = app.get_by_id(id).await.expect("cart");
        assert_eq!(cart.status, pb::CartStatus::Abandoned as i32);
        assert_eq!(abandoned_events(&app, id).await, 1);
    }
    assert_eq!(
        app.get_by_id(&fresh.id).await.unwrap().status,
        pb::CartStatus::Active as i32
    );
    assert_eq!(
        app.maintenance.run_once().await.expect("run").expired,
        0,
        "nothing twice"
    );
});

db_test!(carts_written_without_an_expiry_day_still_expire, |app| {
    // What a replica older than the `expires_day` column leaves behind
    // during a rolling deploy.
    let old = one_line_carts(&app, ["a", "b"], "var-classic-tee-m").await;
    app.db
        .execute_unprepared("UPDATE carts SET expires_day = NULL")
        .await
        .expect("clear expires_day");
    app.clock.advance(Duration::days(31));
    let report = app.maintenance.run_once().await.expect("run");
    assert_eq!(report.expired, 2);
    for id in &old {
        let cart = app.get_by_id(id).await.expect("cart");
        assert_eq!(cart.status, pb::CartStatus::Abandoned as i32);
        assert_eq!(abandoned_events(&app, id).await, 1);
    }
});

db_test!(
    purges_remove_old_merged_empty_guest_and_abandoned_carts_and_keep_the_rest,
    |settings| {
        settings.jobs.batch_size = 2;
    },
    |app| {
        // A merged guest cart, two empty guest carts, a full guest cart, a
        // customer cart, a completed cart.
        app.customer_adds("c1", &[("var-classic-tee-m", 1)]).await;
        let merged = app.guest_adds("g1", &[("var-socks-3pack", 1)]).await.id;
        app.merge_guest("g1", "c1", pb::MergeStrategy::Merge).await;
        let empty_a = app
            .set_email(shopper("e1"), "a@example.com")
            .await
            .expect("empty")
            .id;
        let empty_b = app
            .set_email(shopper("e2"), "b@example.com")
            .await
            .expect("empty")
            .id;
        let full = app.guest_adds("g2", &[("var-classic-tee-m", 1)]).await.id;
        let done = app.guest_adds("g3", &[("var-classic-tee-m", 1)]).await.id;
        app.complete(&done, "order-1").await.expect("completed");
        let before_events = app.count("SELECT COUNT(*) AS n FROM cart_events").await;

        app.clock.advance(Duration::days(8));
        let report = app.maintenance.run_once().await.expect("run");
        assert_eq!(
            (
                report.purged_merged,
                report.purged_empty_guest,
                report.expired
            ),
            (1, 2, 0),
            "{report:?}"
        );
        for gone in [&merged, &empty_a, &empty_b] {
            expect_code(app.get_by_id(gone).await, tonic::Code::NotFound);
        }
        assert!(
            app.count("SELECT COUNT(*) AS n FROM cart_events").await < before_events,
            "events go with their cart"
        );
        for kept in [&full, &done] {
            app.get_by_id(kept).await.expect("kept");
        }

        app.clock.advance(Duration::days(25));
        let report = app.maintenance.run_once().await.expect("run");
        assert_eq!(
            report.expired, 2,
            "the full guest cart and the customer cart expired: {report:?}"
        );
        assert_eq!(report.purged_abandoned, 0, "kept for the retention period");
        app.clock.advance(Duration::days(31));
        let report = app.maintenance.run_once().await.expect("run");
        assert_eq!(report.purged_abandoned, 2, "{report:?}");
        expect_code(app.get_by_id(&full).await, tonic::Code::NotFound);
        app.get_by_id(&done)
            .await
            .expect("completed carts are kept");
    }
);

db_test!(
    work_larger_than_a_batch_is_done_in_several,
    |settings| {
        settings.jobs.batch_size = 2;
    },
    |app| {
        one_line_carts(&app, ["a", "b", "c", "d", "e"], "var-gift-card-25").await;
        app.clock.advance(Duration::days(31));
        assert_eq!(app.maintenance.run_once().await.expect("run").expired, 5);
        assert_eq!(
            app.count("SELECT COUNT(*) AS n FROM carts WHERE status = 'abandoned'")
                .await,
            5
        );
    }
);

db_test!(idempotency_records_are_purged_after_their_window, |app| {
    let backend = app.db.get_database_backend();
    let now = app.clock_now();
    for (id, ends) in [
        ("old", now - Duration::hours(1)),
        ("current", now + Duration::hours(1)),
    ] {
        let sql = match backend {
            DbBackend::Postgres => {
                "INSERT INTO idempotency_keys (scope, request_id, request_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
            }
            _ => {
                "INSERT INTO idempotency_keys (scope, request_id, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"
            }
        };
        app.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    "s1".into(),
                    id.into(),
                    "h".into(),
                    (now - Duration::days(1)).into(),
                    ends.into(),
                ],
            ))
            .await
            .expect("insert");
    }
    let report = app.maintenance.run_once().await.expect("run");
    assert_eq!(report.purged_idempotency_keys, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM idempotency_keys")
            .await,
        1
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_one_postgres_database_do_the_work_once() {
    let Some(app) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    let sessions = (0..30).map(|i| format!("s{i}"));
    let ids = one_line_carts(&app, sessions, "var-gift-card-25").await;
    app.clock.advance(Duration::days(31));
    let replica = app.spawn_replica().await;
    let (ours, theirs) = tokio::join!(app.maintenance.run_once(), replica.maintenance.run_once());
    let (ours, theirs) = (ours.expect("ours"), theirs.expect("theirs"));
    assert_eq!(ours.expired + theirs.expired, 30, "{ours:?} {theirs:?}");
    for id in &ids {
        assert_eq!(abandoned_events(&app, id).await, 1);
    }
    let _ = replica.stop.send(());
    replica.server.await.expect("replica stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_skips_the_run_while_another_holds_the_leadership() {
    let Some(app) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    app.add(shopper("s1"), "var-gift-card-25", 1)
        .await
        .expect("added");
    app.clock.advance(Duration::days(31));
    let other_leader = app.db.begin().await.expect("begin");
    other_leader
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [LEADER_LOCK_KEY.into()],
        ))
        .await
        .expect("lock");
    let report = app.maintenance.run_once().await.expect("run");
    assert_eq!(
        report,
        MaintenanceReport {
            skipped: true,
            ..MaintenanceReport::default()
        }
    );
    other_leader.commit().await.expect("release");
    assert_eq!(app.maintenance.run_once().await.expect("run").expired, 1);
}

/// The column names in the plain and partial indexes of `table`.
async fn indexed_columns(app: &TestApp, table: &str) -> Vec<String> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT a.attname AS name FROM pg_index i \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = '{table}'::regclass"
            ),
        ))
        .await
        .expect("index columns");
    rows.iter()
        .map(|r| r.try_get::<String>("", "name").expect("name"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn header_updates_touch_no_indexed_column_and_expiry_still_uses_an_index() {
    let Some(app) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    // Every write rewrites these: none indexed, so the update can be HOT.
    let indexed = indexed_columns(&app, "carts").await;
    for column in ["version", "updated_at", "expires_at"] {
        assert!(!indexed.iter().any(|c| c == column), "{column} is indexed");
    }
    // The composite keys cover these; their own indexes are gone.
    let names: Vec<String> = app
        .db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'",
        ))
        .await
        .expect("indexes")
        .iter()
        .map(|r| r.try_get::<String>("", "name").expect("name"))
        .collect();
    assert!(!names.iter().any(|n| n == "idx_cart_items_cart_id"));
    assert!(!names.iter().any(|n| n == "idx_cart_events_cart_id"));
    // No index a lookup of an active cart could take for "all active carts".
    assert!(!names.iter().any(|n| n == "idx_carts_status"));
    // Expiry is found through the partial index on active carts' expiry day.
    let tx = app.db.begin().await.expect("begin");
    tx.execute_unprepared("SET LOCAL enable_seqscan = off")
        .await
        .expect("set");
    let plan = tx
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "EXPLAIN SELECT id FROM carts WHERE status = 'active' AND expires_day <= 20400 \
             AND expires_at <= now() ORDER BY expires_day LIMIT 500",
        ))
        .await
        .expect("explain")
        .iter()
        .map(|r| r.try_get::<String>("", "QUERY PLAN").expect("plan"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(plan.contains("idx_carts_active_expires_day"), "{plan}");
    tx.rollback().await.expect("rollback");
}
