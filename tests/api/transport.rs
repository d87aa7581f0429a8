//! The edge against hostile or greedy clients: silent connections past the
//! open-file limit, one connection opening many streams, and requests that
//! cannot be decoded.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes};
use cart_client::proto as pb;
use cart_client::proto::CartServiceClient;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tonic::Code;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};

use crate::db_test;
use crate::support::*;

/// Readiness of the service at `addr` on a new connection, or why not.
async fn ready_on_a_new_connection(addr: SocketAddr) -> Result<bool, String> {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(2))
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    let status = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "shop.cart.v1.CartService".into(),
        })
        .await
        .map_err(|e| e.to_string())?
        .into_inner()
        .status;
    Ok(status == ServingStatus::Serving as i32)
}

async fn until_ready(addr: SocketAddr, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    let mut last = String::new();
    while tokio::time::Instant::now() < deadline {
        match ready_on_a_new_connection(addr).await {
            Ok(true) => return,
            Ok(false) => last = "NOT_SERVING".into(),
            Err(error) => last = error,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("not served within {within:?}: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_past_the_open_file_limit_leave_other_clients_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_addr().port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let log_path = dir.path().join("cart.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 128 && exec \"$0\"")
        .arg(env!("CARGO_BIN_EXE_cart-service"))
        .env("CART__SERVER__HOST", "127.0.0.1")
        .env("CART__SERVER__PORT", port.to_string())
        .env("CART__SERVER__READINESS_INTERVAL_MS", "100")
        .env("CART__SERVER__DRAIN_DELAY_MS", "0")
        .env(
            "CART__DATABASE__URL",
            format!("sqlite://{}/cart.db?mode=rwc", dir.path().display()),
        )
        .env("CART__TRANSPORT__HANDSHAKE_TIMEOUT_MS", "500")
        .env("CART__TELEMETRY__LOG_FILTER", "info")
        .stdout(Stdio::from(log.try_clone().expect("log")))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("cart-service starts");
    let _process = Process(child);
    until_ready(addr, Duration::from_secs(30)).await;

    // More silent connections than the process may hold files: the kernel
    // completes their handshakes; the service runs out of descriptors.
    let mut silent = Vec::new();
    for _ in 0..200 {
        silent.push(TcpStream::connect(addr).await.expect("connect"));
    }
    until_ready(addr, Duration::from_secs(30)).await;

    // Each silent connection is closed by the service once its handshake
    // time is up.
    // (The service's HTTP/2 SETTINGS may come first.)
    for mut stream in silent {
        let mut sent = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut sent))
            .await
            .expect("closed by the service");
        assert!(
            sent.len() < 100,
            "only the server's preface: {read:?} {sent:?}"
        );
    }
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        log.contains("cannot accept connections"),
        "running out of descriptors is logged:\n{log}"
    );
}

db_test!(
    one_connection_with_many_calls_cannot_take_the_whole_in_flight_budget,
    |settings| {
        settings.limits.max_in_flight = 4;
        settings.transport.max_concurrent_streams = 2;
        settings.catalog.timeout_ms = 10_000;
    },
    |app| {
        app.set_catalog_faults(Faults {
            delay: Duration::from_millis(1000),
            ..Faults::default()
        });
        let greedy_channel = Channel::from_shared(format!("http://{}", app.addr))
            .expect("url")
            .connect()
            .await
            .expect("connect");
        let greedy = CartServiceClient::new(greedy_channel);
        // A connection in use, as a BFF's is: the client has the server's
        // SETTINGS (streams sent before them may be refused, REFUSED_STREAM,
        // which is safe to retry).
        greedy
            .clone()
            .get_cart(pb::GetCartRequest {
                shopper: shopper("greedy"),
                ..Default::default()
            })
            .await
            .expect("first call");
        let calls: Vec<_> = (0..10)
            .map(|n| {
                let mut client = greedy.clone();
                tokio::spawn(async move {
                    client
                        .add_item(add_tee_request(&format!("greedy-{n}"), 1))
                        .await
                        .map(|_| ())
                })
            })
            .collect();
        // Two calls of the greedy connection are in the service; the rest
        // wait on the client's side.
        app.wait_until_catalog_served(2).await;
        app.client
            .clone()
            .get_cart(pb::GetCartRequest {
                shopper: shopper("another-client"),
                ..Default::default()
            })
            .await
            .expect("another connection is served");
        app.set_catalog_faults(Faults::default());
        for call in calls {
            call.await
                .expect("task")
                .expect("queued calls are served in turn");
        }
    }
);

