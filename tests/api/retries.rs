use crate::db_test;
use crate::support::*;
use cart_client::proto as pb;
use cart_service::domain::ids::VariantId;
use prost::Message;
use tonic::Code;

async fn add_raw(
    app: &TestApp,
    request: pb::AddItemRequest,
) -> Result<pb::AddItemResponse, tonic::Status> {
    Ok(app.client.clone().add_item(request).await?.into_inner())
}

db_test!(
    a_hundred_retries_of_one_request_id_apply_once_with_byte_identical_responses,
    |app| {
        let request = pb::AddItemRequest {
            request_id: "req-1".into(),
            ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 3)
        };
        let first = add_raw(&app, request.clone()).await.expect("first");
        let retries =
            futures::future::join_all((0..100).map(|_| add_raw(&app, request.clone()))).await;
        for retry in retries {
            let retry = retry.expect("a retry succeeds");
            assert_eq!(
                retry.encode_to_vec(),
                first.encode_to_vec(),
                "replayed byte for byte"
            );
        }
        let cart = app.get(shopper("s1")).await;
        assert_eq!(cart.items[0].quantity, 3);
        assert_eq!(cart.version, 1);
    }
);

db_test!(concurrent_first_uses_of_one_request_id_apply_once, |app| {
    let request = pb::AddItemRequest {
        request_id: "req-race".into(),
        ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 2)
    };
    let calls = futures::future::join_all((0..20).map(|_| add_raw(&app, request.clone()))).await;
    // Each caller gets the response, or ABORTED while another runs; retried,
    // the aborted ones get the same response.
    let mut bodies = Vec::new();
    for call in calls {
        let body = match call {
            Ok(body) => body,
            Err(status) => {
                assert_eq!(status.code(), Code::Aborted, "{status:?}");
                assert_eq!(
                    reason(&tonic_types::StatusExt::get_error_details(&status)),
                    "REQUEST_IN_PROGRESS"
                );
                add_raw(&app, request.clone())
                    .await
                    .expect("the retry replays")
            }
        };
        bodies.push(body.encode_to_vec());
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every caller sees the one response"
    );
    assert_eq!(app.get(shopper("s1")).await.items[0].quantity, 2);
});

db_test!(
    a_retry_while_the_first_call_runs_is_aborted_and_safe_to_retry,
    |settings| {
        settings.catalog.timeout_ms = 10_000;
    },
    |app| {
        // The first call waits on a slow catalog.
        app.set_catalog_faults(Faults {
            delay: std::time::Duration::from_millis(1000),
            ..Default::default()
        });
        let request = pb::AddItemRequest {
            request_id: "req-slow".into(),
            ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 2)
        };
        let mut client = app.client.clone();
        let first_request = request.clone();
        let first = tokio::spawn(async move { client.add_item(first_request).await });
        app.wait_until_catalog_served(1).await;
        let before = app.stored().await;
        let (status, details) = expect_code(add_raw(&app, request.clone()).await, Code::Aborted);
        assert_eq!(reason(&details), "REQUEST_IN_PROGRESS", "{status:?}");
        assert!(details.retry_info().is_some());
        assert_eq!(app.stored().await, before, "the duplicate changed data");
        let first = first
            .await
            .expect("task")
            .expect("the first call succeeds")
            .into_inner();
        app.set_catalog_faults(Faults::default());
        let retry = add_raw(&app, request).await.expect("the retry replays");
        assert_eq!(retry.encode_to_vec(), first.encode_to_vec());
        let cart = app.get(shopper("s1")).await;
        assert_eq!((cart.items[0].quantity, cart.version), (2, 1));
    }
);

