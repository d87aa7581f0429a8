//! Shared carts: a link that shows a cart without personal data and lets
//! another shopper copy it, until revoked or expired.

use cart_client::proto::{self as pb, ErrorReason};
use cart_service::domain::ids::VariantId;
use prost::Message;
use rust_decimal::Decimal;
use tonic::Code;

use crate::db_test;
use crate::support::*;

fn create(who: Option<pb::Shopper>, ttl_secs: Option<i64>) -> pb::CreateCartShareRequest {
    pb::CreateCartShareRequest {
        shopper: who,
        ttl: ttl_secs.map(|seconds| prost_types::Duration { seconds, nanos: 0 }),
    }
}

fn get(token: &str) -> pb::GetSharedCartRequest {
    pb::GetSharedCartRequest {
        token: token.into(),
    }
}

fn copy(who: Option<pb::Shopper>, token: &str) -> pb::CopySharedCartRequest {
    pb::CopySharedCartRequest {
        shopper: who,
        token: token.into(),
        ..Default::default()
    }
}

/// Ada's cart (two tees M with a gift note, three L) and a share of it.
async fn shared(app: &TestApp, ttl_secs: Option<i64>) -> (pb::Cart, pb::CartShare) {
    let ada = customer("laptop", "ada");
    let mut note = add_item_request(ada.clone(), "prod-classic-tee", "var-classic-tee-m", 2);
    note.metadata = Some(prost_types::Struct {
        fields: [(
            "gift_message".to_owned(),
            prost_types::Value {
                kind: Some(prost_types::value::Kind::StringValue("Love, Ada".into())),
            },
        )]
        .into(),
    });
    app.add_request(note).await.expect("added");
    app.set_email(ada.clone(), "ada@example.com")
        .await
        .expect("email");
    let cart = app.add(ada.clone(), "var-classic-tee-l", 3).await.unwrap();
    let share = app
        .cart
        .create_cart_share(create(ada, ttl_secs))
        .await
        .expect("shared")
        .share
        .expect("share");
    (cart, share)
}

