//! Periodic work: expiry and clean-up of carts, idempotency records and old
//! outbox rows (here), and abandoned-cart recovery ([`recovery`]).
//!
//! Each run is done by one replica at a time: on PostgreSQL the runner first
//! takes a transaction-scoped advisory lock in a "leader" transaction held for
//! the whole run; a replica that cannot take it skips the run. The work itself
//! runs in bounded batches, each its own short transaction, so purging a
//! million rows never holds one long transaction or blocks shoppers for long.

pub mod demand;
pub mod recovery;

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Age;

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::storage::maintenance::{self, Purge};
use crate::storage::{Database, StorageError, Tx, devices, lists};

/// Knobs of the maintenance job.
#[derive(Debug, Clone)]
pub struct MaintenanceSettings {
    /// Time between runs.
    pub interval: Duration,
    /// Rows per batch (per transaction).
    pub batch_size: u64,
    /// Abandoned carts are deleted this long after they were abandoned.
    pub abandoned_retention: Age,
    /// Merged guest carts are deleted this long after the merge.
    pub merged_retention: Age,
    /// Guest carts without lines are deleted this long after their last change.
    pub empty_guest_retention: Age,
    /// Recovery outbox rows no longer pending are deleted this long after
    /// they were written.
    pub outbox_retention: Age,
    /// Device signals are deleted this long after they were saved (the
    /// window of recovery by device).
    pub device_retention: Age,
    /// Guest sessions' lists are deleted this long after their last change
    /// (the cart TTL plus the abandoned-cart retention).
    pub guest_list_retention: Age,
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaintenanceReport {
    /// True when another replica held the leadership: nothing was done.
    pub skipped: bool,
    /// Active carts past their expiry, marked abandoned.
    pub expired: u64,
    /// Abandoned carts deleted.
    pub purged_abandoned: u64,
    /// Merged guest carts deleted.
    pub purged_merged: u64,
    /// Empty guest carts deleted.
    pub purged_empty_guest: u64,
    /// Idempotency records deleted.
    pub purged_idempotency_keys: u64,
    /// Recovery outbox rows deleted.
    pub purged_outbox: u64,
    /// Device signals deleted.
    pub purged_device_signals: u64,
    /// Guest sessions' lists deleted.
    pub purged_guest_lists: u64,
    /// True when the service's stop cut the run short between batches: the
    /// rest waits for the next run.
    pub stopped: bool,
}

/// The maintenance job.
#[derive(Debug, Clone)]
pub struct Maintenance {
    db: Database,
    clock: Arc<dyn Clock>,
    settings: MaintenanceSettings,
    metrics: Arc<Metrics>,
    /// Watchers told of expired carts in-process (SQLite; PostgreSQL's
    /// trigger tells every replica).
    live: Option<crate::live::Hub>,
}

impl Maintenance {
    /// The job over `db`.
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        settings: MaintenanceSettings,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            db,
            clock,
            settings,
            metrics,
            live: None,
        }
    }

    /// Wakes `hub`'s watchers when a run sets carts aside.
    #[must_use]
    pub fn with_live(mut self, hub: crate::live::Hub) -> Self {
        self.live = Some(hub);
        self
    }

    /// Runs once, if this replica can lead; logs and returns what it did.
    ///
    /// # Errors
    /// [`StorageError`] when the database fails; batches committed before the
    /// failure stay done.
    pub async fn run_once(&self) -> Result<MaintenanceReport, StorageError> {
        self.run_until(&Shutdown::never()).await
    }

    /// [`Self::run_once`], stopping between batches once `shutdown` says
    /// so: every batch is one transaction, so what the report counts is
    /// exactly what was committed, and the rest waits for the next run.
    ///
    /// # Errors
    /// As [`Self::run_once`].
    #[tracing::instrument(skip_all)]
    pub async fn run_until(&self, shutdown: &Shutdown) -> Result<MaintenanceReport, StorageError> {
        let leader = self.db.begin().await?;
        if !maintenance::try_lead(&leader).await? {
            leader.rollback().await?;
            tracing::info!("maintenance skipped: another replica is running it");
            self.metrics.job_run("skipped_not_leader");
            return Ok(MaintenanceReport {
                skipped: true,
                ..MaintenanceReport::default()
            });
        }
        let now = self.clock.now();
        let started = std::time::Instant::now();
        let batch = self.settings.batch_size;
        let stop = Stop {
            shutdown,
            cut_short: std::sync::atomic::AtomicBool::new(false),
        };
        let expired = self
            .in_batches(&stop, |tx| {
                Box::pin(maintenance::expire_batch(tx, now, batch))
            })
            .await;
        // Batches committed before a failure count too: watchers read again.
        if let Some(live) = &self.live
            && expired.as_ref().map_or(true, |n| *n > 0)
        {
            live.wake_all();
        }
        let mut report = MaintenanceReport {
            expired: expired?,
            ..MaintenanceReport::default()
        };
        let expire_ms = started.elapsed().as_millis();
        for (kind, retention, total) in [
            (
                Purge::Abandoned,
                self.settings.abandoned_retention,
                &mut report.purged_abandoned,
            ),
            (
                Purge::Merged,
                self.settings.merged_retention,
                &mut report.purged_merged,
            ),
            (
                Purge::EmptyGuest,
                self.settings.empty_guest_retention,
                &mut report.purged_empty_guest,
            ),
        ] {
            let cutoff = now - retention;
            *total = self
                .in_batches(&stop, |tx| {
                    Box::pin(maintenance::purge_batch(tx, kind, cutoff, batch))
                })
                .await?;
        }
        report.purged_idempotency_keys = self
            .in_batches(&stop, |tx| {
                Box::pin(maintenance::purge_idempotency_batch(tx, now, batch))
            })
            .await?;
        let outbox_cutoff = now - self.settings.outbox_retention;
        report.purged_outbox = self
            .in_batches(&stop, |tx| {
                Box::pin(crate::storage::recovery::purge_outbox_batch(
                    tx,
                    outbox_cutoff,
                    batch,
                ))
            })
            .await?;
        let device_cutoff = now - self.settings.device_retention;
        report.purged_device_signals = self
            .in_batches(&stop, |tx| {
                Box::pin(devices::purge_batch(tx, device_cutoff, batch))
            })
            .await?;
        let list_cutoff = now - self.settings.guest_list_retention;
        report.purged_guest_lists = self
            .in_batches(&stop, |tx| {
                Box::pin(lists::purge_guest_batch(tx, list_cutoff, batch))
            })
            .await?;
        report.stopped = stop.cut_short.load(std::sync::atomic::Ordering::Relaxed);
        leader.commit().await?;
        self.record(&report, started.elapsed());
        tracing::info!(
            expire_ms,
            elapsed_ms = started.elapsed().as_millis(),
            expired = report.expired,
            purged_abandoned = report.purged_abandoned,
            purged_merged = report.purged_merged,
            purged_empty_guest = report.purged_empty_guest,
            purged_idempotency_keys = report.purged_idempotency_keys,
            purged_outbox = report.purged_outbox,
            purged_device_signals = report.purged_device_signals,
            purged_guest_lists = report.purged_guest_lists,
            stopped = report.stopped,
            "maintenance run"
        );
        Ok(report)
    }

    /// Counts a run that ran: its rows by kind, its duration and its time.
    fn record(&self, report: &MaintenanceReport, took: Duration) {
        let m = &self.metrics;
        m.job_run("ran");
        m.job_rows("expired", report.expired);
        m.job_rows("purged_abandoned", report.purged_abandoned);
        m.job_rows("purged_merged", report.purged_merged);
        m.job_rows("purged_empty_guest", report.purged_empty_guest);
        m.job_rows("purged_idempotency_keys", report.purged_idempotency_keys);
        m.job_rows("purged_recovery_outbox", report.purged_outbox);
        m.job_rows("purged_device_signals", report.purged_device_signals);
        m.job_rows("purged_guest_lists", report.purged_guest_lists);
        m.job_duration.observe(took.as_secs_f64());
        m.job_last_run.set(self.clock.now().timestamp());
    }

    /// Runs `step` in its own write transaction until a batch comes back
    /// short or `shutdown` says the service stops; returns the total.
    async fn in_batches<F>(&self, stop: &Stop<'_>, step: F) -> Result<u64, StorageError>
    where
        F: for<'t> Fn(
            &'t Tx,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<u64, StorageError>> + Send + 't>,
        >,
    {
        let mut total = 0;
        loop {
            if stop.shutdown.is_stopping() {
                stop.cut_short
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                return Ok(total);
            }
            let tx = self.db.begin_write().await?;
            let done = step(&tx).await?;
            tx.commit().await?;
            total += done;
            if done < self.settings.batch_size {
                return Ok(total);
            }
        }
    }

    /// Runs every interval until `shutdown`; a run in progress stops
    /// between batches. A failed run is logged and the next one tries again.
    pub async fn run_every_interval(self, shutdown: Shutdown) {
        every(self.settings.interval, &shutdown, || async {
            if let Err(error) = self.run_until(&shutdown).await {
                tracing::warn!(%error, "maintenance run failed");
                self.metrics.job_run("failed");
            }
        })
        .await;
    }
}

/// A run's word of the stop, and whether it cut a step short.
struct Stop<'a> {
    shutdown: &'a Shutdown,
    cut_short: std::sync::atomic::AtomicBool,
}

/// Runs `work` every `interval` until `shutdown` says the service stops. The
/// first run comes a whole interval after the start, so a fleet restarting
/// together does not all run at once; a run that overruns delays the next.
/// A run in progress is never cut short here: `work` looks at `shutdown`
/// between its units and returns early by itself.
pub(crate) async fn every<F, Fut>(interval: Duration, shutdown: &Shutdown, mut work: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            biased;
            () = shutdown.stopped() => return,
            _ = tick.tick() => {}
        }
        work().await;
        if shutdown.is_stopping() {
            return;
        }
    }
}
