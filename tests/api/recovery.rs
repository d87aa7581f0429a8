//! Abandoned-cart recovery end to end: the job finds abandoned carts and
//! mails them through a real SMTP server, the link in the e-mail recovers the
//! cart, unsubscribe stops the mail; the clock is moved, never slept.

use cart_client::CartError;
use cart_client::proto::{self as pb, ErrorReason, RecoveryOutcome};
use cart_service::config::Secret;
use cart_service::recovery::hash::Hasher;
use cart_service::recovery::token::{Claim, Signer};
use chrono::Duration;
use tonic::Code;

use crate::db_test;
use crate::support::*;

pub const SIGNING_KEYS: &str =
    "k2:the current signing secret of 32+ chars,k1:the previous signing secret of 32+ chars";
pub const HASH_KEY: &str = "the hash key of the tests: 32 characters or more";

/// Recovery configured against the SMTP server at `smtp` (not run in the
/// background: tests run the job themselves).
pub fn recovery_settings(settings: &mut cart_service::config::Settings, smtp: &str) {
    let r = &mut settings.recovery;
    r.signing_keys = Secret::new(SIGNING_KEYS);
    r.hash_key = Secret::new(HASH_KEY);
    r.smtp.url = Secret::new(smtp);
    r.smtp.timeout_secs = 5;
    r.link_base_url = "https://shop.example.com/cart/recover".into();
    r.unsubscribe_base_url = "https://shop.example.com/email/unsubscribe".into();
}

/// A signer with one of the configured keys (`k1`, the previous one).
pub fn previous_key_signer() -> Signer {
    Signer::new(vec![(
        "k1".into(),
        "the previous signing secret of 32+ chars".into(),
    )])
    .expect("key")
}

