//! WatchCart: live views across tabs and replicas, the hand-over at
//! sign-in, resynchronisation after a lost listener, the bounds, and
//! shutdown. Every wait is an awaited message with a timeout, never a sleep.

use std::time::Duration;

use cart_client::CartError;
use cart_client::proto::{self as pb, CartServiceClient, ErrorReason};
use pb::watch_cart_response::Update;
use sea_orm::{ConnectionTrait, Statement};
use tonic::transport::Channel;
use tonic::{Code, Streaming};

use crate::db_test;
use crate::support::*;

/// How long a change may take to reach a watcher before the test fails.
const WITHIN: Duration = Duration::from_secs(5);

pub async fn watch(
    client: &CartServiceClient<Channel>,
    who: Option<pb::Shopper>,
    after_version: i64,
) -> Result<Streaming<pb::WatchCartResponse>, tonic::Status> {
    let request = pb::WatchCartRequest {
        shopper: who,
        after_version,
        ..Default::default()
    };
    Ok(client.clone().watch_cart(request).await?.into_inner())
}

/// A stream resumed from the cart and version the client has.
pub async fn resume(
    client: &CartServiceClient<Channel>,
    who: Option<pb::Shopper>,
    cart_id: &str,
    after_version: i64,
) -> Streaming<pb::WatchCartResponse> {
    let request = pb::WatchCartRequest {
        shopper: who,
        after_version,
        after_cart_id: cart_id.into(),
    };
    client
        .clone()
        .watch_cart(request)
        .await
        .expect("watch")
        .into_inner()
}

/// The next cart view within `within` (keepalives skipped).
pub async fn cart_within(
    stream: &mut Streaming<pb::WatchCartResponse>,
    within: Duration,
) -> pb::Cart {
    loop {
        let message = tokio::time::timeout(within, stream.message())
            .await
            .expect("a change within the time")
            .expect("stream ok")
            .expect("a message");
        match message.update.expect("an update") {
            Update::Cart(cart) => return cart,
            Update::Keepalive(_) => continue,
            other => panic!("expected a cart, got {other:?}"),
        }
    }
}

/// The next message that is not a keepalive; `None` when the stream ended OK.
pub async fn next(stream: &mut Streaming<pb::WatchCartResponse>) -> Option<Update> {
    loop {
        let message = tokio::time::timeout(WITHIN, stream.message())
            .await
            .expect("a message within the time")
            .expect("stream ok");
        match message?.update.expect("an update") {
            Update::Keepalive(_) => continue,
            update => return Some(update),
        }
    }
}

pub async fn next_cart(stream: &mut Streaming<pb::WatchCartResponse>) -> pb::Cart {
    match next(stream).await {
        Some(Update::Cart(cart)) => cart,
        other => panic!("expected a cart, got {other:?}"),
    }
}

/// Reads views until one at `version` (changes may be coalesced).
pub async fn until_version(
    stream: &mut Streaming<pb::WatchCartResponse>,
    version: i64,
) -> pb::Cart {
    loop {
        let cart = next_cart(stream).await;
        assert!(
            cart.version <= version,
            "went past {version}: {}",
            cart.version
        );
        if cart.version == version {
            return cart;
        }
    }
}

db_test!(a_watcher_sees_each_change_in_order, |app| {
    let mut stream = watch(&app.client, shopper("tab"), 0).await.expect("watch");
    let empty = next_cart(&mut stream).await;
    assert_eq!((empty.id.as_str(), empty.version), ("", 0));
    let mut last = 0;
    for quantity in 1..=3 {
        let cart = app
            .add(shopper("tab"), "var-classic-tee-m", quantity)
            .await
            .expect("added");
        let seen = next_cart(&mut stream).await;
        assert_eq!(seen.version, cart.version);
        assert!(seen.version > last);
        last = seen.version;
        assert_eq!(seen.items[0].quantity, (1..=quantity).sum::<i32>());
    }
    // Resuming with the cart and version the client has: the first message
    // is the next change.
    let id = app.get(shopper("tab")).await.id;
    let mut resumed = resume(&app.client, shopper("tab"), &id, last).await;
    app.add(shopper("tab"), "var-classic-tee-s", 1)
        .await
        .expect("added");
    assert_eq!(next_cart(&mut resumed).await.version, last + 1);
    // The cart ordered while the client was away, a new one at the same
    // version: the first message is the new cart, not silence.
    app.complete(&id, "order-1").await.expect("completed");
    let new = app
        .add(shopper("tab"), "var-classic-tee-m", 1)
        .await
        .expect("new cart");
    let mut stale = resume(&app.client, shopper("tab"), &id, new.version).await;
    assert_eq!(next_cart(&mut stale).await.id, new.id);
});

