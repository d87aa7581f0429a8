//! Settings: one typed struct, layered from built-in defaults, an optional file
//! (`CART_CONFIG=path`, TOML or JSON) and `CART__SECTION__KEY` environment
//! variables, in that order. Nothing else in the service reads the
//! environment. A bad value stops start-up with a message naming the setting.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::domain::money::Currency;

mod cache;
mod limits;
mod recovery;
mod telemetry;
mod transport;
mod watch;
pub use cache::CacheSettings;
pub use limits::LimitSettings;
pub use recovery::{RecoverySettings, SmtpSettings};
pub use telemetry::{LogFormat, TelemetrySettings};
pub use transport::TransportSettings;
pub use watch::WatchSettings;

/// A value that must never be printed (database URLs carry passwords).
#[derive(Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Every setting of the service.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The gRPC server.
    pub server: ServerSettings,
    /// The database.
    pub database: DatabaseSettings,
    /// The catalog.
    pub catalog: CatalogSettings,
    /// Cart rules.
    pub cart: CartSettings,
    /// Logs and traces.
    pub telemetry: TelemetrySettings,
    /// Periodic maintenance.
    pub jobs: JobSettings,
    /// Caller authentication.
    pub auth: AuthSettings,
    /// Rate limits and load shedding.
    pub limits: LimitSettings,
    /// Connection limits and HTTP/2 keepalive.
    pub transport: TransportSettings,
    /// Abandoned-cart recovery.
    pub recovery: RecoverySettings,
    /// WatchCart streams.
    pub watch: WatchSettings,
    /// The optional read cache (Redis).
    pub cache: CacheSettings,
}

/// The gRPC server.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// How long open calls may finish after a shutdown signal, in seconds
    /// (after the drain delay).
    pub shutdown_grace_secs: u64,
    /// After a shutdown signal, how long the server keeps accepting while
    /// reporting NOT_SERVING, in milliseconds, so probes and endpoint
    /// controllers see it go before the listener closes.
    pub drain_delay_ms: u64,
    /// How often readiness re-checks the database, in milliseconds.
    pub readiness_interval_ms: u64,
    /// Largest request accepted, in bytes.
    pub max_request_bytes: usize,
    /// PEM certificate chain; with `tls_key_path` the server speaks TLS only.
    pub tls_cert_path: Option<String>,
    /// PEM private key of `tls_cert_path`.
    pub tls_key_path: Option<String>,
    /// PEM CA bundle; when set, every caller must present a certificate it
    /// signed (mutual TLS). Needs `tls_cert_path`.
    pub tls_client_ca_path: Option<String>,
    /// A second, plaintext listener serving only `grpc.health.v1.Health`, for
    /// probes that cannot speak TLS (Kubernetes gRPC probes). Unset: none.
    pub health_port: Option<u16>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 50051,
            shutdown_grace_secs: 10,
            drain_delay_ms: 5000,
            readiness_interval_ms: 5000,
            max_request_bytes: 64 * 1024,
            tls_cert_path: None,
            tls_key_path: None,
            tls_client_ca_path: None,
            health_port: None,
        }
    }
}

/// The database.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://file?mode=rwc` (the default, a file in the working
    /// directory) or `postgres://user:password@host/db`.
    pub url: Secret,
    /// Largest connection pool.
    pub max_connections: u32,
    /// How long a call waits for a pooled connection, in milliseconds.
    pub acquire_timeout_ms: u64,
    /// How long SQLite waits on a lock, in milliseconds.
    pub sqlite_busy_timeout_ms: u64,
    /// Whether start-up applies pending migrations.
    pub run_migrations: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: Secret::new("sqlite://cart.db?mode=rwc"),
            max_connections: 8,
            acquire_timeout_ms: 3000,
            sqlite_busy_timeout_ms: 5000,
            run_migrations: true,
        }
    }
}

/// The catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CatalogSettings {
    /// The catalog service, `http://host:port`. Unset: the fixture below is
    /// served in-process (the demo).
    pub url: Option<String>,
    /// The fixture used when no URL is set.
    pub fixture_path: String,
    /// Deadline of one catalog call, in milliseconds.
    pub timeout_ms: u64,
    /// How long a lookup is reused, in milliseconds; 0 disables the cache.
    pub cache_ttl_ms: u64,
    /// Retries after an "unavailable" failure (not after a timeout).
    pub retries: u32,
    /// Base delay before a retry, in milliseconds (jittered, doubling).
    pub retry_backoff_ms: u64,
    /// Consecutive failed lookups that open the circuit breaker.
    pub breaker_failures: u32,
    /// How long an open circuit fails lookups at once, in milliseconds.
    pub breaker_cooldown_ms: u64,
    /// PEM CA bundle trusted for an `https://` catalog, besides the system's
    /// roots.
    pub tls_ca_path: Option<String>,
    /// PEM client certificate for a catalog that requires mutual TLS.
    pub tls_cert_path: Option<String>,
    /// PEM private key of `tls_cert_path`.
    pub tls_key_path: Option<String>,
}

