//! The read cache of GetCart on the real Redis: what it serves, that it
//! never serves a version older than one the caller has seen, that a change
//! reaches it through the change notifications, and that Redis down or
//! unreachable fails nothing. Waits are bounded polls of an answer, never a
//! sleep standing in for one.

use std::time::Duration;

use cart_client::proto as pb;
use redis::AsyncCommands;

use crate::db_test;
use crate::support::*;

const WITHIN: Duration = Duration::from_secs(10);

async fn get_at_least(app: &TestApp, who: Option<pb::Shopper>, min_version: i64) -> pb::Cart {
    app.cart
        .get_cart(pb::GetCartRequest {
            shopper: who,
            min_version,
        })
        .await
        .expect("GetCart succeeds")
        .cart
        .expect("cart in response")
}

async fn metric(app: &TestApp, name: &str, labels: &[(&str, &str)]) -> f64 {
    let admin = app.admin_addr.expect("admin listener");
    sample(&scrape(admin).await, name, labels).unwrap_or(0.0)
}

/// A service reading through the real Redis, once the cache is in use, with
/// a connection to that Redis and the service's key prefix; `None` when
/// Redis or the database is not there (and not required).
async fn cached_app(
    backend: Backend,
) -> Option<(TestApp, redis::aio::MultiplexedConnection, String)> {
    let redis = real_redis().await?;
    let mut prefix = String::new();
    let app = spawn_app_with(backend, |s| prefix = with_cache(s, &redis_address())).await?;
    eventually("the cache is in use", WITHIN, || usable(&app)).await;
    Some((app, redis, prefix))
}

async fn usable(app: &TestApp) -> bool {
    metric(app, "cart_cache_usable", &[]).await == 1.0
}

db_test!(
    a_read_comes_from_redis_and_never_trails_what_the_caller_saw,
    |backend: Backend| {
        let Some((app, mut redis, prefix)) = cached_app(backend).await else {
            return;
        };
        let who = || shopper("s-cached");
        let first = app.add(who(), "var-classic-tee-m", 1).await.expect("add");
        assert_eq!(app.get(who()).await.version, first.version);

        // The rows are in Redis, under the shopper's key; the next read is
        // a hit and answers the same.
        let generation: String = redis
            .get(format!("{prefix}:gen"))
            .await
            .expect("generation");
        let entry = format!("{prefix}:{generation}:s:s-cached");
        let rows: Option<Vec<u8>> = redis.hget(&entry, "v").await.expect("entry");
        assert!(rows.is_some(), "GetCart filled {entry}");
        let hits = metric(&app, "cart_cache_reads_total", &[("kind", "hit")]).await;
        let again = app.get(who()).await;
        assert_eq!((again.version, again.items.len()), (first.version, 1));
        assert_eq!(
            metric(&app, "cart_cache_reads_total", &[("kind", "hit")]).await,
            hits + 1.0
        );

        // A write's version, sent back, is never answered with less, however
        // far the invalidation has got.
        let second = app.add(who(), "var-classic-tee-l", 1).await.expect("add");
        assert!(second.version > first.version);
        let seen = get_at_least(&app, who(), second.version).await;
        assert_eq!((seen.version, seen.items.len()), (second.version, 2));

        // Without it, the change notification reaches the cache soon.
        eventually(
            "a read without min_version shows the change",
            WITHIN,
            || async { app.get(who()).await.version == second.version },
        )
        .await;
        let cached: Option<Vec<u8>> = redis.hget(&entry, "v").await.expect("entry");
        assert!(cached.is_some(), "the newer rows are cached again");
    }
);

