//! What operators see: the metrics on the admin port (checked by the real
//! `promtool`) and the access log, one JSON line per call.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use cart_client::proto as pb;
use cart_client::proto::CartServiceClient;
use tonic::Code;
use tonic::metadata::MetadataValue;

use crate::db_test;
use crate::support::*;

fn count(metrics: &str, method: &str, code: &str) -> f64 {
    let labels = [
        ("rpc_service", "shop.cart.v1.CartService"),
        ("rpc_method", method),
        ("rpc_grpc_status_code", code),
    ];
    sample(metrics, "rpc_server_duration_seconds_count", &labels).unwrap_or(0.0)
}

/// `promtool check metrics` on `exposition`; in CI promtool must be there.
fn promtool_check(exposition: &str) {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(_) if std::env::var_os("CI").is_some() => panic!("promtool is required in CI"),
        Err(_) => {
            eprintln!("\n*** SKIPPED: promtool not installed (apt-get install prometheus) ***\n");
            return;
        }
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(exposition.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("promtool ran");
    assert!(
        out.status.success(),
        "promtool check metrics:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

db_test!(
    metrics_count_calls_by_method_and_code_and_what_the_carts_went_through,
    |settings| {
        settings.telemetry.metrics_port = Some(0);
    },
    |app| {
        let admin = app.admin_addr.expect("admin listener");
        app.client
            .clone()
            .add_item(add_tee_request("m1", 1))
            .await
            .expect("added");
        let unknown = pb::AddItemRequest {
            variant_id: "var-does-not-exist".into(),
            ..add_tee_request("m1", 1)
        };
        expect_code(app.client.clone().add_item(unknown).await, Code::NotFound);
        app.set_catalog_faults(Faults {
            failing: true,
            ..Faults::default()
        });
        let other = pb::AddItemRequest {
            variant_id: "var-socks-3pack".into(),
            ..add_tee_request("m1", 1)
        };
        expect_code(app.client.clone().add_item(other).await, Code::Unavailable);

        let metrics = scrape(admin).await;
        assert_eq!(count(&metrics, "AddItem", "0"), 1.0, "{metrics}");
        assert_eq!(count(&metrics, "AddItem", "5"), 1.0);
        assert_eq!(count(&metrics, "AddItem", "14"), 1.0);
        let events = |kind| sample(&metrics, "cart_events_total", &[("kind", kind)]);
        assert_eq!(events("created"), Some(1.0));
        assert_eq!(events("item_added"), Some(1.0));
        let failed_lookups = sample(
            &metrics,
            "cart_catalog_call_duration_seconds_count",
            &[("kind", "unavailable")],
        );
        assert!(failed_lookups.unwrap_or(0.0) >= 1.0, "{metrics}");
        assert!(sample(&metrics, "cart_db_connections", &[("kind", "idle")]).is_some());
        promtool_check(&metrics);
    }
);

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// `message` sent as a child of a span of trace [`TRACE_ID`].
fn traced<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let parent = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
    request.metadata_mut().insert(
        "traceparent",
        MetadataValue::try_from(parent).expect("header"),
    );
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_has_one_line_per_call_with_code_reason_duration_and_trace_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_addr().port();
    let log_path = dir.path().join("cart.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_cart-service"))
        .env("CART__SERVER__HOST", "127.0.0.1")
        .env("CART__SERVER__PORT", port.to_string())
        .env("CART__SERVER__DRAIN_DELAY_MS", "0")
        .env(
            "CART__DATABASE__URL",
            format!("sqlite://{}/cart.db?mode=rwc", dir.path().display()),
        )
        .env("CART__TELEMETRY__LOG_FORMAT", "json")
        .env("CART__TELEMETRY__LOG_FILTER", "info")
        .env("CART__TELEMETRY__METRICS_PORT", "0")
        .stdout(Stdio::from(log.try_clone().expect("log")))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("cart-service starts");
    let process = Process(child);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let channel = connect_when_up(addr).await;
    let mut client = CartServiceClient::new(channel);

    let trace_id = TRACE_ID;
    let who = shopper("secret-session-4711");
    client
        .add_item(traced(pb::AddItemRequest {
            shopper: who.clone(),
            ..add_tee_request("secret-session-4711", 1)
        }))
        .await
        .expect("added");
    client
        .set_email(traced(set_email_request(who.clone(), "alice@example.com")))
        .await
        .expect("e-mail set");
    let unknown = pb::AddItemRequest {
        variant_id: "var-does-not-exist".into(),
        ..add_tee_request("secret-session-4711", 1)
    };
    expect_code(client.add_item(traced(unknown)).await, Code::NotFound);
    // Stopped as Kubernetes stops it: the log is complete once it exits.
    let mut process = process;
    sigterm(&process);
    let status = exit_within(&mut process, Duration::from_secs(10)).await;
    assert!(status.success(), "stopped cleanly: {status:?}");

    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        !log.contains("secret-session-4711"),
        "session id in clear:\n{log}"
    );
    assert!(
        !log.contains("alice@example.com"),
        "e-mail in clear:\n{log}"
    );
    let calls: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["target"] == "access")
        .filter(|line| line["rpc"].as_str().unwrap_or("").contains("CartService"))
        .collect();
    let rpcs: Vec<(&str, &str, &str)> = calls
        .iter()
        .map(|f| {
            (
                f["rpc"].as_str().unwrap_or(""),
                f["code"].as_str().unwrap_or(""),
                f["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        rpcs,
        [
            ("shop.cart.v1.CartService/AddItem", "Ok", ""),
            ("shop.cart.v1.CartService/SetEmail", "Ok", ""),
            (
                "shop.cart.v1.CartService/AddItem",
                "NotFound",
                "VARIANT_NOT_FOUND"
            ),
        ],
        "{log}"
    );
    for call in &calls {
        assert_eq!(call["trace_id"], trace_id, "{call}");
        assert!(
            call["duration_ms"].as_f64().is_some_and(|ms| ms > 0.0),
            "{call}"
        );
        assert!(
            call["peer"]
                .as_str()
                .is_some_and(|p| p.starts_with("127.0.0.1:"))
        );
    }
}