/// Sends bytes as they are and returns what comes back, undecoded.
#[derive(Clone, Default)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = Bytes;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Bytes;
    type Error = tonic::Status;

    fn encode(&mut self, item: Bytes, buf: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Bytes;
    type Error = tonic::Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Self::Error> {
        Ok(Some(buf.copy_to_bytes(buf.remaining())))
    }
}

const RPCS: [&str; 12] = [
    "CartService/GetCart",
    "CartService/AddItem",
    "CartService/UpdateItem",
    "CartService/RemoveItem",
    "CartService/ClearCart",
    "CartService/SetEmail",
    "CartService/Validate",
    "CartService/MergeGuestCart",
    "CartService/RefreshCart",
    "CartAdminService/GetCartById",
    "CartAdminService/CompleteCart",
    "CartAdminService/ListCartEvents",
];

db_test!(
    undecodable_requests_are_invalid_argument_on_every_rpc,
    |app| {
        let channel = Channel::from_shared(format!("http://{}", app.addr))
            .expect("url")
            .connect()
            .await
            .expect("connect");
        for rpc in RPCS {
            let mut grpc = tonic::client::Grpc::new(channel.clone());
            grpc.ready().await.expect("ready");
            let path =
                http::uri::PathAndQuery::try_from(format!("/shop.cart.v1.{rpc}")).expect("path");
            let result = grpc
                .unary(
                    tonic::Request::new(Bytes::from_static(&[0xff, 0xff, 0xff])),
                    path,
                    RawCodec,
                )
                .await;
            let (status, details) = expect_code(result, Code::InvalidArgument);
            assert_eq!(reason(&details), "MALFORMED_MESSAGE", "{rpc}: {status:?}");
            assert!(
                !status.message().contains("varint"),
                "{rpc}: opaque message"
            );
        }
        // Nothing was written.
        assert!(app.get(shopper("nobody")).await.items.is_empty());
    }
);

db_test!(
    metadata_nested_past_the_decoder_limit_is_invalid_argument,
    |app| {
        let mut value = prost_types::Value {
            kind: Some(prost_types::value::Kind::StringValue("deep".into())),
        };
        for _ in 0..40 {
            value = prost_types::Value {
                kind: Some(prost_types::value::Kind::StructValue(prost_types::Struct {
                    fields: [("k".to_owned(), value)].into_iter().collect(),
                })),
            };
        }
        let Some(prost_types::value::Kind::StructValue(metadata)) = value.kind else {
            unreachable!("built as a struct");
        };
        let request = pb::AddItemRequest {
            metadata: Some(metadata),
            ..add_tee_request("deep", 1)
        };
        let (status, details) = expect_code(
            app.client.clone().add_item(request).await,
            Code::InvalidArgument,
        );
        assert_eq!(reason(&details), "MALFORMED_MESSAGE", "{status:?}");
        assert!(app.get(shopper("deep")).await.items.is_empty());
    }
);

db_test!(every_refusal_carries_a_reason_from_the_contract, |app| {
    // A bad field: BadRequest and the INVALID_FIELD reason.
    let (status, details) = expect_code(
        app.client.clone().add_item(add_tee_request("r1", 0)).await,
        Code::InvalidArgument,
    );
    assert_eq!(reason(&details), "INVALID_FIELD", "{status:?}");
    assert!(details.bad_request().is_some());
    // Past the request size limit (tonic's own status).
    let mut big = add_tee_request("r1", 1);
    big.metadata = Some(prost_types::Struct {
        fields: [(
            "note".to_owned(),
            prost_types::Value {
                kind: Some(prost_types::value::Kind::StringValue("x".repeat(100_000))),
            },
        )]
        .into_iter()
        .collect(),
    });
    let (status, details) = expect_code(app.client.clone().add_item(big).await, Code::OutOfRange);
    assert_eq!(reason(&details), "MESSAGE_TOO_LARGE", "{status:?}");
    // A method the service does not have.
    let channel = Channel::from_shared(format!("http://{}", app.addr))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path = http::uri::PathAndQuery::from_static("/shop.cart.v1.CartService/NoSuchMethod");
    let result = grpc
        .unary(tonic::Request::new(Bytes::new()), path, RawCodec)
        .await;
    let (status, details) = expect_code(result, Code::Unimplemented);
    assert_eq!(reason(&details), "UNKNOWN_METHOD", "{status:?}");
});
