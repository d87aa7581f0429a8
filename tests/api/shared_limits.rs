//! Session write budgets shared by every replica through the real Redis
//! (`limits.redis_url`): three replicas give a session one budget, not
//! three, and Redis lost mid-run falls back to each replica's own bucket,
//! counted, with nothing failing for it.

use cart_client::proto as pb;
use cart_client::proto::cart_service_client::CartServiceClient;
use cart_service::config::{Secret, Settings};
use tonic::Code;
use tonic::transport::Channel;

use crate::db_test;
use crate::support::*;

/// Shares the session budget through Redis at `addr`, under a prefix of its
/// own: `burst` writes, then one a minute.
fn shared_budget(settings: &mut Settings, addr: &str, burst: u32) {
    let limits = &mut settings.limits;
    limits.session_writes_per_minute = 1;
    limits.session_write_burst = burst;
    limits.redis_url = Some(Secret::new(format!("redis://{addr}")));
    limits.redis_key_prefix = format!("cart:test:limits:{}", uuid::Uuid::now_v7().simple());
    settings.telemetry.metrics_port = Some(0);
}

/// How many of `adds` (a session's AddItems, one per client in turn) were
/// allowed; every refusal is RATE_LIMITED.
async fn allowed(clients: &mut [CartServiceClient<Channel>], session: &str, adds: usize) -> usize {
    let mut ok = 0;
    for n in 0..adds {
        let client = &mut clients[n % clients.len()];
        match client.add_item(add_tee_request(session, 1)).await {
            Ok(_) => ok += 1,
            refused => {
                let (_, details) = expect_code(refused, Code::ResourceExhausted);
                assert_eq!(reason(&details), "RATE_LIMITED");
            }
        }
    }
    ok
}

async fn metric(app: &TestApp, name: &str) -> f64 {
    let admin = app.admin_addr.expect("admin listener");
    sample(&scrape(admin).await, name, &[]).unwrap_or(0.0)
}

db_test!(
    three_replicas_share_one_session_budget,
    |backend: Backend| {
        if real_redis().await.is_none() {
            return;
        }
        let Some(app) = spawn_app_with(backend, |s| shared_budget(s, &redis_address(), 6)).await
        else {
            return;
        };
        let (second, third) = (app.spawn_replica().await, app.spawn_replica().await);
        let mut clients = vec![app.client.clone()];
        for replica in [&second, &third] {
            let channel = Channel::from_shared(format!("http://{}", replica.addr))
                .expect("url")
                .connect_lazy();
            clients.push(CartServiceClient::new(channel));
        }
        // Each replica alone would allow 6: together they allow 6.
        assert_eq!(allowed(&mut clients, "s-fleet", 18).await, 6);
        let cart = app.get(shopper("s-fleet")).await;
        assert_eq!(
            cart.items[0].quantity, 6,
            "exactly the allowed writes landed"
        );
        // Another session has a budget of its own.
        assert_eq!(allowed(&mut clients, "s-other", 3).await, 3);
        assert_eq!(metric(&app, "cart_rate_limit_fallbacks_total").await, 0.0);
        assert_eq!(metric(&app, "cart_rate_limit_shared").await, 1.0);
        for replica in [second, third] {
            let _ = replica.stop.send(());
            replica.server.await.expect("replica stopped");
        }
    }
);

db_test!(
    redis_lost_mid_run_falls_back_to_the_replica_budget,
    |backend: Backend| {
        if real_redis().await.is_none() {
            return;
        }
        let proxy = redis_proxy().await;
        let addr = proxy.addr.to_string();
        let Some(app) = spawn_app_with(backend, |s| shared_budget(s, &addr, 3)).await else {
            return;
        };
        let mut clients = vec![app.client.clone()];
        assert_eq!(
            allowed(&mut clients, "s-lost", 4).await,
            3,
            "the shared budget"
        );

        // Redis gone: writes go on under the replica's own bucket (3 at once),
        // counted; none fails for Redis.
        proxy.cut();
        assert_eq!(
            allowed(&mut clients, "s-lost", 4).await,
            3,
            "the local budget"
        );
        assert_eq!(
            allowed(&mut clients, "s-outage", 4).await,
            3,
            "the local budget"
        );
        assert!(metric(&app, "cart_rate_limit_fallbacks_total").await >= 8.0);
        assert_eq!(metric(&app, "cart_rate_limit_shared").await, 0.0);

        // Back: the shared budget, still spent, applies again.
        proxy.restore();
        eventually(
            "Redis used again",
            std::time::Duration::from_secs(10),
            || async {
                // A write of another session asks Redis once its pause is over.
                let _ = app
                    .client
                    .clone()
                    .add_item(add_tee_request("s-probe", 1))
                    .await;
                metric(&app, "cart_rate_limit_shared").await == 1.0
            },
        )
        .await;
        assert_eq!(allowed(&mut clients, "s-lost", 1).await, 0, "still spent");
        // Spent only locally during the outage: its shared budget is whole
        // (the local bucket would allow none).
        assert_eq!(
            allowed(&mut clients, "s-outage", 4).await,
            3,
            "the shared budget"
        );
        let cart: pb::Cart = app.get(shopper("s-lost")).await;
        assert_eq!(
            cart.items[0].quantity, 6,
            "3 shared + 3 local writes landed"
        );
    }
);