db_test!(the_client_crate_watches_too, |app| {
    let mut stream = app
        .cart
        .watch_cart(pb::WatchCartRequest {
            shopper: shopper("crate"),
            after_version: 0,
            ..Default::default()
        })
        .await
        .expect("watch");
    assert_eq!(next_cart(&mut stream).await.version, 0);
    app.add(shopper("crate"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    assert_eq!(next_cart(&mut stream).await.version, 1);
});

db_test!(a_guest_watcher_follows_the_cart_into_the_customers, |app| {
    app.add(customer("laptop", "ada"), "var-classic-tee-l", 1)
        .await
        .expect("customer's cart");
    let guest = app
        .add(shopper("phone"), "var-classic-tee-m", 1)
        .await
        .expect("guest cart");
    let mut stream = watch(&app.client, shopper("phone"), 0)
        .await
        .expect("watch");
    assert_eq!(next_cart(&mut stream).await.id, guest.id);
    let merged = app
        .merge(customer("phone", "ada"), "", pb::MergeStrategy::Merge)
        .await
        .expect("merged");
    let into = merged.cart.expect("cart").id;
    match next(&mut stream).await {
        Some(Update::Ended(ended)) => {
            assert_eq!(ended.cart_id, guest.id);
            assert_eq!(ended.status(), pb::CartStatus::Merged);
            assert_eq!(ended.into_cart_id, into);
        }
        other => panic!("expected the hand-over, got {other:?}"),
    }
    assert!(
        next(&mut stream).await.is_none(),
        "the stream ends after the hand-over"
    );
});

db_test!(
    the_watcher_caps_refuse_with_retry_info,
    |s| { s.watch.max_per_session = 2 },
    |app| {
        let _a = watch(&app.client, shopper("busy"), 0).await.expect("first");
        let _b = watch(&app.client, shopper("busy"), 0)
            .await
            .expect("second");
        let refused = watch(&app.client, shopper("busy"), 0).await;
        let (error, details) = expect_code(refused.map(|_| ()), Code::ResourceExhausted);
        assert_eq!(error.reason(), ErrorReason::TooManyWatchers);
        assert_eq!(error.metadata("scope"), Some("session"));
        assert!(details.retry_info().is_some());
        watch(&app.client, shopper("other"), 0)
            .await
            .expect("another session");
    }
);

db_test!(
    streams_keep_alive_then_end_for_the_client_to_resume,
    |s| {
        s.watch.keepalive_secs = 1;
        s.watch.max_stream_secs = 2;
    },
    |app| {
        let mut stream = watch(&app.client, shopper("idle"), 0).await.expect("watch");
        next_cart(&mut stream).await;
        let keepalive = tokio::time::timeout(WITHIN, stream.message())
            .await
            .expect("in time")
            .expect("ok")
            .expect("a message");
        assert_eq!(keepalive.update, Some(Update::Keepalive(true)));
        let end = tokio::time::timeout(WITHIN, async {
            while let Some(message) = stream.message().await.expect("ok") {
                assert_eq!(message.update, Some(Update::Keepalive(true)));
            }
        });
        end.await.expect("the stream ends OK after its lifetime");
    }
);

db_test!(shutdown_ends_streams_with_unavailable, |app| {
    let mut app = app;
    let mut stream = watch(&app.client, shopper("tab"), 0).await.expect("watch");
    next_cart(&mut stream).await;
    app.begin_stop();
    let ended = tokio::time::timeout(WITHIN, async {
        loop {
            match stream.message().await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("ended OK, not UNAVAILABLE"),
                Err(status) => return status,
            }
        }
    })
    .await
    .expect("ended inside the grace");
    let error = CartError::from(ended);
    assert_eq!(error.code(), Code::Unavailable);
    assert_eq!(error.reason(), ErrorReason::ReplicaStopping);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_watcher_on_one_replica_sees_writes_on_another() {
    let Some(app) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    let replica = app.spawn_replica().await;
    let other = CartServiceClient::new(connect_when_up(replica.addr).await);
    let mut stream = watch(&other, shopper("tab"), 0)
        .await
        .expect("watch on the replica");
    next_cart(&mut stream).await;
    for n in 1..=5 {
        let cart = app
            .add(shopper("tab"), "var-classic-tee-m", 1)
            .await
            .expect("added");
        assert_eq!(cart.version, n);
        // Each within a second, in order.
        let seen = cart_within(&mut stream, Duration::from_secs(1)).await;
        assert_eq!(
            (seen.version, seen.items[0].quantity),
            (n, i32::try_from(n).unwrap())
        );
    }
    // The listening connection killed: the replica listens again and
    // resynchronises; the write made meanwhile is not missed.
    let killed = app
        .db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        ))
        .await
        .expect("terminate");
    assert_eq!(killed.len(), 2, "one listener per replica");
    app.add(shopper("tab"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    assert_eq!(until_version(&mut stream, 6).await.items[0].quantity, 6);
    let _ = replica.stop.send(());
    replica.server.await.expect("replica stopped");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// The service as a process of its own, so its memory is only its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_watchers_stay_within_their_memory_bound() {
    let dir = tempfile::tempdir().expect("dir");
    let addr = free_addr();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cart-service"))
        .env("CART__SERVER__HOST", "127.0.0.1")
        .env("CART__SERVER__PORT", addr.port().to_string())
        .env("CART__SERVER__DRAIN_DELAY_MS", "0")
        .env("CART__TELEMETRY__METRICS_PORT", "0")
        .env("CART__TELEMETRY__LOG_FILTER", "warn")
        .env("CART__TRANSPORT__MAX_CONCURRENT_STREAMS", "2000")
        .env(
            "CART__DATABASE__URL",
            format!("sqlite://{}/cart.db?mode=rwc", dir.path().display()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("cart-service starts");
    let pid = child.id();
    let _service = Process(child);
    let client = CartServiceClient::new(connect_when_up(addr).await);
    // Warm: one stream opened and closed.
    let mut warm = watch(&client, shopper("warm"), 0).await.expect("watch");
    next_cart(&mut warm).await;
    drop(warm);
    let before = rss_kib(pid);
    let mut streams = Vec::new();
    for n in 0..1_000 {
        let mut stream = watch(&client, shopper(&format!("w{n}")), 0)
            .await
            .expect("watch");
        next_cart(&mut stream).await;
        streams.push(stream);
    }
    let grown = rss_kib(pid).saturating_sub(before);
    // The stated bound: 48 MiB for 1,000 streams, under 50 KiB each (HTTP/2
    // stream state, a task, a channel and a subscription; measured ~35 KiB).
    assert!(
        grown < 48 * 1024,
        "1,000 watchers grew the service by {grown} KiB"
    );
    // And each is live.
    let mut cart = CartServiceClient::new(connect_when_up(addr).await);
    cart.add_item(pb::AddItemRequest {
        shopper: shopper("w999"),
        product_id: "prod-classic-tee".into(),
        variant_id: "var-classic-tee-m".into(),
        quantity: 1,
        ..Default::default()
    })
    .await
    .expect("added");
    assert_eq!(next_cart(&mut streams[999]).await.version, 1);
}

db_test!(an_expired_cart_ends_its_watchers, |app| {
    let cart = app
        .add(shopper("gone"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    let mut stream = watch(&app.client, shopper("gone"), 0).await.expect("watch");
    assert_eq!(next_cart(&mut stream).await.id, cart.id);
    app.clock.advance(chrono::Duration::days(31));
    assert_eq!(app.maintenance.run_once().await.expect("run").expired, 1);
    match next(&mut stream).await {
        Some(Update::Ended(ended)) => {
            assert_eq!(ended.status(), pb::CartStatus::Abandoned);
            assert_eq!(ended.into_cart_id, "");
        }
        other => panic!("expected the end, got {other:?}"),
    }
});