/// PostgreSQL: a keyed write running on another replica holds its request id
/// for its transaction (an advisory lock); a duplicate here is ABORTED
/// instead of waiting for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_id_running_on_another_replica_is_aborted() {
    use cart_service::storage::idempotency::lock_key;
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let Some(app) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    let request = pb::AddItemRequest {
        request_id: "req-elsewhere".into(),
        ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
    };
    // What the other replica's transaction holds while it runs.
    let other_replica = app.db.begin().await.expect("begin");
    other_replica
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [lock_key("shopper:s1:", "req-elsewhere").into()],
        ))
        .await
        .expect("lock");
    let (_, details) = expect_code(add_raw(&app, request.clone()).await, Code::Aborted);
    assert_eq!(reason(&details), "REQUEST_IN_PROGRESS");
    assert!(app.stored().await.carts.is_empty());
    other_replica.rollback().await.expect("release");
    add_raw(&app, request).await.expect("applies once released");
    assert_eq!(app.get(shopper("s1")).await.items[0].quantity, 1);
}

db_test!(
    a_request_id_reused_for_another_request_is_refused_and_changes_nothing,
    |app| {
        let first = pb::AddItemRequest {
            request_id: "req-1".into(),
            ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
        };
        add_raw(&app, first.clone()).await.expect("first");
        let before = app.stored().await;
        let other = pb::AddItemRequest {
            quantity: 2,
            ..first
        };
        let (_, details) = expect_code(add_raw(&app, other).await, Code::InvalidArgument);
        assert_eq!(reason(&details), "REQUEST_ID_REUSED");
        assert_eq!(bad_fields(&details), ["request_id"]);
        let request = pb::SetEmailRequest {
            request_id: "req-1".into(),
            ..set_email_request(shopper("s1"), "ada@example.com")
        };
        let set_email = app.client.clone().set_email(request).await;
        let (_, details) = expect_code(set_email, Code::InvalidArgument);
        assert_eq!(
            reason(&details),
            "REQUEST_ID_REUSED",
            "another RPC is another request"
        );
        assert_eq!(app.stored().await, before);
    }
);

db_test!(request_ids_are_scoped_to_the_shopper, |app| {
    let mine = pb::AddItemRequest {
        request_id: "same".into(),
        ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
    };
    add_raw(&app, mine.clone()).await.expect("s1");
    let same_key = pb::AddItemRequest {
        shopper: shopper("s2"),
        ..mine
    };
    let theirs = add_raw(&app, same_key).await.expect("s2");
    let cart = theirs.cart.unwrap();
    assert_eq!(
        cart.session_id, "s2",
        "never another shopper's remembered cart"
    );
    assert_eq!(app.stored().await.carts.len(), 2);
});

db_test!(a_failed_call_can_be_retried_with_its_request_id, |app| {
    let request = pb::AddItemRequest {
        request_id: "req-stock".into(),
        ..add_item_request(shopper("s1"), "prod-classic-tee", "var-classic-tee-l", 5)
    };
    expect_code(
        add_raw(&app, request.clone()).await,
        Code::FailedPrecondition,
    );
    app.catalog
        .update(&VariantId::parse("var-classic-tee-l").unwrap(), |v| {
            v.inventory.available = 10
        });
    let done = add_raw(&app, request)
        .await
        .expect("succeeds once stock is back");
    assert_eq!(done.cart.unwrap().items[0].quantity, 5);
});

db_test!(a_request_id_is_forgotten_after_its_window, |app| {
    let request = pb::AddItemRequest {
        request_id: "req-old".into(),
        ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
    };
    add_raw(&app, request.clone()).await.expect("first");
    app.clock.advance(chrono::Duration::hours(25));
    add_raw(&app, request).await.expect("applies again");
    assert_eq!(app.get(shopper("s1")).await.items[0].quantity, 2);
});

db_test!(
    a_malformed_request_id_or_version_is_invalid_argument,
    |app| {
        let spaced = pb::AddItemRequest {
            request_id: "has space".into(),
            ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
        };
        let (_, details) = expect_code(add_raw(&app, spaced).await, Code::InvalidArgument);
        assert_eq!(bad_fields(&details), ["request_id"]);
        let request = pb::AddItemRequest {
            expected_version: Some(-1),
            ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
        };
        let (_, details) = expect_code(add_raw(&app, request).await, Code::InvalidArgument);
        assert_eq!(bad_fields(&details), ["expected_version"]);
        assert_eq!(app.stored().await.carts.len(), 0);
    }
);

