//! Abandoned-cart recovery: which carts get an e-mail and when, how it is
//! sent, how its links are signed, and recovery by device.

use serde::Deserialize;

use super::{ConfigError, Secret, invalid};

/// Recovery e-mail, recovery links and recovery by device.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecoverySettings {
    /// Whether this replica finds abandoned carts and sends their e-mail.
    /// `RecoverCart` and `UnsubscribeRecovery` work whenever signing keys
    /// are set, so links already sent keep working with this off.
    pub enabled: bool,
    /// A cart is abandoned after this many hours without a change (0, for a
    /// demo: at once).
    pub idle_hours: i64,
    /// At most one recovery e-mail per cart in this many days.
    pub resend_days: i64,
    /// Carts queued (and messages sent) per batch.
    pub batch_size: u64,
    /// Seconds between runs of the recovery job.
    pub interval_secs: u64,
    /// Delivery attempts before a message is marked failed.
    pub max_attempts: u32,
    /// Wait after the first failed attempt, doubled after each further one
    /// (at most an hour).
    pub retry_backoff_secs: u64,
    /// Outbox rows are deleted this many days after they were written.
    pub outbox_retention_days: i64,
    /// The storefront page a recovery link opens; `?token=…` is appended.
    pub link_base_url: String,
    /// The storefront endpoint of one-click unsubscribe (RFC 8058);
    /// `?token=…` is appended. It calls `UnsubscribeRecovery`.
    pub unsubscribe_base_url: String,
    /// Recovery links expire after this many days.
    pub link_ttl_days: i64,
    /// The storefront page of the shopper's lists, linked from
    /// back-in-stock e-mail.
    pub lists_url: String,
    /// Token signing keys as `key_id:secret` pairs separated by commas; the
    /// first signs, every one verifies (rotation: put the new key first,
    /// drop the old one once its links expired). Secrets: at least 32
    /// characters.
    pub signing_keys: Secret,
    /// The key of the keyed hashes (HMAC-SHA256) of unsubscribed addresses
    /// and device signals; at least 32 characters. Changing it forgets every
    /// unsubscribe and every stored device: never rotate it casually.
    pub hash_key: Secret,
    /// `From:` of recovery e-mail.
    pub from: String,
    /// A directory whose `subject.txt`, `body.txt` and `body.html` replace
    /// the built-in templates (minijinja), each when present.
    pub templates_dir: Option<String>,
    /// How e-mail leaves.
    pub smtp: SmtpSettings,
    /// Guest carts changed within this many days are candidates for
    /// recovery by device.
    pub fingerprint_window_days: i64,
    /// The weighted similarity (0–1) of device signals a candidate must
    /// reach.
    pub fingerprint_threshold: f64,
}

impl Default for RecoverySettings {
    fn default() -> Self {
        Self {
            enabled: false,
            idle_hours: 24,
            resend_days: 7,
            batch_size: 100,
            interval_secs: 60,
            max_attempts: 5,
            retry_backoff_secs: 60,
            outbox_retention_days: 30,
            link_base_url: "http://localhost:8080/cart/recover".into(),
            unsubscribe_base_url: "http://localhost:8080/email/unsubscribe".into(),
            link_ttl_days: 7,
            lists_url: "http://localhost:8080/lists".into(),
            signing_keys: Secret::default(),
            hash_key: Secret::default(),
            from: "Shop <shop@example.com>".into(),
            templates_dir: None,
            smtp: SmtpSettings::default(),
            fingerprint_window_days: 7,
            fingerprint_threshold: 0.8,
        }
    }
}

/// The SMTP relay.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSettings {
    /// `smtp://host:port` (plaintext, e.g. a local relay or a mail catcher),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtps://host:465`
    /// (TLS); credentials as `smtp://user:password@host`. Never logged.
    pub url: Secret,
    /// Seconds one delivery may take.
    pub timeout_secs: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            url: Secret::new("smtp://127.0.0.1:1025"),
            timeout_secs: 10,
        }
    }
}

