//! An ordinary stop is orderly: background work finishes its unit and hands
//! back the rest (recovery e-mail to a slow real SMTP server, a maintenance
//! run in its batches), the stop takes at most drain delay + grace, a
//! second signal ends the process at once, and a port that is taken stops
//! start-up before any migration runs. Waits are bounded polls of an
//! answer, never a sleep standing in for one.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use cart_service::config::Settings;
use cart_service::startup::{Application, StartupError};

use crate::db_test;
use crate::recovery::{abandoned_cart, recovery_settings};
use crate::support::*;

/// Outbox rows recorded sent.
const SENT: &str = "SELECT count(*) AS n FROM recovery_outbox WHERE status = 'sent'";
/// Carts set aside as abandoned, and their events.
const ABANDONED_CARTS: &str = "SELECT count(*) AS n FROM carts WHERE status = 'abandoned'";
const ABANDONED_EVENTS: &str =
    "SELECT count(*) AS n FROM cart_events WHERE event_type = 'abandoned'";

/// Stops `app` as SIGTERM does and waits for the stop; how long it took.
async fn stop(app: &mut TestApp) -> Duration {
    let started = Instant::now();
    app.stop_server().await;
    started.elapsed()
}

const MESSAGES: usize = 30;

db_test!(
    a_stop_during_delivery_records_what_the_relay_accepted_and_hands_back_the_rest,
    |backend: Backend| {
        let smtp = SmtpServer::start_slow(Duration::from_millis(100));
        let url = smtp.url();
        let configure = |s: &mut Settings| {
            recovery_settings(s, &url);
            s.recovery.enabled = true;
            s.recovery.interval_secs = 1;
        };
        let Some(mut app) = spawn_app_with(backend, configure).await else {
            return;
        };
        for n in 0..MESSAGES {
            abandoned_cart(&app, &format!("s{n}"), &format!("shopper{n}@example.com")).await;
        }
        app.clock.advance(chrono::Duration::days(2));

        // SIGTERM once the relay has taken a few, mid-batch.
        eventually("delivery under way", Duration::from_secs(20), || async {
            smtp.received() >= 2
        })
        .await;
        let took = stop(&mut app).await;
        let grace = Duration::from_secs(app.settings.server.shutdown_grace_secs);
        assert!(
            took < grace,
            "the stop took {took:?}: cut off at the grace {grace:?}"
        );

        // Every message the relay accepted is recorded sent; none is left
        // claimed: the rest are due now, their attempt not counted.
        let accepted = smtp.received();
        assert!(
            accepted < MESSAGES,
            "stopped mid-delivery ({accepted} sent)"
        );
        let sent = app.count(SENT).await;
        assert_eq!(sent as usize, accepted, "every accepted message recorded");
        let pending = app
            .count("SELECT count(*) AS n FROM recovery_outbox WHERE status = 'pending' AND attempts = 0")
            .await;
        assert_eq!(
            pending as usize,
            MESSAGES - accepted,
            "unsent claims given back"
        );

        // A replica started after the stop sends them all within one
        // recovery interval of its first run.
        let replica = app.spawn_replica().await;
        eventually("the rest delivered", Duration::from_secs(20), || async {
            smtp.received() == MESSAGES
        })
        .await;
        let _ = replica.stop.send(());
        replica.server.await.expect("replica stopped");
        let to: Vec<String> = smtp.take().into_iter().flat_map(|m| m.to).collect();
        let distinct: HashSet<&String> = to.iter().collect();
        assert_eq!(
            (to.len(), distinct.len()),
            (MESSAGES, MESSAGES),
            "every address once: {to:?}"
        );
        let sent = app.count(SENT).await;
        assert_eq!(sent as usize, MESSAGES);
    }
);

const CARTS: usize = 300;

db_test!(
    a_stop_during_maintenance_leaves_exact_counts,
    |backend: Backend| {
        let Some(mut app) = spawn_app_with(backend, |s| {
            s.jobs.enabled = true;
            s.jobs.interval_secs = 1;
            s.jobs.batch_size = 1;
        })
        .await
        else {
            return;
        };
        for n in 0..CARTS {
            app.add(shopper(&format!("old-{n}")), "var-classic-tee-m", 1)
                .await
                .expect("added");
        }
        app.clock.advance(chrono::Duration::days(31));
        let abandoned = ABANDONED_CARTS;
        eventually("expiry under way", Duration::from_secs(20), || async {
            app.count(abandoned).await > 0
        })
        .await;
        stop(&mut app).await;

        // Stopped between batches: each expired cart is abandoned with its
        // one event, the others untouched, and the next run (a replica
        // started after the stop) does the rest.
        let done = app.count(abandoned).await as usize;
        // (Whether the stop lands mid-run depends on timing; the counts
        // hold either way.)
        let events = app.count(ABANDONED_EVENTS).await;
        assert_eq!(events as usize, done, "one event per expired cart");
        let active = app
            .count("SELECT count(*) AS n FROM carts WHERE status = 'active'")
            .await;
        assert_eq!(active as usize, CARTS - done);
        let replica = app.spawn_replica().await;
        eventually(
            "the next run does the rest",
            Duration::from_secs(30),
            || async { app.count(abandoned).await as usize == CARTS },
        )
        .await;
        let _ = replica.stop.send(());
        replica.server.await.expect("replica stopped");
        let events = app.count(ABANDONED_EVENTS).await;
        assert_eq!(events as usize, CARTS, "still one event per expired cart");
    }
);