db_test!(
    a_stale_expected_version_is_aborted_with_the_current_version,
    |app| {
        let mut request = pb::AddItemRequest {
            expected_version: Some(0),
            ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
        };
        add_raw(&app, request.clone())
            .await
            .expect("version 0: no cart yet");
        let before = app.stored().await;
        let (_, details) = expect_code(add_raw(&app, request.clone()).await, Code::Aborted);
        assert_eq!(reason(&details), "CONCURRENT_MODIFICATION");
        assert_eq!(
            details.error_info().unwrap().metadata["current_version"],
            "1"
        );
        assert_eq!(app.stored().await, before);
        request.expected_version = Some(1);
        let cart = add_raw(&app, request)
            .await
            .expect("current version")
            .cart
            .unwrap();
        assert_eq!((cart.version, cart.items[0].quantity), (2, 2));
        let stale = pb::UpdateItemRequest {
            expected_version: Some(1),
            ..update_item_request(shopper("s1"), &cart.items[0].id, 5)
        };
        let update = app.client.clone().update_item(stale).await;
        expect_code(update, Code::Aborted);
    }
);

db_test!(
    a_thousand_adds_from_fifty_tasks_end_with_exact_totals,
    |app| {
        // 10 shoppers × 100 single-unit adds (a line holds at most 100), from 50
        // concurrent tasks of 20 calls each.
        let tasks = (0..50).map(|task| {
            let app = &app;
            async move {
                for call in 0..20 {
                    let session = format!("s{}", (task * 20 + call) % 10);
                    app.add(shopper(&session), "var-gift-card-25", 1)
                        .await
                        .expect("add");
                }
            }
        });
        futures::future::join_all(tasks).await;
        for n in 0..10 {
            let cart = app.get(shopper(&format!("s{n}"))).await;
            assert_eq!(
                (cart.items[0].quantity, cart.version),
                (100, 100),
                "shopper s{n}"
            );
        }
    }
);

db_test!(
    keyed_adds_sent_twice_from_fifty_tasks_apply_once_each,
    |app| {
        // As a BFF sends them: every add with a request id of its own, and
        // every one sent a second time at once (a retry racing its first
        // try). 10 shoppers × 100 adds from 50 tasks: each add counts once.
        let tasks = (0..50).map(|task| {
            let app = &app;
            async move {
                for call in 0..20 {
                    let n = task * 20 + call;
                    let request = pb::AddItemRequest {
                        request_id: format!("add-{n}"),
                        ..add_item_request(
                            shopper(&format!("s{}", n % 10)),
                            "prod-gift-card",
                            "var-gift-card-25",
                            1,
                        )
                    };
                    let (a, b) = futures::join!(
                        add_raw(app, request.clone()),
                        add_raw(app, request.clone())
                    );
                    for sent in [a, b] {
                        let mut sent = sent;
                        // ABORTED while the other try runs: retried, it replays.
                        while let Err(status) = &sent {
                            assert_eq!(status.code(), Code::Aborted, "{status:?}");
                            sent = add_raw(app, request.clone()).await;
                        }
                    }
                }
            }
        });
        futures::future::join_all(tasks).await;
        for n in 0..10 {
            let cart = app.get(shopper(&format!("s{n}"))).await;
            assert_eq!(
                (cart.items[0].quantity, cart.version),
                (100, 100),
                "shopper s{n}"
            );
        }
    }
);

db_test!(
    a_retry_of_a_versioned_write_replays_though_the_version_moved,
    |app| {
        let request = pb::AddItemRequest {
            request_id: "req-v0".into(),
            expected_version: Some(0),
            ..add_item_request(shopper("s1"), "prod-gift-card", "var-gift-card-25", 1)
        };
        let first = add_raw(&app, request.clone()).await.expect("first");
        let retry = add_raw(&app, request).await.expect("the retry replays");
        assert_eq!(retry.encode_to_vec(), first.encode_to_vec());
        let cart = app.get(shopper("s1")).await;
        assert_eq!((cart.items[0].quantity, cart.version), (1, 1));
    }
);
