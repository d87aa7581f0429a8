//! RecoverCart and UnsubscribeRecovery with bad tokens and bad requests:
//! the right code and reason, and nothing changed.

use cart_client::proto::{self as pb, ErrorReason, RecoveryOutcome};
use cart_service::domain::ids::CartId;
use cart_service::recovery::token::{Claim, Signer};
use chrono::Duration;
use tonic::Code;

use crate::db_test;
use crate::recovery::*;
use crate::support::*;

fn claim(cart: &pb::Cart, expires_at: chrono::DateTime<chrono::Utc>) -> Claim {
    Claim::Recover {
        cart_id: CartId::parse(&cart.id).expect("id"),
        expires_at,
    }
}

db_test!(
    forged_expired_and_foreign_tokens_are_refused_and_change_nothing,
    |backend: Backend| {
        let url = format!("smtp://{}", free_addr());
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        let cart = abandoned_cart(&app, "left", "ada@example.com").await;
        let now = app.clock_now();
        let forger = Signer::new(vec![(
            "k2".into(),
            "not the service's secret but 32+ chars".into(),
        )])
        .expect("key");
        let unknown_key = Signer::new(vec![(
            "k9".into(),
            "a key the service never had, 32+ chars".into(),
        )])
        .expect("key");
        let unsubscribe = previous_key_signer().sign(&Claim::Unsubscribe {
            address_hash: "x".into(),
        });
        let cases = [
            (
                forger.sign(&claim(&cart, now + Duration::days(7))),
                ErrorReason::RecoveryTokenInvalid,
            ),
            (
                unknown_key.sign(&claim(&cart, now + Duration::days(7))),
                ErrorReason::RecoveryTokenInvalid,
            ),
            (unsubscribe, ErrorReason::RecoveryTokenInvalid),
            ("not-a-token".to_owned(), ErrorReason::RecoveryTokenInvalid),
            (
                previous_key_signer().sign(&claim(&cart, now - Duration::seconds(1))),
                ErrorReason::RecoveryTokenExpired,
            ),
        ];
        for (token, reason) in cases {
            let (error, details) = expect_code(
                recover(&app, shopper("thief"), &token).await,
                Code::InvalidArgument,
            );
            assert_eq!(error.reason(), reason, "{token}");
            assert_eq!(bad_fields(&details), ["token"]);
        }
        // A genuine token for a cart that is gone.
        let gone = previous_key_signer().sign(&Claim::Recover {
            cart_id: CartId::new(),
            expires_at: now + Duration::days(1),
        });
        let (error, _) = expect_code(recover(&app, shopper("thief"), &gone).await, Code::NotFound);
        assert_eq!(error.reason(), ErrorReason::CartNotFound);
        // Signed with the previous key, still configured: it works.
        let rotated = previous_key_signer().sign(&claim(&cart, now + Duration::days(1)));
        // A customer's cart is not for a guest.
        let theirs = app
            .add(customer("ada-laptop", "ada"), "var-classic-tee-m", 1)
            .await
            .expect("added");
        let customer_token = previous_key_signer().sign(&claim(&theirs, now + Duration::days(1)));
        let (error, _) = expect_code(
            recover(&app, shopper("thief"), &customer_token).await,
            Code::FailedPrecondition,
        );
        assert_eq!(error.reason(), ErrorReason::SignInRequired);
        // Nothing changed by any of it.
        assert_eq!(app.get(shopper("left")).await.version, cart.version);
        assert_eq!(app.get(shopper("thief")).await.id, "");
        let recovered = recover(&app, shopper("back"), &rotated)
            .await
            .expect("recovered");
        assert_eq!(recovered.outcome(), RecoveryOutcome::TakenOver);
    }
);

db_test!(
    an_expired_or_completed_cart_cannot_be_recovered,
    |backend: Backend| {
        let url = format!("smtp://{}", free_addr());
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        let expiring = abandoned_cart(&app, "a", "a@example.com").await;
        let ordered = abandoned_cart(&app, "b", "b@example.com").await;
        app.complete(&ordered.id, "order-9")
            .await
            .expect("completed");
        let now = app.clock_now();
        let signer = previous_key_signer();
        let (error, _) = expect_code(
            recover(
                &app,
                shopper("c"),
                &signer.sign(&claim(&ordered, now + Duration::days(60))),
            )
            .await,
            Code::FailedPrecondition,
        );
        assert_eq!(error.reason(), ErrorReason::CartNotActive);
        assert_eq!(error.metadata("status"), Some("completed"));
        app.clock.advance(Duration::days(31));
        let token = signer.sign(&claim(&expiring, app.clock_now() + Duration::days(1)));
        let (error, _) = expect_code(
            recover(&app, shopper("c"), &token).await,
            Code::FailedPrecondition,
        );
        assert_eq!(error.reason(), ErrorReason::CartExpired);
    }
);

db_test!(
    bad_recovery_requests_name_their_fields,
    |backend: Backend| {
        let url = format!("smtp://{}", free_addr());
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        use pb::recover_cart_request::Source;
        let mut bad_device = shopper("s").expect("shopper");
        bad_device
            .device
            .insert("favourite_colour".into(), "blue".into());
        bad_device
            .device
            .insert("user_agent".into(), "x".repeat(600));
        let cases = [
            (
                Some(bad_device),
                Some(Source::ByDevice(true)),
                vec![
                    "shopper.device[favourite_colour]",
                    "shopper.device[user_agent]",
                ],
            ),
            (
                shopper("s"),
                Some(Source::ByDevice(true)),
                vec!["shopper.device"],
            ),
            (shopper("s"), Some(Source::ByDevice(false)), vec!["source"]),
            (shopper("s"), None, vec!["source"]),
            (
                shopper("s"),
                Some(Source::Token(String::new())),
                vec!["token"],
            ),
            (None, Some(Source::Token("t".into())), vec!["shopper"]),
        ];
        for (who, source, fields) in cases {
            let request = pb::RecoverCartRequest {
                shopper: who,
                source,
                ..Default::default()
            };
            let (error, details) =
                expect_code(app.cart.recover_cart(request).await, Code::InvalidArgument);
            assert_eq!(error.reason(), ErrorReason::InvalidField);
            let mut got = bad_fields(&details);
            got.sort();
            assert_eq!(got, fields);
        }
        let (error, _) = expect_code(
            app.cart
                .unsubscribe_recovery(pb::UnsubscribeRecoveryRequest {
                    token: "forged".into(),
                })
                .await,
            Code::InvalidArgument,
        );
        assert_eq!(error.reason(), ErrorReason::RecoveryTokenInvalid);
    }
);

db_test!(without_keys_recovery_is_disabled, |app| {
    let (error, _) = expect_code(
        recover(&app, shopper("s"), "k1.e30.sig").await,
        Code::FailedPrecondition,
    );
    assert_eq!(error.reason(), ErrorReason::RecoveryDisabled);
    assert!(app.recovery.is_none());
});