db_test!(
    a_maintenance_run_told_to_stop_stops_before_its_next_batch,
    |backend: Backend| {
        let Some(app) = spawn_app_with(backend, |s| s.jobs.batch_size = 1).await else {
            return;
        };
        for n in 0..3 {
            app.add(shopper(&format!("old-{n}")), "var-classic-tee-m", 1)
                .await
                .expect("added");
        }
        app.clock.advance(chrono::Duration::days(31));
        let (stopper, shutdown) = cart_service::shutdown::Stopper::new();
        stopper.stop();
        let report = app.maintenance.run_until(&shutdown).await.expect("run");
        assert!(report.stopped && report.expired == 0, "{report:?}");
        let report = app.maintenance.run_once().await.expect("run");
        assert!(!report.stopped && report.expired == 3, "{report:?}");
    }
);

db_test!(
    a_port_taken_stops_start_up_before_any_migration,
    |backend: Backend| {
        let Some(db) = FreshDatabase::new(backend).await else {
            return;
        };
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = taken.local_addr().expect("addr").port();
        for setting in ["server.port", "telemetry.metrics_port"] {
            let mut settings = Settings::default();
            settings.server.host = "127.0.0.1".into();
            settings.server.port = 0;
            settings.telemetry.metrics_port = Some(0);
            settings.database.url = cart_service::config::Secret::new(db.url.clone());
            match setting {
                "server.port" => settings.server.port = port,
                _ => settings.telemetry.metrics_port = Some(port),
            }
            match Application::build(settings).await {
                Err(StartupError::Bind { setting: named, .. }) => assert_eq!(named, setting),
                Err(other) => panic!("{setting}: not a bind error: {other}"),
                Ok(_) => panic!("{setting}: started on a taken port"),
            }
            assert!(!db.migrated().await, "{setting}: no migration ran");
        }
    }
);

/// A cart service process on a fresh SQLite file with `drain_delay_ms`, and
/// its gRPC address once it serves.
async fn service_process(
    dir: &tempfile::TempDir,
    drain_delay_ms: u64,
) -> (Process, std::net::SocketAddr) {
    let addr = free_addr();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cart-service"))
        .env("CART__SERVER__HOST", "127.0.0.1")
        .env("CART__SERVER__PORT", addr.port().to_string())
        .env("CART__SERVER__DRAIN_DELAY_MS", drain_delay_ms.to_string())
        .env("CART__SERVER__SHUTDOWN_GRACE_SECS", "2")
        .env(
            "CART__DATABASE__URL",
            format!("sqlite://{}/cart.db?mode=rwc", dir.path().display()),
        )
        .env("CART__TELEMETRY__METRICS_PORT", "0")
        .env("CART__TELEMETRY__LOG_FILTER", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("cart-service starts");
    let process = Process(child);
    connect_when_up(addr).await;
    (process, addr)
}

/// The readiness status of `addr` (CartService's health name).
async fn readiness(addr: std::net::SocketAddr) -> Option<i32> {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .expect("url")
        .connect()
        .await
        .ok()?;
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: cart_service::startup::CART_SERVICE_NAME.into(),
        })
        .await
        .ok()?;
    Some(response.into_inner().status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_cleanly_within_drain_and_grace_and_a_second_one_at_once() {
    use tonic_health::pb::health_check_response::ServingStatus;
    // One SIGTERM: the whole stop, exit 0, within drain delay + grace.
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut process, addr) = service_process(&dir, 300).await;
    eventually("ready", Duration::from_secs(20), || async {
        readiness(addr).await == Some(ServingStatus::Serving as i32)
    })
    .await;
    sigterm(&process);
    // Drain delay + grace, and a second for a loaded machine.
    let status = exit_within(&mut process, Duration::from_millis(300 + 2_000 + 1_000)).await;
    assert_eq!(status.code(), Some(0), "an orderly stop exits 0");

    // Two: the first starts the drain (NOT_SERVING for a minute), the second
    // ends the process at once.
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut process, addr) = service_process(&dir, 60_000).await;
    eventually("ready", Duration::from_secs(20), || async {
        readiness(addr).await == Some(ServingStatus::Serving as i32)
    })
    .await;
    sigterm(&process);
    eventually("draining", Duration::from_secs(20), || async {
        readiness(addr).await == Some(ServingStatus::NotServing as i32)
    })
    .await;
    sigterm(&process);
    let status = exit_within(&mut process, Duration::from_secs(10)).await;
    assert_eq!(status.code(), Some(1), "the second signal stops at once");
}

db_test!(
    a_claim_given_back_never_lets_a_stale_result_through,
    |backend: Backend| {
        use cart_service::storage::recovery::{Delivery, claim_due, record_delivery};
        let down = ReservedPort::new();
        let url = format!("smtp://{}", down.addr);
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        abandoned_cart(&app, "left", "ada@example.com").await;
        app.clock.advance(chrono::Duration::days(2));
        // Queued, and one attempt failed (the relay is down).
        assert_eq!(crate::recovery::run_recovery(&app).await.retried, 1);
        let now = app.clock_now() + chrono::Duration::hours(2);
        let lease = now + chrono::Duration::minutes(5);
        let first = claim_due(&app.db, now, lease, 10).await.expect("claim");
        assert_eq!(first.len(), 1);
        // Given back at a stop: the attempt is not counted...
        record_delivery(&app.db, &first[0], &Delivery::Released, now)
            .await
            .expect("released");
        let second = claim_due(&app.db, now, lease, 10).await.expect("claim");
        assert_eq!(second[0].attempts, first[0].attempts, "attempt not counted");
        // ...but the first claim's late result changes nothing of the second's.
        record_delivery(&app.db, &first[0], &Delivery::Sent, now)
            .await
            .expect("recorded");
        let sent = app.count(SENT).await;
        assert_eq!(sent, 0, "a stale claim's result was taken");
        record_delivery(&app.db, &second[0], &Delivery::Sent, now)
            .await
            .expect("recorded");
        let sent = app.count(SENT).await;
        assert_eq!(sent, 1);
    }
);