db_test!(
    redis_unreachable_or_lost_fails_nothing_and_serves_nothing_stale,
    |backend: Backend| {
        if real_redis().await.is_none() {
            return;
        }
        let proxy = redis_proxy().await;
        proxy.cut();
        let addr = proxy.addr.to_string();
        let Some(app) = spawn_app_with(backend, |s| {
            with_cache(s, &addr);
        })
        .await
        else {
            return;
        };
        let who = || shopper("s-outage");

        // Unreachable from the start: the service starts and serves.
        let first = app.add(who(), "var-classic-tee-m", 1).await.expect("add");
        assert_eq!(app.get(who()).await.version, first.version);
        assert!(!usable(&app).await);

        // Reachable: in use, and the cart cached.
        proxy.restore();
        eventually("the cache is in use", WITHIN, || usable(&app)).await;
        assert_eq!(app.get(who()).await.version, first.version);
        let hits = metric(&app, "cart_cache_reads_total", &[("kind", "hit")]).await;
        assert_eq!(app.get(who()).await.version, first.version);
        assert_eq!(
            metric(&app, "cart_cache_reads_total", &[("kind", "hit")]).await,
            hits + 1.0
        );

        // Lost mid-run: writes and reads go on, on the database.
        proxy.cut();
        let second = app.add(who(), "var-classic-tee-l", 1).await.expect("add");
        let read = app.get(who()).await;
        assert_eq!((read.version, read.items.len()), (second.version, 2));
        eventually(
            "the failure is counted and the cache set aside",
            WITHIN,
            || async {
                let failed = metric(&app, "cart_cache_failures_total", &[("kind", "read")]).await
                    + metric(&app, "cart_cache_failures_total", &[("kind", "invalidate")]).await;
                failed > 0.0 && !usable(&app).await
            },
        )
        .await;
        assert_eq!(app.get(who()).await.version, second.version);

        // Back: the rows cached before the outage (and never invalidated)
        // are not served.
        proxy.restore();
        eventually("the cache is in use again", WITHIN, || usable(&app)).await;
        let after = app.get(who()).await;
        assert_eq!((after.version, after.items.len()), (second.version, 2));
        assert_eq!(app.get(who()).await.version, second.version);
    }
);

db_test!(a_negative_min_version_is_refused_by_field, |app| {
    let refused = app
        .cart
        .get_cart(pb::GetCartRequest {
            shopper: shopper("s-1"),
            min_version: -1,
        })
        .await;
    let (_, details) = expect_code(refused, tonic::Code::InvalidArgument);
    assert_eq!(bad_fields(&details), ["min_version"]);
    assert_eq!(app.stored().await.carts.len(), 0);
});

db_test!(
    a_generation_key_gone_is_a_flush_never_a_stale_read,
    |backend: Backend| {
        let Some((app, mut redis, prefix)) = cached_app(backend).await else {
            return;
        };
        let who = || shopper("s-evicted");
        let first = app.add(who(), "var-classic-tee-m", 1).await.expect("add");
        assert_eq!(app.get(who()).await.version, first.version);
        let gen_key = format!("{prefix}:gen");
        let before: String = redis.get(&gen_key).await.expect("generation");

        // Evicted (or deleted): the next read goes to the database, and the
        // loss is counted.
        let _: () = redis.del(&gen_key).await.expect("DEL");
        let second = app.add(who(), "var-classic-tee-l", 1).await.expect("add");
        let read = app.get(who()).await;
        assert_eq!((read.version, read.items.len()), (second.version, 2));
        eventually("the loss is counted", WITHIN, || async {
            metric(&app, "cart_cache_failures_total", &[("kind", "generation")]).await > 0.0
        })
        .await;

        // Then a generation never used before, and reads from it are right.
        eventually("the cache is in use again", WITHIN, || usable(&app)).await;
        let after: String = redis.get(&gen_key).await.expect("generation");
        assert_ne!(after, before);
        assert_eq!(app.get(who()).await.version, second.version);
        let rows: Option<Vec<u8>> = redis
            .hget(format!("{prefix}:{after}:s:s-evicted"), "v")
            .await
            .expect("entry");
        assert!(rows.is_some(), "filled under the new generation");
    }
);
