//! One table of every hostile input class: each gets its code and its
//! detail (BadRequest field or ErrorInfo reason), and none changes a stored
//! row or event.

use futures::future::BoxFuture;
use prost_types::value::Kind;

use crate::db_test;
use crate::helpers::*;
use cart_service::proto::shop::cart::v1 as pb;
use cart_service::proto::shop::cart::v1::cart_service_client::CartServiceClient;
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

fn add(session: &str, product: &str, variant: &str, quantity: i32) -> pb::AddItemRequest {
    pb::AddItemRequest {
        shopper: shopper(session),
        product_id: product.into(),
        variant_id: variant.into(),
        quantity,
        ..Default::default()
    }
}

fn tee(quantity: i32) -> pb::AddItemRequest {
    add("s1", "prod-classic-tee", "var-classic-tee-m", quantity)
}

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

fn setting_email(client: &Client, email: String) -> BoxFuture<'static, Result<(), Status>> {
    let mut client = client.clone();
    Box::pin(async move {
        client
            .set_email(pb::SetEmailRequest {
                shopper: shopper("s1"),
                email,
                ..Default::default()
            })
            .await
            .map(drop)
    })
}

fn deep_metadata(levels: usize) -> prost_types::Struct {
    let mut json = serde_json::json!(1);
    for _ in 0..levels {
        json = serde_json::json!({ "a": json });
    }
    metadata(json)
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
        let mut keyed = tee(1);
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
                call: adding(&c, tee(0)),
            },
            Case {
                name: "quantity 101",
                code: Code::InvalidArgument,
                expect: Expect::Field("quantity"),
                call: adding(&c, tee(101)),
            },
            Case {
                name: "quantity i32::MIN",
                code: Code::InvalidArgument,
                expect: Expect::Field("quantity"),
                call: adding(&c, tee(i32::MIN)),
            },
            Case {
                name: "missing shopper",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        shopper: None,
                        ..tee(1)
                    },
                ),
            },
            Case {
                name: "session id of 129 characters",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.session_id"),
                call: adding(
                    &c,
                    add(&long(129), "prod-classic-tee", "var-classic-tee-m", 1),
                ),
            },
            Case {
                name: "session id with a newline",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.session_id"),
                call: adding(
                    &c,
                    add("s1\nX-Admin: 1", "prod-classic-tee", "var-classic-tee-m", 1),
                ),
            },
            Case {
                name: "customer id of 129 characters",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.customer_id"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        shopper: customer("s1", &long(129)),
                        ..tee(1)
                    },
                ),
            },
            Case {
                name: "non-ASCII variant id",
                code: Code::InvalidArgument,
                expect: Expect::Field("variant_id"),
                call: adding(&c, add("s1", "prod-classic-tee", "var-👕", 1)),
            },
            Case {
                name: "SQL in a variant id is only an unknown id",
                code: Code::NotFound,
                expect: Expect::Reason("VARIANT_NOT_FOUND"),
                call: adding(
                    &c,
                    add("s1", "prod-classic-tee", "x';DROP_TABLE_carts;--", 1),
                ),
            },
            Case {
                name: "unknown variant",
                code: Code::NotFound,
                expect: Expect::Reason("VARIANT_NOT_FOUND"),
                call: adding(&c, add("s1", "prod-classic-tee", "var-nope", 1)),
            },
            Case {
                name: "variant of another product",
                code: Code::NotFound,
                expect: Expect::Reason("VARIANT_NOT_FOUND"),
                call: adding(&c, add("s1", "prod-nope", "var-classic-tee-m", 1)),
            },
            Case {
                name: "metadata over 4 KiB",
                code: Code::InvalidArgument,
                expect: Expect::Field("metadata"),
                call: adding(
                    &c,
                    pb::AddItemRequest {
                        metadata: Some(metadata(serde_json::json!({ "note": long(5000) }))),
                        ..tee(1)
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
                        ..tee(1)
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
                        ..tee(1)
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
                        ..tee(1)
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
                        ..tee(1)
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
                        ..tee(1)
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
                        ..tee(1)
                    },
                ),
            },
            Case {
                name: "over stock",
                code: Code::FailedPrecondition,
                expect: Expect::Reason("OUT_OF_STOCK"),
                call: adding(&c, add("s1", "prod-classic-tee", "var-classic-tee-l", 4)),
            },
            Case {
                name: "malformed item id",
                code: Code::InvalidArgument,
                expect: Expect::Field("item_id"),
                call: updating(
                    &c,
                    pb::UpdateItemRequest {
                        shopper: shopper("s1"),
                        item_id: "../../etc/passwd".into(),
                        quantity: 1,
                        ..Default::default()
                    },
                ),
            },
            Case {
                name: "another cart's item",
                code: Code::NotFound,
                expect: Expect::Reason("ITEM_NOT_FOUND"),
                call: updating(
                    &c,
                    pb::UpdateItemRequest {
                        shopper: shopper("s1"),
                        item_id: their_item.clone(),
                        quantity: 5,
                        ..Default::default()
                    },
                ),
            },
            Case {
                name: "update quantity -1",
                code: Code::InvalidArgument,
                expect: Expect::Field("quantity"),
                call: updating(
                    &c,
                    pb::UpdateItemRequest {
                        shopper: shopper("s1"),
                        item_id: my_item.clone(),
                        quantity: -1,
                        ..Default::default()
                    },
                ),
            },
            Case {
                name: "e-mail without @",
                code: Code::InvalidArgument,
                expect: Expect::Field("email"),
                call: setting_email(&c, "ada.example.com".into()),
            },
            Case {
                name: "e-mail with a header injection",
                code: Code::InvalidArgument,
                expect: Expect::Field("email"),
                call: setting_email(&c, "ada@example.com\r\nBcc: all@example.com".into()),
            },
            Case {
                name: "e-mail of 255 characters",
                code: Code::InvalidArgument,
                expect: Expect::Field("email"),
                call: setting_email(&c, format!("{}@example.com", long(243))),
            },
            Case {
                name: "unknown merge strategy",
                code: Code::InvalidArgument,
                expect: Expect::Field("strategy"),
                call: {
                    let mut c = c.clone();
                    Box::pin(async move {
                        c.merge_guest_cart(pb::MergeGuestCartRequest {
                            shopper: customer("s1", "cust-1"),
                            strategy: 99,
                            ..Default::default()
                        })
                        .await
                        .map(drop)
                    })
                },
            },
            Case {
                name: "merge without a customer",
                code: Code::InvalidArgument,
                expect: Expect::Field("shopper.customer_id"),
                call: {
                    let mut c = c.clone();
                    Box::pin(async move {
                        c.merge_guest_cart(pb::MergeGuestCartRequest {
                            shopper: shopper("s1"),
                            ..Default::default()
                        })
                        .await
                        .map(drop)
                    })
                },
            },
            Case {
                name: "complete with a malformed cart id and no order",
                code: Code::InvalidArgument,
                expect: Expect::Field("order_id"),
                call: {
                    let mut c = c.clone();
                    Box::pin(async move {
                        c.complete_cart(pb::CompleteCartRequest {
                            cart_id: "1 OR 1=1".into(),
                            order_id: String::new(),
                            ..Default::default()
                        })
                        .await
                        .map(drop)
                    })
                },
            },
            Case {
                name: "events page size 501 and a forged token",
                code: Code::InvalidArgument,
                expect: Expect::Field("page_token"),
                call: {
                    let mut c = c.clone();
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
