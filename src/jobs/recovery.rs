//! The recovery job: finds abandoned carts and puts their e-mail in the
//! outbox (detection), then delivers what the outbox holds (delivery).
//!
//! - **Detection** runs on one replica at a time (an advisory lock, as the
//!   maintenance job's), one bounded batch per run: for each idle cart its
//!   view is built first (one batched catalog call, no lock held), the
//!   e-mail rendered, then one transaction re-checks the cart under its lock
//!   and writes the outbox row with a `recovery_email_queued` event. A cart
//!   whose address unsubscribed gets a `suppressed` row instead, so it is not
//!   looked at again within the resend window.
//! - **Delivery** runs on every replica: it claims due rows (a lease, taken
//!   with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas never take the
//!   same row), sends each over SMTP with no transaction open, then records
//!   the result: sent (with `recovery_email_sent`), due again after a
//!   doubling backoff, or failed (with `recovery_email_failed`) after
//!   `recovery.max_attempts` or a permanent refusal. A crash between the
//!   relay's acceptance and the record sends that message again when its
//!   lease ends, with the same Message-ID, which receivers use to drop the
//!   duplicate; nothing is lost and nothing else is repeated. An ordinary
//!   stop is not a crash: the message in hand is finished and recorded, and
//!   the other claims are given back for another replica to send at once.

mod back_in_stock;
mod deliver;

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Age;

use crate::clock::Clock;
use crate::config::RecoverySettings;
use crate::domain::ids::CartId;
use crate::domain::view::WarningKind;
use crate::metrics::Metrics;
use crate::recovery::email::{Context, TemplateError, Templates};
use crate::recovery::hash::Hasher;
use crate::recovery::mailer::{Mailer, MailerError};
use crate::recovery::stock_email::StockTemplates;
use crate::recovery::token::{Claim, Signer};
use crate::service::CartService;
use crate::shutdown::Shutdown;
use crate::storage::maintenance::try_lock;
use crate::storage::recovery::{self, Idle, OutboxMessage};
use crate::storage::{Database, StorageError};

/// The advisory-lock key of recovery detection ("cartrcvr").
pub const RECOVERY_LOCK_KEY: i64 = 0x6361_7274_7263_7672;

/// How long a claimed message is not due again: far past one delivery's
/// timeout, so only a crashed sender's messages come back.
const LEASE: Age = Age::minutes(5);

/// Longest wait between two attempts.
const MAX_BACKOFF: Age = Age::hours(1);

/// Settings that do not make a recovery job.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryJobError {
    /// No signing keys or hash key.
    #[error("recovery.enabled needs recovery.signing_keys and recovery.hash_key")]
    Keys,
    /// A template does not load.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The mailer cannot be built.
    #[error(transparent)]
    Mailer(#[from] MailerError),
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// True when another replica held detection: nothing was queued here.
    pub detection_skipped: bool,
    /// E-mails put in the outbox.
    pub queued: u64,
    /// Of them, back-in-stock e-mails.
    pub restocked: u64,
    /// Carts skipped, or queued messages not sent, because their address
    /// unsubscribed.
    pub suppressed: u64,
    /// E-mails the relay accepted.
    pub sent: u64,
    /// Attempts that failed and will be tried again.
    pub retried: u64,
    /// E-mails given up.
    pub failed: u64,
    /// Claims given back unsent because the service stops.
    pub released: u64,
}

/// The recovery job.
#[derive(Debug, Clone)]
pub struct RecoveryJob {
    db: Database,
    clock: Arc<dyn Clock>,
    /// Builds the carts' views (lines priced and named by the catalog).
    service: CartService,
    signer: Signer,
    hasher: Hasher,
    templates: Arc<Templates>,
    /// The back-in-stock e-mail's.
    stock_templates: Arc<StockTemplates>,
    mailer: Mailer,
    settings: RecoverySettings,
    /// The cart TTL (`cart.ttl_days`).
    ttl: Age,
    metrics: Arc<Metrics>,
}