impl Default for CatalogSettings {
    fn default() -> Self {
        Self {
            url: None,
            fixture_path: "demo/catalog.json".into(),
            timeout_ms: 800,
            cache_ttl_ms: 5000,
            retries: 2,
            retry_backoff_ms: 20,
            breaker_failures: 5,
            breaker_cooldown_ms: 5000,
            tls_ca_path: None,
            tls_cert_path: None,
            tls_key_path: None,
        }
    }
}

/// Cart rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CartSettings {
    /// A cart expires this many days after its last change.
    pub ttl_days: i64,
    /// Most distinct lines in a cart.
    pub max_lines: usize,
    /// Below this many units left, a line gets a LOW_STOCK warning.
    pub low_stock_threshold: i64,
    /// Currency of new carts.
    pub default_currency: String,
    /// Hours a request id (AIP-155) is remembered.
    pub idempotency_window_hours: i64,
}

impl Default for CartSettings {
    fn default() -> Self {
        Self {
            ttl_days: 30,
            max_lines: 50,
            low_stock_threshold: 5,
            default_currency: "USD".into(),
            idempotency_window_hours: 24,
        }
    }
}

/// Caller authentication: bearer tokens, comma-separated, per role. With no
/// tokens at all, every caller is accepted (development, or a mesh that
/// authenticates callers itself).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Tokens of storefront BFFs: CartService, ShoppingListService,
    /// CartShareService and CartRecoveryService.
    pub storefront_tokens: Secret,
    /// Tokens of back-office services (checkout, operations): every service,
    /// CartAdminService included.
    pub service_tokens: Secret,
}

impl AuthSettings {
    /// Storefront tokens, then service tokens.
    pub fn tokens(&self) -> (Vec<&str>, Vec<&str>) {
        fn split(s: &Secret) -> Vec<&str> {
            s.expose()
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect()
        }
        (split(&self.storefront_tokens), split(&self.service_tokens))
    }
}

/// Periodic maintenance: expiry and clean-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobSettings {
    /// Whether this replica runs the maintenance job at all.
    pub enabled: bool,
    /// Seconds between runs.
    pub interval_secs: u64,
    /// Rows per batch (per transaction).
    pub batch_size: u64,
    /// Days an abandoned cart is kept.
    pub abandoned_retention_days: i64,
    /// Days a merged guest cart is kept.
    pub merged_retention_days: i64,
    /// Hours an empty guest cart is kept after its last change.
    pub empty_guest_retention_hours: i64,
    /// Seconds between demand counts (HIGH_DEMAND warnings).
    pub demand_refresh_secs: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_secs: 3600,
            batch_size: 500,
            abandoned_retention_days: 30,
            merged_retention_days: 7,
            empty_guest_retention_hours: 24,
            demand_refresh_secs: 60,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A source could not be read or a value has the wrong type.
    #[error("{0}")]
    Source(#[from] config::ConfigError),
    /// A value is out of range.
    #[error("invalid setting {setting}: {reason}")]
    Invalid {
        /// The setting's path, e.g. `cart.ttl_days`.
        setting: &'static str,
        /// What is wrong.
        reason: String,
    },
}

fn invalid(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        reason: reason.into(),
    }
}

