//! One table of every hostile input class: each gets its code and its
//! detail (BadRequest field or ErrorInfo reason), and none changes a stored
//! row or event.

use futures::future::BoxFuture;
use prost_types::value::Kind;

use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use cart_client::proto::CartServiceClient;
use pb::MergeStrategy;
use tonic::transport::Channel;
use tonic::{Code, Status};

/// What a refused call must carry besides its code.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// INVALID_ARGUMENT naming this field in BadRequest.
    Field(&'static str),
    /// This ErrorInfo reason.
    Reason(&'static str),
    /// Only the code (the transport answers before the handler).
    Code,
}

struct Case {
    name: &'static str,
    code: Code,
    expect: Expect,
    call: BoxFuture<'static, Result<(), Status>>,
}

type Client = CartServiceClient<Channel>;

fn adding(client: &Client, request: pb::AddItemRequest) -> BoxFuture<'static, Result<(), Status>> {
    let mut client = client.clone();
    Box::pin(async move { client.add_item(request).await.map(drop) })
}

fn updating(
    client: &Client,
    request: pb::UpdateItemRequest,
) -> BoxFuture<'static, Result<(), Status>> {
    let mut client = client.clone();
    Box::pin(async move { client.update_item(request).await.map(drop) })
}

fn setting_email(client: &Client, email: &str) -> BoxFuture<'static, Result<(), Status>> {
    let mut client = client.clone();
    let request = set_email_request(shopper("s1"), email);
    Box::pin(async move { client.set_email(request).await.map(drop) })
}