impl RecoverySettings {
    /// The signing keys, `(key id, secret)`, the signing one first.
    pub fn keys(&self) -> Vec<(String, String)> {
        self.signing_keys
            .expose()
            .split(',')
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once(':') {
                Some((id, secret)) => (id.trim().to_owned(), secret.trim().to_owned()),
                None => (String::new(), pair.to_owned()),
            })
            .collect()
    }

    pub(super) fn check(&self) -> Result<(), ConfigError> {
        self.check_ranges()?;
        self.check_keys()?;
        self.check_urls()
    }

    fn check_ranges(&self) -> Result<(), ConfigError> {
        for (setting, value, range) in [
            ("recovery.idle_hours", self.idle_hours, 0..=24 * 365),
            ("recovery.resend_days", self.resend_days, 1..=365),
            ("recovery.link_ttl_days", self.link_ttl_days, 1..=365),
            (
                "recovery.outbox_retention_days",
                self.outbox_retention_days,
                1..=3650,
            ),
            (
                "recovery.fingerprint_window_days",
                self.fingerprint_window_days,
                1..=365,
            ),
        ] {
            if !range.contains(&value) {
                return Err(invalid(
                    setting,
                    format!("must be between {} and {}", range.start(), range.end()),
                ));
            }
        }
        // The outbox rows are what the resend window is checked against.
        if self.outbox_retention_days < self.resend_days {
            return Err(invalid(
                "recovery.outbox_retention_days",
                "must be at least recovery.resend_days",
            ));
        }
        for (setting, value, max) in [
            ("recovery.batch_size", self.batch_size, 10_000),
            ("recovery.interval_secs", self.interval_secs, 86_400),
            (
                "recovery.retry_backoff_secs",
                self.retry_backoff_secs,
                3_600,
            ),
            ("recovery.smtp.timeout_secs", self.smtp.timeout_secs, 60),
            ("recovery.max_attempts", u64::from(self.max_attempts), 100),
        ] {
            if !(1..=max).contains(&value) {
                return Err(invalid(setting, format!("must be between 1 and {max}")));
            }
        }
        if !(self.fingerprint_threshold > 0.0 && self.fingerprint_threshold <= 1.0) {
            return Err(invalid(
                "recovery.fingerprint_threshold",
                "must be above 0 and at most 1",
            ));
        }
        Ok(())
    }

    fn check_keys(&self) -> Result<(), ConfigError> {
        let keys = self.keys();
        if keys.iter().any(|(id, secret)| {
            id.is_empty()
                || id.len() > 32
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                || secret.len() < 32
        }) {
            return Err(invalid(
                "recovery.signing_keys",
                "must be key_id:secret pairs (ids of letters, digits, - and _; secrets of 32 characters or more, without commas)",
            ));
        }
        let mut ids: Vec<&str> = keys.iter().map(|(id, _)| id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid("recovery.signing_keys", "key ids must be unique"));
        }
        let hash_key = self.hash_key.expose();
        if !hash_key.is_empty() && hash_key.len() < 32 {
            return Err(invalid(
                "recovery.hash_key",
                "must be 32 characters or more",
            ));
        }
        if self.enabled && (keys.is_empty() || hash_key.is_empty()) {
            return Err(invalid(
                "recovery.enabled",
                "needs recovery.signing_keys and recovery.hash_key",
            ));
        }
        Ok(())
    }

    fn check_urls(&self) -> Result<(), ConfigError> {
        for (setting, url) in [
            ("recovery.link_base_url", &self.link_base_url),
            ("recovery.unsubscribe_base_url", &self.unsubscribe_base_url),
        ] {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(invalid(setting, "must start with https:// or http://"));
            }
        }
        let smtp = self.smtp.url.expose();
        if !(smtp.starts_with("smtp://") || smtp.starts_with("smtps://")) {
            return Err(invalid(
                "recovery.smtp.url",
                "must start with smtp:// or smtps://",
            ));
        }
        Ok(())
    }
}