/// The `token` query parameter of the first link to `path` in `text`.
pub fn token_after(text: &str, path: &str) -> String {
    let start = text.find(path).expect("link present") + path.len();
    let rest = &text[start..];
    let rest = rest.strip_prefix("?token=").expect("token parameter");
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

pub async fn recover(
    app: &TestApp,
    who: Option<pb::Shopper>,
    token: &str,
) -> Result<pb::RecoverCartResponse, CartError> {
    app.cart
        .recover_cart(pb::RecoverCartRequest {
            shopper: who,
            source: Some(pb::recover_cart_request::Source::Token(token.into())),
            ..Default::default()
        })
        .await
}

/// A guest cart of `session` with 2 Classic Tees and an address.
pub async fn abandoned_cart(app: &TestApp, session: &str, email: &str) -> pb::Cart {
    app.add(shopper(session), "var-classic-tee-m", 2)
        .await
        .expect("added");
    app.set_email(shopper(session), email)
        .await
        .expect("email set")
}

/// Runs the recovery job once.
pub async fn run_recovery(app: &TestApp) -> cart_service::jobs::recovery::RecoveryReport {
    app.recovery
        .as_ref()
        .expect("recovery configured")
        .run_once()
        .await
        .expect("recovery run")
}

db_test!(
    an_abandoned_cart_gets_one_email_whose_link_recovers_it,
    |backend: Backend| {
        let smtp = SmtpServer::start();
        let url = smtp.url();
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        let cart = abandoned_cart(&app, "left", "ada@example.com").await;
        // Not idle long enough yet.
        app.clock.advance(Duration::hours(23));
        assert_eq!(run_recovery(&app).await.queued, 0);
        app.clock.advance(Duration::hours(2));
        let report = run_recovery(&app).await;
        assert_eq!((report.queued, report.sent), (1, 1), "{report:?}");
        let mails = smtp.take();
        assert_eq!(mails.len(), 1);
        let mail = &mails[0];
        assert_eq!(mail.to, vec!["ada@example.com".to_owned()]);
        assert_eq!(mail.subject, "You left 2 items in your cart");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("Classic Tee"), "{part}");
            assert!(part.contains("39.98 USD"), "{part}");
        }
        assert!(
            mail.text
                .contains("2 x Classic Tee (Medium), 19.99 USD each: 39.98 USD")
        );
        // HTML escaping writes `/` as `&#x2f;`, which browsers read as `/`.
        let html = mail.html.replace("&#x2f;", "/");
        assert!(html.contains(r#"<img src="https://images.example.com/classic-tee/main.jpg""#));
        assert!(html.contains(r#"<a href="https://shop.example.com/cart/recover?token="#));
        assert!(
            mail.message_id.ends_with("@example.com"),
            "{}",
            mail.message_id
        );
        assert!(
            mail.list_unsubscribe
                .starts_with("<https://shop.example.com/email/unsubscribe?token=")
        );
        assert_eq!(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
        // Within the resend window: nothing more.
        app.clock.advance(Duration::days(1));
        assert_eq!(run_recovery(&app).await, Default::default());
        assert!(smtp.take().is_empty());

        // The link, opened in a new session, brings the cart back.
        let token = token_after(&mail.text, "https://shop.example.com/cart/recover");
        let recovered = recover(&app, shopper("new-device"), &token)
            .await
            .expect("recovered");
        assert_eq!(recovered.outcome(), RecoveryOutcome::TakenOver);
        assert_eq!(recovered.recovered_cart_id, cart.id);
        let now_theirs = recovered.cart.expect("cart");
        assert_eq!(
            (now_theirs.id.as_str(), now_theirs.items.len()),
            (cart.id.as_str(), 1)
        );
        assert_eq!(app.get(shopper("new-device")).await.id, cart.id);
        assert_eq!(app.get(shopper("left")).await.items.len(), 0);
        // Again: nothing changes.
        let again = recover(&app, shopper("new-device"), &token)
            .await
            .expect("repeat");
        assert_eq!(again.outcome(), RecoveryOutcome::AlreadyRecovered);
        assert_eq!(again.cart.expect("cart").version, now_theirs.version);
        let events = app.list_events(&cart.id, 50, "").await.expect("events");
        let kinds: Vec<&str> = events.events.iter().map(|e| e.r#type.as_str()).collect();
        assert!(
            kinds.ends_with(&["recovery_email_queued", "recovery_email_sent", "recovered"]),
            "{kinds:?}"
        );
    }
);

db_test!(carts_not_to_mail_get_nothing, |backend: Backend| {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
        return;
    };
    // No address.
    app.add(shopper("anonymous"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    // An address and no lines.
    app.add(shopper("emptied"), "var-classic-tee-m", 1)
        .await
        .expect("added");
    app.set_email(shopper("emptied"), "empty@example.com")
        .await
        .expect("email");
    app.clear(shopper("emptied")).await.expect("cleared");
    // Ordered.
    let ordered = abandoned_cart(&app, "ordered", "buyer@example.com").await;
    app.complete(&ordered.id, "order-1")
        .await
        .expect("completed");
    // Unsubscribed (by the link of an earlier e-mail).
    abandoned_cart(&app, "unsubscribed", "Quiet@Example.com").await;
    let hasher = Hasher::new(HASH_KEY).expect("key");
    let token = previous_key_signer().sign(&Claim::Unsubscribe {
        address_hash: hasher.address("quiet@example.com"),
    });
    for _ in 0..2 {
        app.cart
            .unsubscribe_recovery(pb::UnsubscribeRecoveryRequest {
                token: token.clone(),
            })
            .await
            .expect("unsubscribed, and again");
    }
    // One that does get an e-mail.
    abandoned_cart(&app, "mailed", "mailed@example.com").await;
    app.clock.advance(Duration::days(2));
    let report = run_recovery(&app).await;
    assert_eq!(
        (report.queued, report.suppressed, report.sent),
        (1, 1, 1),
        "{report:?}"
    );
    let mails = smtp.take();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["mailed@example.com".to_owned()]);
    // The unsubscribed cart is not looked at again within the window.
    assert_eq!(run_recovery(&app).await, Default::default());
});

db_test!(
    smtp_down_loses_nothing_and_delivers_once_when_back,
    |backend: Backend| {
        let port = ReservedPort::new();
        let url = format!("smtp://{}", port.addr);
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        abandoned_cart(&app, "left", "ada@example.com").await;
        app.clock.advance(Duration::days(2));
        let down = run_recovery(&app).await;
        assert_eq!(
            (down.queued, down.sent, down.retried),
            (1, 0, 1),
            "{down:?}"
        );
        let smtp = SmtpServer::start_on_reserved(port);
        // Not due before its backoff (60 s).
        assert_eq!(run_recovery(&app).await, Default::default());
        app.clock.advance(Duration::seconds(61));
        let back = run_recovery(&app).await;
        assert_eq!((back.sent, back.retried), (1, 0), "{back:?}");
        assert_eq!(smtp.take().len(), 1);
        app.clock.advance(Duration::hours(2));
        assert_eq!(run_recovery(&app).await, Default::default());
        assert!(smtp.take().is_empty());
    }
);

db_test!(
    a_message_is_given_up_after_its_attempts,
    |backend: Backend| {
        // Held for the whole test: nothing else can take the port, and
        // nothing listens on it.
        let down = ReservedPort::new();
        let url = format!("smtp://{}", down.addr);
        let Some(app) = spawn_app_with(backend, |s| {
            recovery_settings(s, &url);
            s.recovery.max_attempts = 2;
        })
        .await
        else {
            return;
        };
        let cart = abandoned_cart(&app, "left", "ada@example.com").await;
        app.clock.advance(Duration::days(2));
        assert_eq!(run_recovery(&app).await.retried, 1);
        app.clock.advance(Duration::minutes(2));
        assert_eq!(run_recovery(&app).await.failed, 1);
        app.clock.advance(Duration::hours(2));
        assert_eq!(run_recovery(&app).await, Default::default());
        let events = app.list_events(&cart.id, 50, "").await.expect("events");
        let last = events.events.last().expect("events");
        assert_eq!(last.r#type, "recovery_email_failed");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_send_every_email_once() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let Some(app) = spawn_app_with(Backend::Postgres, |s| recovery_settings(s, &url)).await else {
        return;
    };
    for n in 0..12 {
        abandoned_cart(&app, &format!("s{n}"), &format!("shopper{n}@example.com")).await;
    }
    app.clock.advance(Duration::days(2));
    let replica = app.spawn_replica().await;
    let theirs = replica.recovery.as_ref().expect("configured");
    let ours = app.recovery.as_ref().expect("configured");
    let (a, b) = tokio::join!(ours.run_once(), theirs.run_once());
    let (a, b) = (a.expect("ours"), b.expect("theirs"));
    // Both may deliver; only one detects, and each message goes once.
    assert_eq!(a.queued + b.queued, 12, "{a:?} {b:?}");
    let (a2, b2) = tokio::join!(ours.run_once(), theirs.run_once());
    let sent = a.sent + b.sent + a2.expect("ours").sent + b2.expect("theirs").sent;
    assert_eq!(sent, 12);
    let mut to: Vec<String> = smtp.take().into_iter().flat_map(|m| m.to).collect();
    assert_eq!(to.len(), 12, "twelve messages in all: {to:?}");
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 12, "every address once: {to:?}");
    let _ = replica.stop.send(());
    replica.server.await.expect("replica stopped");
}

db_test!(
    a_signed_in_shopper_gets_the_recovered_lines_merged,
    |backend: Backend| {
        let smtp = SmtpServer::start();
        let url = smtp.url();
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        let left = abandoned_cart(&app, "left", "ada@example.com").await;
        app.add(customer("laptop", "ada"), "var-classic-tee-l", 1)
            .await
            .expect("customer's own cart");
        let token = previous_key_signer().sign(&Claim::Recover {
            cart_id: cart_service::domain::ids::CartId::parse(&left.id).expect("id"),
            expires_at: app.clock_now() + Duration::days(7),
        });
        let merged = recover(&app, customer("laptop", "ada"), &token)
            .await
            .expect("merged");
        assert_eq!(merged.outcome(), RecoveryOutcome::Merged);
        let cart = merged.cart.expect("cart");
        assert_eq!(cart.customer_id, "ada");
        let mut variants: Vec<&str> = cart.items.iter().map(|i| i.variant_id.as_str()).collect();
        variants.sort_unstable();
        assert_eq!(variants, ["var-classic-tee-l", "var-classic-tee-m"]);
        // Replayed by someone else after the merge: refused, nothing changed.
        let (error, _) = expect_code(
            recover(&app, shopper("other").clone(), &token).await,
            Code::FailedPrecondition,
        );
        assert_eq!(error.reason(), ErrorReason::CartNotActive);
        assert_eq!(error.metadata("status"), Some("merged"));
        assert_eq!(app.get(shopper("other")).await.items.len(), 0);
        // Replayed by the customer: already theirs.
        let again = recover(&app, customer("laptop", "ada"), &token)
            .await
            .expect("again");
        assert_eq!(again.outcome(), RecoveryOutcome::AlreadyRecovered);
    }
);

db_test!(
    an_unsubscribe_stops_a_message_already_queued,
    |backend: Backend| {
        let port = ReservedPort::new();
        let url = format!("smtp://{}", port.addr);
        let Some(app) = spawn_app_with(backend, |s| recovery_settings(s, &url)).await else {
            return;
        };
        abandoned_cart(&app, "left", "ada@example.com").await;
        app.clock.advance(Duration::days(2));
        assert_eq!(run_recovery(&app).await.retried, 1, "queued, relay down");
        let hasher = Hasher::new(HASH_KEY).expect("key");
        let token = previous_key_signer().sign(&Claim::Unsubscribe {
            address_hash: hasher.address("ada@example.com"),
        });
        app.cart
            .unsubscribe_recovery(pb::UnsubscribeRecoveryRequest { token })
            .await
            .expect("unsubscribed");
        let smtp = SmtpServer::start_on_reserved(port);
        app.clock.advance(Duration::minutes(2));
        let report = run_recovery(&app).await;
        assert_eq!((report.suppressed, report.sent), (1, 0), "{report:?}");
        assert!(smtp.take().is_empty());
    }
);