db_test!(
    every_hostile_input_class_gets_its_code_and_changes_nothing,
    |app| {
        // Two carts: the shopper's, and someone else's.
        let mine = app
            .add(shopper("s1"), "var-classic-tee-m", 1)
            .await
            .expect("add");
        let theirs = app
            .add(shopper("s2"), "var-classic-tee-m", 1)
            .await
            .expect("add");
        let my_item = mine.items[0].id.clone();
        let their_item = theirs.items[0].id.clone();
        let my_cart = mine.id.clone();
        let c = app.client.clone();
        let long = |n: usize| "x".repeat(n);
        let nan = prost_types::Struct {
            fields: [(
                "n".to_owned(),
                prost_types::Value {
                    kind: Some(Kind::NumberValue(f64::NAN)),
                },
            )]
            .into(),
        };
        // The first call with this key succeeds; its reuse is a case below.
        let mut keyed = add_tee_request("s1", 1);
        keyed.request_id = "key-1".into();
        app.client
            .clone()
            .add_item(keyed.clone())
            .await
            .expect("keyed add");

        let cases = vec![
            Case {
                name: "quantity 0",
                code: Code::InvalidArgument,
                expect: Expect::Field("quantity"),
                call: adding(&c, add_tee_request("s1", 0)),
            },
            Case {
                name: "quantity 101",
                code: Code::InvalidArgument,
                expect: Expect::Field("quantity"),
                call: adding(&c, add_tee_request("s1", 101)),
            },
            Case {
                name: "quantity i32::MIN",
                code: Code::InvalidArgument,
                expect: Expect::Field("quantity"),
                call: adding(&c, add_tee_request("s1", i32::MIN)),
            },
            Case {
                name: "missing shopper",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        shopper: None,
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "session id of 129 characters",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.session_id"),
                call: adding(&c, add_tee_request(&long(129), 1)),
            },
            Case {
                name: "session id with a newline",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.session_id"),
                call: adding(&c, add_tee_request("s1\nX-Admin: 1", 1)),
            },
            Case {
                name: "customer id of 129 characters",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.customer_id"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        shopper: customer("s1", &long(129)),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "non-ASCII variant id",
                code: Code::InvalidArgument,
                expect: Expect::Field("variant_id"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        variant_id: "var-👕".into(),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "SQL in a variant id is only an unknown id",
                code: Code::NotFound,
                expect: Expect::Reason("VARIANT_NOT_FOUND"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        variant_id: "x';DROP_TABLE_carts;--".into(),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "unknown variant",
                code: Code::NotFound,
                expect: Expect::Reason("VARIANT_NOT_FOUND"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        variant_id: "var-nope".into(),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "variant of another product",
                code: Code::NotFound,
                expect: Expect::Reason("VARIANT_NOT_FOUND"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        product_id: "prod-nope".into(),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "metadata over 4 KiB",
                code: Code::InvalidArgument,
                expect: Expect::Field("metadata"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        metadata: Some(metadata(serde_json::json!({ "note": long(5000) }))),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "metadata 9 levels deep",
                code: Code::InvalidArgument,
                expect: Expect::Field("metadata"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        metadata: Some(deep_metadata(9)),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "metadata with NaN",
                code: Code::InvalidArgument,
                expect: Expect::Field("metadata"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        metadata: Some(nan),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "request over 64 KiB",
                code: Code::OutOfRange,
                expect: Expect::Code,
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        metadata: Some(metadata(serde_json::json!({ "blob": long(70_000) }))),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "request id of 129 characters",
                code: Code::InvalidArgument,
                expect: Expect::Field("request_id"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        request_id: long(129),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "request id reused with another payload",
                code: Code::InvalidArgument,
                expect: Expect::Reason("REQUEST_ID_REUSED"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        quantity: 2,
                        ..keyed.clone()
                    },
                ),
            },
            Case {
                name: "negative expected version",
                code: Code::InvalidArgument,
                expect: Expect::Field("expected_version"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        expected_version: Some(-1),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "stale expected version",
                code: Code::Aborted,
                expect: Expect::Reason("CONCURRENT_MODIFICATION"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        expected_version: Some(1),
                        ..add_tee_request("s1", 1)
                    },
                ),
            },
            Case {
                name: "over stock",
                code: Code::FailedPrecondition,
                expect: Expect::Reason("OUT_OF_STOCK"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        variant_id: "var-classic-tee-l".into(),
                        ..add_tee_request("s1", 4)
                    },
                ),
            },
            Case {
                name: "malformed item id",
                code: Code::InvalidArgument,
                expect: Expect::Field("item_id"),
                call: updating(
                    &c,
                    update_item_request(shopper("s1"), "../../etc/passwd", 1),
                ),
            },
            Case {
                name: "another cart's item",
                code: Code::NotFound,
                expect: Expect::Reason("ITEM_NOT_FOUND"),
                call: updating(&c, update_item_request(shopper("s1"), &their_item, 5)),
            },
            Case {
                name: "update quantity -1",
                code: Code::InvalidArgument,
                expect: Expect::Field("quantity"),
                call: updating(&c, update_item_request(shopper("s1"), &my_item, -1)),
            },
            Case {
                name: "e-mail without @",
                code: Code::InvalidArgument,
                expect: Expect::Field("email"),
                call: setting_email(&c, "ada.example.com"),
            },
            Case {
                name: "e-mail with a header injection",
                code: Code::InvalidArgument,
                expect: Expect::Field("email"),
                call: setting_email(&c, "ada@example.com\r\nBcc: all@example.com"),
            },
            Case {
                name: "e-mail of 255 characters",
                code: Code::InvalidArgument,
                expect: Expect::Field("email"),
                call: setting_email(&c, &format!("{}@example.com", long(243))),
            },
            Case {
                name: "unknown merge strategy",
                code: Code::InvalidArgument,
                expect: Expect::Field("strategy"),
                call: {
                    let mut c = c.clone();
                    let request = pb::MergeGuestCartRequest {
                        strategy: 99,
                        ..merge_guest_cart_request(
                            customer("s1", "cust-1"),
                            "",
                            MergeStrategy::Unspecified,
                        )
                    };
                    Box::pin(async move { c.merge_guest_cart(request).await.map(drop) })
                },
            },
            Case {
                name: "merge without a customer",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.customer_id"),
                call: {
                    let mut c = c.clone();
                    let request =
                        merge_guest_cart_request(shopper("s1"), "", MergeStrategy::Unspecified);
                    Box::pin(async move { c.merge_guest_cart(request).await.map(drop) })
                },
            },
            Case {
                name: "complete with a malformed cart id and no order",
                code: Code::InvalidArgument,
                expect: Expect::Field("order_id"),
                call: {
                    let mut c = app.admin_client();
                    let request = complete_cart_request("1 OR 1=1", "");
                    Box::pin(async move { c.complete_cart(request).await.map(drop) })
                },
            },
            Case {
                name: "events page size 501 and a forged token",
                code: Code::InvalidArgument,
                expect: Expect::Field("page_token"),
                call: {
                    let mut c = app.admin_client();
                    let cart_id = my_cart.clone();
                    Box::pin(async move {
                        c.list_cart_events(pb::ListCartEventsRequest {
                            cart_id,
                            page_size: 501,
                            page_token: "zz".into(),
                        })
                        .await
                        .map(drop)
                    })
                },
            },
        ];

        let before = app.stored().await;
        for case in cases {
            let result = case.call.await;
            let status = match result {
                Ok(()) => panic!("{}: accepted", case.name),
                Err(status) => status,
            };
            assert_eq!(status.code(), case.code, "{}: {status:?}", case.name);
            let details = tonic_types::StatusExt::get_error_details(&status);
            match case.expect {
                Expect::Field(field) => assert!(
                    bad_fields(&details).iter().any(|f| f == field),
                    "{}: BadRequest does not name {field}: {status:?}",
                    case.name
                ),
                Expect::Reason(wanted) => {
                    assert_eq!(reason(&details), wanted, "{}", case.name)
                }
                Expect::Code => {}
            }
            assert_eq!(
                app.stored().await,
                before,
                "{}: the refused call changed stored data",
                case.name
            );
        }
    }
);