impl Settings {
    /// Reads the settings of this process: defaults, then the file named by
    /// `CART_CONFIG` if set, then `CART__…` variables.
    ///
    /// # Errors
    /// [`ConfigError`] naming the bad setting.
    pub fn load() -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder();
        if let Ok(path) = std::env::var("CART_CONFIG") {
            builder = builder.add_source(config::File::with_name(&path).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("CART")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks ranges the types cannot express.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the first bad setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.check_database_and_cart()?;
        self.check_catalog_and_auth()?;
        self.check_jobs()?;
        self.recovery.check()?;
        self.watch.check()?;
        self.cache.check()?;
        self.check_transport()
    }

    /// The database URL and pool, and the cart rules.
    fn check_database_and_cart(&self) -> Result<(), ConfigError> {
        let url = self.database.url.expose();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        // Migrations and the maintenance job each hold one connection (an
        // advisory lock) while working on another.
        if !url.starts_with("sqlite:") && self.database.max_connections < 2 {
            return Err(invalid(
                "database.max_connections",
                "must be at least 2 on PostgreSQL",
            ));
        }
        if self.cart.ttl_days < 1 || self.cart.ttl_days > 3650 {
            return Err(invalid("cart.ttl_days", "must be between 1 and 3650"));
        }
        if self.cart.max_lines == 0 || self.cart.max_lines > 1000 {
            return Err(invalid("cart.max_lines", "must be between 1 and 1000"));
        }
        if self.cart.idempotency_window_hours < 1 || self.cart.idempotency_window_hours > 24 * 365 {
            return Err(invalid(
                "cart.idempotency_window_hours",
                "must be between 1 and 8760",
            ));
        }
        if self.cart.low_stock_threshold < 0 {
            return Err(invalid("cart.low_stock_threshold", "must not be negative"));
        }
        Currency::parse(&self.cart.default_currency)
            .map_err(|e| invalid("cart.default_currency", e.to_string()))?;
        Ok(())
    }

    /// The catalog client and caller tokens.
    fn check_catalog_and_auth(&self) -> Result<(), ConfigError> {
        if self.catalog.retries > 10 {
            return Err(invalid("catalog.retries", "must be at most 10"));
        }
        if self.catalog.breaker_failures == 0 {
            return Err(invalid("catalog.breaker_failures", "must be at least 1"));
        }
        if self.catalog.timeout_ms == 0 {
            return Err(invalid("catalog.timeout_ms", "must be at least 1"));
        }
        if let Some(url) = &self.catalog.url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(
                "catalog.url",
                "must start with http:// or https://",
            ));
        }
        let (storefront, service) = self.auth.tokens();
        if storefront
            .iter()
            .chain(&service)
            .any(|t| t.len() < 16 || !t.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(invalid(
                "auth",
                "tokens must be at least 16 printable characters without spaces",
            ));
        }
        Ok(())
    }

    /// The maintenance job.
    fn check_jobs(&self) -> Result<(), ConfigError> {
        if self.jobs.interval_secs == 0 {
            return Err(invalid("jobs.interval_secs", "must be at least 1"));
        }
        if self.jobs.demand_refresh_secs == 0 {
            return Err(invalid("jobs.demand_refresh_secs", "must be at least 1"));
        }
        if self.jobs.batch_size == 0 || self.jobs.batch_size > 10_000 {
            return Err(invalid("jobs.batch_size", "must be between 1 and 10000"));
        }
        for (setting, value) in [
            (
                "jobs.abandoned_retention_days",
                self.jobs.abandoned_retention_days,
            ),
            (
                "jobs.merged_retention_days",
                self.jobs.merged_retention_days,
            ),
            (
                "jobs.empty_guest_retention_hours",
                self.jobs.empty_guest_retention_hours,
            ),
        ] {
            if !(0..=100_000).contains(&value) {
                return Err(invalid(setting, "must be between 0 and 100000"));
            }
        }
        Ok(())
    }

    /// TLS, ports, limits and readiness.
    fn check_transport(&self) -> Result<(), ConfigError> {
        if self.server.tls_cert_path.is_some() != self.server.tls_key_path.is_some() {
            return Err(invalid(
                "server.tls_key_path",
                "server.tls_cert_path and server.tls_key_path go together",
            ));
        }
        if self.server.tls_client_ca_path.is_some() && self.server.tls_cert_path.is_none() {
            return Err(invalid(
                "server.tls_client_ca_path",
                "mutual TLS needs server.tls_cert_path and server.tls_key_path",
            ));
        }
        if self
            .server
            .health_port
            .is_some_and(|p| p != 0 && p == self.server.port)
        {
            return Err(invalid(
                "server.health_port",
                "must differ from server.port",
            ));
        }
        if self.catalog.tls_cert_path.is_some() != self.catalog.tls_key_path.is_some() {
            return Err(invalid(
                "catalog.tls_key_path",
                "catalog.tls_cert_path and catalog.tls_key_path go together",
            ));
        }
        self.limits.check()?;
        if let Some((setting, reason)) = self.transport.invalid() {
            return Err(invalid(setting, reason));
        }
        if self.server.readiness_interval_ms == 0 {
            return Err(invalid(
                "server.readiness_interval_ms",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// Grace period for open calls at shutdown.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.server.shutdown_grace_secs)
    }

    /// How long the server keeps accepting, NOT_SERVING, after a shutdown
    /// signal.
    pub fn drain_delay(&self) -> Duration {
        Duration::from_millis(self.server.drain_delay_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        Settings::default().validate().expect("defaults valid");
    }

    #[test]
    fn a_bad_value_names_its_setting() {
        let mut s = Settings::default();
        s.cart.default_currency = "dollars".into();
        let err = s.validate().expect_err("invalid").to_string();
        assert!(err.contains("cart.default_currency"), "{err}");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = DatabaseSettings {
            url: Secret::new("postgres://u:hunter2@db/cart"),
            ..DatabaseSettings::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