db_test!(a_shared_cart_shows_its_lines_and_nothing_personal, |app| {
    let (cart, share) = shared(&app, None).await;
    assert_eq!(share.token.len(), 43);
    assert!(share.expire_time.is_none());
    let seen = app
        .cart
        .get_shared_cart(get(&share.token))
        .await
        .expect("read")
        .cart
        .expect("cart");
    assert_eq!(seen.items.len(), 2);
    assert_eq!(amount(&seen.summary.as_ref().unwrap().total), "99.95");
    assert!(
        seen.items.iter().all(|i| i.metadata.is_none()),
        "no metadata"
    );
    assert!(
        seen.items
            .iter()
            .all(|i| i.add_time.is_none() && i.update_time.is_none()),
        "no times of the owner's changes"
    );
    // Nothing of the owner anywhere in the bytes sent.
    let bytes = seen.encode_to_vec();
    for personal in [
        cart.id.as_str(),
        "laptop",
        "ada",
        "ada@example.com",
        "Love, Ada",
    ] {
        let needle = personal.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{personal} leaked"
        );
    }
    // Only the token's SHA-256 is stored.
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(share.token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sql = format!("SELECT COUNT(*) AS n FROM cart_shares WHERE token_hash = '{hash}'");
    assert_eq!(app.count(&sql).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM cart_shares").await, 1);
    let kinds: Vec<String> = app
        .events(&cart.id)
        .await
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(kinds.last().map(String::as_str), Some("share_created"));
    assert_eq!(
        app.get(customer("laptop", "ada")).await.version,
        cart.version
    );
});

db_test!(a_shared_cart_is_copied_with_the_merge_clamps, |app| {
    let (_, share) = shared(&app, Some(3600)).await;
    let bob = shopper("bob-phone");
    // Bob already holds two of the three Large tees in stock.
    app.add(bob.clone(), "var-classic-tee-l", 2).await.unwrap();
    app.catalog
        .update(&VariantId::parse("var-classic-tee-m").unwrap(), |v| {
            v.price.amount = Decimal::new(1799, 2);
        });
    let copied = app
        .cart
        .copy_shared_cart(copy(bob.clone(), &share.token))
        .await
        .expect("copied");
    let cart = copied.cart.expect("cart");
    let quantity = |v: &str| {
        cart.items
            .iter()
            .find(|i| i.variant_id == v)
            .map(|i| i.quantity)
    };
    assert_eq!(quantity("var-classic-tee-l"), Some(3), "clamped to stock");
    assert_eq!(quantity("var-classic-tee-m"), Some(2));
    assert!(
        cart.items.iter().all(|i| i.metadata.is_none()),
        "no gift note"
    );
    let kinds: Vec<pb::CartAdjustmentType> =
        copied.adjustments.iter().map(|a| a.r#type()).collect();
    assert!(
        kinds.contains(&pb::CartAdjustmentType::QuantityClamped),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&pb::CartAdjustmentType::PriceUpdated),
        "{kinds:?}"
    );
    assert_eq!(
        copied.notice,
        "Prices are today's prices; 1 changed since they went into the shared cart."
    );
    // The owner copying their own cart is refused.
    let (error, _) = expect_code(
        app.cart
            .copy_shared_cart(copy(customer("tablet", "ada"), &share.token))
            .await,
        Code::FailedPrecondition,
    );
    assert_eq!(error.reason(), ErrorReason::ShareOfOwnCart);
});

db_test!(a_revoked_or_expired_share_is_not_found, |app| {
    let (_, share) = shared(&app, Some(3600)).await;
    let (_, other) = {
        let c = app.add(shopper("s9"), "var-socks-3pack", 1).await.unwrap();
        let s = app
            .cart
            .create_cart_share(create(shopper("s9"), None))
            .await
            .unwrap()
            .share
            .unwrap();
        (c, s)
    };
    // Only the owner revokes.
    let revoke = |who, id: &str| pb::RevokeCartShareRequest {
        shopper: who,
        share_id: id.into(),
    };
    let (error, _) = expect_code(
        app.cart
            .revoke_cart_share(revoke(shopper("intruder"), &other.share_id))
            .await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ShareNotFound);
    app.cart
        .get_shared_cart(get(&other.token))
        .await
        .expect("still works");
    for _ in 0..2 {
        app.cart
            .revoke_cart_share(revoke(shopper("s9"), &other.share_id))
            .await
            .expect("revoked, twice");
    }
    let revoked = "SELECT COUNT(*) AS n FROM cart_events WHERE event_type = 'share_revoked'";
    assert_eq!(app.count(revoked).await, 1, "recorded once");
    app.clock.advance(chrono::Duration::seconds(3600));
    for token in [&other.token, &share.token] {
        let (error, _) = expect_code(app.cart.get_shared_cart(get(token)).await, Code::NotFound);
        assert_eq!(error.reason(), ErrorReason::ShareNotFound);
        let (error, _) = expect_code(
            app.cart.copy_shared_cart(copy(shopper("bob"), token)).await,
            Code::NotFound,
        );
        assert_eq!(error.reason(), ErrorReason::ShareNotFound);
    }
    assert!(app.get(shopper("bob")).await.id.is_empty(), "no cart made");
});

db_test!(bad_share_requests_change_nothing, |app| {
    let (_, details) = expect_code(
        app.cart.get_shared_cart(get("short")).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["token"]);
    let (_, details) = expect_code(
        app.cart
            .create_cart_share(create(shopper("s1"), Some(10)))
            .await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["ttl"]);
    let (error, _) = expect_code(
        app.cart
            .create_cart_share(create(shopper("s1"), None))
            .await,
        Code::FailedPrecondition,
    );
    assert_eq!(error.reason(), ErrorReason::CartEmpty);
    let (_, details) = expect_code(
        app.cart
            .revoke_cart_share(pb::RevokeCartShareRequest {
                shopper: shopper("s1"),
                share_id: "nope".into(),
            })
            .await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["share_id"]);
    let (_, details) = expect_code(
        app.cart.copy_shared_cart(copy(None, "short")).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["shopper", "token"]);
    let unknown = "A".repeat(43);
    let (error, _) = expect_code(
        app.cart.get_shared_cart(get(&unknown)).await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ShareNotFound);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM cart_shares").await, 0);
});

db_test!(
    a_share_copied_while_its_owner_edits_copies_a_committed_cart,
    |app| {
        let owner = shopper("owner");
        app.add(owner.clone(), "var-socks-3pack", 1).await.unwrap();
        let share = app
            .cart
            .create_cart_share(create(owner.clone(), None))
            .await
            .unwrap()
            .share
            .unwrap();
        let edits = async {
            for _ in 0..10 {
                app.add(owner.clone(), "var-socks-3pack", 1)
                    .await
                    .expect("owner adds");
                app.add(owner.clone(), "var-notebook-a5", 1)
                    .await
                    .expect("owner adds");
            }
        };
        let copies = futures::future::join_all((0..10).map(|n| {
            let who = shopper(&format!("copier-{n}"));
            let request = copy(who, &share.token);
            async { app.cart.copy_shared_cart(request).await }
        }));
        let ((), copied) = tokio::join!(edits, copies);
        for result in copied {
            let cart = result.expect("every copy succeeds").cart.unwrap();
            let q = |v: &str| {
                cart.items
                    .iter()
                    .find(|i| i.variant_id == v)
                    .map_or(0, |i| i.quantity)
            };
            let (socks, notebooks) = (q("var-socks-3pack"), q("var-notebook-a5"));
            // A state the owner's cart was in: n socks adds and n or n-1
            // notebook adds (the owner adds socks first).
            assert!((1..=11).contains(&socks), "{socks}");
            assert!(
                notebooks == socks - 1 || notebooks + 2 == socks,
                "{socks} {notebooks}"
            );
        }
        let owned = app.get(owner).await;
        assert_eq!(
            owned.items.iter().map(|i| i.quantity).sum::<i32>(),
            21,
            "owner unaffected"
        );
    }
);

db_test!(
    a_share_ends_with_its_cart_and_an_emptied_cart_copies_nothing,
    |app| {
        let owner = shopper("owner");
        let cart = app.add(owner.clone(), "var-socks-3pack", 1).await.unwrap();
        let share = app
            .cart
            .create_cart_share(create(owner.clone(), None))
            .await
            .unwrap()
            .share
            .unwrap();
        app.cart
            .clear_cart(pb::ClearCartRequest {
                shopper: owner.clone(),
                ..Default::default()
            })
            .await
            .expect("cleared");
        let (error, _) = expect_code(
            app.cart
                .copy_shared_cart(copy(shopper("bob"), &share.token))
                .await,
            Code::FailedPrecondition,
        );
        assert_eq!(error.reason(), ErrorReason::CartEmpty);
        assert!(app.get(shopper("bob")).await.id.is_empty(), "no cart made");
        app.add(owner.clone(), "var-socks-3pack", 1).await.unwrap();
        app.complete(&cart.id, "order-7").await.expect("completed");
        let (error, _) = expect_code(
            app.cart.get_shared_cart(get(&share.token)).await,
            Code::NotFound,
        );
        assert_eq!(error.reason(), ErrorReason::ShareNotFound);
    }
);

db_test!(a_copy_names_the_lines_of_the_copiers_cart, |app| {
    let owner = shopper("owner");
    app.add(owner.clone(), "var-socks-3pack", 1).await.unwrap();
    let share = app
        .cart
        .create_cart_share(create(owner.clone(), None))
        .await
        .unwrap()
        .share
        .unwrap();
    app.catalog
        .update(&VariantId::parse("var-socks-3pack").unwrap(), |v| {
            v.price.amount = Decimal::new(2300, 2);
        });
    let copied = app
        .cart
        .copy_shared_cart(copy(shopper("bob"), &share.token))
        .await
        .expect("copied");
    let cart = copied.cart.unwrap();
    let repriced = &copied.adjustments[0];
    assert_eq!(repriced.r#type(), pb::CartAdjustmentType::PriceUpdated);
    assert_eq!(repriced.item_id, cart.items[0].id, "the copier's line");
});

db_test!(a_carts_shares_are_listed_without_their_tokens, |app| {
    let owner = shopper("owner");
    app.add(owner.clone(), "var-socks-3pack", 1).await.unwrap();
    let mut made = Vec::new();
    for ttl in [None, Some(3600)] {
        let share = app
            .cart
            .create_cart_share(create(owner.clone(), ttl))
            .await
            .unwrap()
            .share
            .unwrap();
        made.push(share);
        // Made at distinct times, so "newest first" is a real order.
        app.clock.advance(chrono::Duration::seconds(1));
    }
    app.cart
        .revoke_cart_share(pb::RevokeCartShareRequest {
            shopper: owner.clone(),
            share_id: made[0].share_id.clone(),
        })
        .await
        .expect("revoked");
    let list = |who| pb::ListCartSharesRequest { shopper: who };
    let listed = app.cart.list_cart_shares(list(owner)).await.unwrap().shares;
    let ids: Vec<&str> = listed.iter().map(|s| s.share_id.as_str()).collect();
    assert_eq!(
        ids,
        [made[1].share_id.as_str(), made[0].share_id.as_str()],
        "newest first"
    );
    assert!(listed.iter().all(|s| s.token.is_empty()), "no tokens");
    assert!(listed[1].revoke_time.is_some() && listed[0].revoke_time.is_none());
    assert!(listed[0].expire_time.is_some());
    let theirs = app
        .cart
        .list_cart_shares(list(shopper("bob")))
        .await
        .unwrap();
    assert!(theirs.shares.is_empty());
});
