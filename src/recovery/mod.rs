//! Abandoned-cart recovery's own parts: signed link tokens ([`token`]),
//! keyed hashes of addresses and device signals ([`hash`]), the e-mail's
//! templates ([`email`]) and its delivery over SMTP ([`mailer`]).
//!
//! The job that finds abandoned carts and delivers their e-mail through the
//! outbox is [`crate::jobs::recovery`]; the use cases `RecoverCart` and
//! `UnsubscribeRecovery` are in [`crate::service`]; the tables in
//! [`crate::storage::recovery`]. Design and guarantees: `docs/recovery.md`.

pub mod email;
pub mod hash;
pub mod mailer;
pub mod stock_email;
pub mod token;

use chrono::Duration;

use crate::config::RecoverySettings;
use hash::Hasher;
use token::Signer;

/// What the recovery use cases need: the keys and the rules of recovery by
/// device.
#[derive(Debug, Clone)]
pub struct RecoveryPolicy {
    /// Signs and verifies link tokens; `None` when no key is configured (the
    /// RPCs then answer FAILED_PRECONDITION `RECOVERY_DISABLED`).
    pub signer: Option<Signer>,
    /// Keyed hashes; `None` when no key is configured (device signals are
    /// then ignored and recovery by device finds nothing).
    pub hasher: Option<Hasher>,
    /// Guest carts changed within this are candidates for recovery by device.
    pub fingerprint_window: Duration,
    /// The similarity a candidate must reach.
    pub fingerprint_threshold: f64,
}

impl RecoveryPolicy {
    /// The policy of `settings`.
    pub fn new(settings: &RecoverySettings) -> Self {
        Self {
            signer: Signer::new(settings.keys()),
            hasher: Hasher::new(settings.hash_key.expose()),
            fingerprint_window: Duration::days(settings.fingerprint_window_days),
            fingerprint_threshold: settings.fingerprint_threshold,
        }
    }

    /// Recovery off: no keys.
    pub fn disabled() -> Self {
        Self {
            signer: None,
            hasher: None,
            fingerprint_window: Duration::days(7),
            fingerprint_threshold: 0.8,
        }
    }
}