impl RecoveryJob {
    /// The job of `settings`.
    ///
    /// # Errors
    /// [`RecoveryJobError`] for missing keys, a template that does not
    /// compile, or an unusable sender or SMTP URL.
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        service: CartService,
        (settings, ttl): (RecoverySettings, Age),
        metrics: Arc<Metrics>,
    ) -> Result<Self, RecoveryJobError> {
        let signer = Signer::new(settings.keys()).ok_or(RecoveryJobError::Keys)?;
        let hasher = Hasher::new(settings.hash_key.expose()).ok_or(RecoveryJobError::Keys)?;
        Ok(Self {
            templates: Arc::new(Templates::load(settings.templates_dir.as_deref())?),
            stock_templates: Arc::new(StockTemplates::load(settings.templates_dir.as_deref())?),
            mailer: Mailer::new(&settings)?,
            db,
            clock,
            service,
            signer,
            hasher,
            settings,
            ttl,
            metrics,
        })
    }

    /// Detection (if this replica can lead it), then delivery.
    ///
    /// # Errors
    /// [`StorageError`] when the database fails; what was committed before
    /// stays done.
    pub async fn run_once(&self) -> Result<RecoveryReport, StorageError> {
        self.run_until(&Shutdown::never()).await
    }

    /// [`Self::run_once`], stopping once `shutdown` says so: detection
    /// between carts (each queued in its own transaction), delivery after
    /// the message in hand is sent and recorded, giving back the claims it
    /// will not send so that another replica sends them at once.
    ///
    /// # Errors
    /// As [`Self::run_once`].
    #[tracing::instrument(skip_all)]
    pub async fn run_until(&self, shutdown: &Shutdown) -> Result<RecoveryReport, StorageError> {
        let mut report = RecoveryReport::default();
        // A failed detection (of either kind) is logged and leaves delivery
        // to run: what is queued still goes out.
        if let Err(error) = self.detect(&mut report, shutdown).await {
            tracing::warn!(%error, "recovery detection failed");
        }
        // Back-in-stock detection is one batch, finished once begun.
        if let Err(error) = self.detect_restocks(&mut report).await {
            tracing::warn!(%error, "back-in-stock detection failed");
        }
        self.deliver(&mut report, shutdown).await?;
        let m = &self.metrics;
        m.recovery_email("queued", report.queued);
        m.recovery_email("back_in_stock_queued", report.restocked);
        m.recovery_email("suppressed", report.suppressed);
        m.recovery_email("sent", report.sent);
        m.recovery_email("retried", report.retried);
        m.recovery_email("failed", report.failed);
        m.recovery_email("released", report.released);
        if report != RecoveryReport::default() {
            tracing::info!(?report, "recovery run");
        }
        Ok(report)
    }

    /// Queues the e-mail of one batch of idle carts.
    async fn detect(
        &self,
        report: &mut RecoveryReport,
        shutdown: &Shutdown,
    ) -> Result<(), StorageError> {
        let leader = self.db.begin().await?;
        if !try_lock(&leader, RECOVERY_LOCK_KEY).await? {
            leader.rollback().await?;
            report.detection_skipped = true;
            return Ok(());
        }
        let now = self.clock.now();
        let idle = Idle {
            changed_before: now - Age::hours(self.settings.idle_hours),
            now,
            queued_after: now - Age::days(self.settings.resend_days),
            ttl: self.ttl,
        };
        let carts = recovery::idle_carts(self.db.conn(), idle, self.settings.batch_size).await?;
        for id in carts {
            if shutdown.is_stopping() {
                break;
            }
            match self.queue_one(id, idle).await? {
                Some(false) => report.queued += 1,
                Some(true) => report.suppressed += 1,
                None => {}
            }
        }
        leader.commit().await
    }

    /// Renders and queues the e-mail of cart `id` if it is still idle:
    /// `Some(suppressed)` when a row was written.
    async fn queue_one(&self, id: CartId, idle: Idle) -> Result<Option<bool>, StorageError> {
        let view = match self.service.get_cart_by_id(id).await {
            Ok(view) => view,
            Err(error) => {
                tracing::warn!(%error, cart_id = %id, "recovery: cart not rendered");
                return Ok(None);
            }
        };
        // Without the catalog the view is the stored snapshot (old prices, no
        // images): the cart waits for a run that has it.
        if view
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::CatalogUnavailable)
        {
            tracing::info!(cart_id = %id, "recovery: catalog unavailable; cart left for a later run");
            return Ok(None);
        }
        let Some(email) = view.cart.as_ref().and_then(|c| c.email.clone()) else {
            return Ok(None);
        };
        let now = idle.now;
        let expires_at = now + Age::days(self.settings.link_ttl_days);
        let recover = self.signer.sign(&Claim::Recover {
            cart_id: id,
            expires_at,
        });
        let address_hash = self.hasher.address(email.as_str());
        let unsubscribe = self.signer.sign(&Claim::Unsubscribe {
            address_hash: address_hash.clone(),
        });
        let unsubscribe_url = with_token(&self.settings.unsubscribe_base_url, &unsubscribe);
        let context = Context::of(
            &view,
            with_token(&self.settings.link_base_url, &recover),
            unsubscribe_url.clone(),
            expires_at.format("%Y-%m-%d").to_string(),
        );
        let rendered = match self.templates.render(context) {
            Ok(rendered) => rendered,
            Err(error) => {
                tracing::error!(%error, cart_id = %id, "recovery: e-mail not rendered");
                return Ok(None);
            }
        };
        let message = OutboxMessage {
            id: uuid::Uuid::now_v7(),
            cart_id: id,
            email: email.as_str().to_owned(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
            list_unsubscribe: unsubscribe_url,
            attempts: 0,
            claim: 0,
        };
        let tx = self.db.begin_write().await?;
        if recovery::lock_idle(&tx, id, idle).await?.is_none() {
            tx.rollback().await?;
            return Ok(None);
        }
        let suppressed = recovery::is_unsubscribed(&tx, &address_hash).await?;
        recovery::queue(&tx, &message, suppressed, now).await?;
        tx.commit().await?;
        Ok(Some(suppressed))
    }

    /// Runs every `recovery.interval_secs` until `shutdown` (a run in
    /// progress stops as [`Self::run_until`] says). A failed run is logged
    /// and the next one tries again.
    pub async fn run_every_interval(self, shutdown: Shutdown) {
        let interval = Duration::from_secs(self.settings.interval_secs);
        super::every(interval, &shutdown, || async {
            if let Err(error) = self.run_until(&shutdown).await {
                tracing::warn!(%error, "recovery run failed");
            }
        })
        .await;
    }
}

/// `base` with `token` as its `token` query parameter.
fn with_token(base: &str, token: &str) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}token={token}")
}
