//! The parts of the application built from the settings: the database
//! options, the catalog (remote or fixture, behind its resilience), the cart
//! rules, the jobs, the caller tokens, the read cache and the session write
//! budget.

use std::sync::Arc;
use std::time::Duration;

use super::error::StartupError;
use crate::cache::CartCache;
use crate::catalog::{Catalog, FixtureCatalog, GrpcCatalog, Resilience, ResilientCatalog};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::money::Currency;
use crate::domain::rules::Limits;
use crate::domain::view::ViewSettings;
use crate::grpc::auth::{CallerTokens, Role};
use crate::grpc::budget::{SessionBudget, SharedSettings};
use crate::grpc::limits::RateLimiter;
use crate::jobs::recovery::RecoveryJob;
use crate::jobs::{Maintenance, MaintenanceSettings};
use crate::metrics::Metrics;
use crate::service::{CartService, Policy};
use crate::storage::{Database, DatabaseOptions};

pub(super) fn database_options(settings: &Settings) -> DatabaseOptions {
    DatabaseOptions {
        url: settings.database.url.expose().to_owned(),
        max_connections: settings.database.max_connections,
        acquire_timeout: Duration::from_millis(settings.database.acquire_timeout_ms),
        sqlite_busy_timeout: Duration::from_millis(settings.database.sqlite_busy_timeout_ms),
    }
}

/// The catalog the settings name: the gRPC client (with cache, retries and
/// breaker) for `catalog.url`, else the fixture file.
pub(super) fn catalog(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    metrics: &Arc<Metrics>,
) -> Result<Arc<dyn Catalog>, StartupError> {
    Ok(match &settings.catalog.url {
        Some(url) => {
            let c = &settings.catalog;
            let client = GrpcCatalog::connect_lazy(
                url,
                Duration::from_millis(c.timeout_ms),
                crate::tls::catalog_client(c)?,
            )
            .map_err(|reason| StartupError::Setting {
                setting: "catalog.url",
                reason,
            })?;
            Arc::new(ResilientCatalog::new(
                client,
                clock.clone(),
                Resilience {
                    cache_ttl: Duration::from_millis(c.cache_ttl_ms),
                    retries: c.retries,
                    retry_backoff: Duration::from_millis(c.retry_backoff_ms),
                    breaker_failures: c.breaker_failures,
                    breaker_cooldown: Duration::from_millis(c.breaker_cooldown_ms),
                },
                metrics.clone(),
            ))
        }
        None => Arc::new(
            FixtureCatalog::from_file(settings.catalog.fixture_path.as_ref()).map_err(|e| {
                StartupError::Setting {
                    setting: "catalog.fixture_path",
                    reason: e.to_string(),
                }
            })?,
        ),
    })
}

/// The cart rules' knobs from the settings.
pub(super) fn policy(settings: &Settings) -> Result<Policy, StartupError> {
    let default_currency =
        Currency::parse(&settings.cart.default_currency).map_err(|e| StartupError::Setting {
            setting: "cart.default_currency",
            reason: e.to_string(),
        })?;
    Ok(Policy {
        ttl: chrono::Duration::days(settings.cart.ttl_days),
        idempotency_window: chrono::Duration::hours(settings.cart.idempotency_window_hours),
        limits: Limits {
            max_lines: settings.cart.max_lines,
        },
        view: ViewSettings {
            low_stock_threshold: settings.cart.low_stock_threshold,
            default_currency,
        },
    })
}

/// The maintenance job from the settings.
pub(super) fn maintenance(
    settings: &Settings,
    db: Database,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
) -> Maintenance {
    let jobs = &settings.jobs;
    Maintenance::new(
        db.clone(),
        clock,
        MaintenanceSettings {
            interval: Duration::from_secs(jobs.interval_secs),
            batch_size: jobs.batch_size,
            abandoned_retention: chrono::Duration::days(jobs.abandoned_retention_days),
            merged_retention: chrono::Duration::days(jobs.merged_retention_days),
            empty_guest_retention: chrono::Duration::hours(jobs.empty_guest_retention_hours),
            outbox_retention: chrono::Duration::days(settings.recovery.outbox_retention_days),
            device_retention: chrono::Duration::days(settings.recovery.fingerprint_window_days),
            // As long as a guest cart changed at the same time would be kept.
            guest_list_retention: chrono::Duration::days(
                settings.cart.ttl_days + jobs.abandoned_retention_days,
            ),
        },
        metrics,
    )
}

/// The recovery job, when its keys are configured.
pub(super) fn recovery_job(
    settings: &Settings,
    db: &Database,
    clock: &Arc<dyn Clock>,
    service: &CartService,
    metrics: &Arc<Metrics>,
) -> Result<Option<RecoveryJob>, StartupError> {
    let recovery = &settings.recovery;
    if recovery.keys().is_empty() || recovery.hash_key.expose().is_empty() {
        return Ok(None);
    }
    RecoveryJob::new(
        db.clone(),
        clock.clone(),
        service.clone(),
        (
            recovery.clone(),
            chrono::Duration::days(settings.cart.ttl_days),
        ),
        metrics.clone(),
    )
    .map(Some)
    .map_err(|e| StartupError::Setting {
        setting: "recovery",
        reason: e.to_string(),
    })
}

/// The configured caller tokens and their roles.
pub(super) fn caller_tokens(settings: &Settings) -> CallerTokens {
    let (storefront, service) = settings.auth.tokens();
    CallerTokens::new(
        storefront
            .into_iter()
            .map(|t| (t, Role::Storefront))
            .chain(service.into_iter().map(|t| (t, Role::Service))),
    )
}

/// GetCart's read cache, when `cache.redis_url` is set.
pub(super) fn cart_cache(
    settings: &Settings,
    metrics: &Arc<Metrics>,
) -> Result<Option<CartCache>, StartupError> {
    let Some(url) = &settings.cache.redis_url else {
        return Ok(None);
    };
    CartCache::new(url.expose(), &settings.cache, metrics.clone())
        .map(Some)
        .map_err(|e| StartupError::Setting {
            setting: "cache.redis_url",
            reason: e.to_string(),
        })
}

/// Each session's write budget (`limits.*`): `None` when writes are not
/// limited; shared through Redis when `limits.redis_url` is set.
pub(super) fn session_budget(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    metrics: &Arc<Metrics>,
) -> Result<Option<SessionBudget>, StartupError> {
    let limits = &settings.limits;
    let per_minute = limits.session_writes_per_minute;
    let burst = limits.session_write_burst;
    let Some(local) = RateLimiter::new(clock, per_minute, burst) else {
        return Ok(None);
    };
    let Some(url) = &limits.redis_url else {
        return Ok(Some(SessionBudget::local(local)));
    };
    let shared = SharedSettings {
        url: url.expose(),
        prefix: &limits.redis_key_prefix,
        timeout: Duration::from_millis(limits.redis_timeout_ms),
    };
    SessionBudget::shared(local, &shared, (per_minute, burst), metrics.clone())
        .map(Some)
        .map_err(|e| StartupError::Setting {
            setting: "limits.redis_url",
            reason: e.to_string(),
        })
}
