//! The demand job: every `jobs.demand_refresh_secs` each replica looks at
//! the count; the first to find it older than half an interval recounts
//! (under an advisory lock, so never two at once) the units each variant
//! has in active carts, and every replica loads the latest count into its
//! [`DemandBoard`], from which views warn of HIGH_DEMAND. About one
//! aggregate per interval whatever the number of replicas, never a query
//! per read.

use std::sync::Arc;
use std::time::Duration;

use super::every;
use crate::clock::Clock;
use crate::service::DemandBoard;
use crate::shutdown::Shutdown;
use crate::storage::{Database, StorageError, demand, maintenance};

/// The advisory-lock key of the demand count ("cartdmnd").
const DEMAND_LOCK_KEY: i64 = 0x6361_7274_646d_6e64;

/// The demand job of one replica.
#[derive(Debug, Clone)]
pub struct DemandJob {
    db: Database,
    clock: Arc<dyn Clock>,
    board: DemandBoard,
    interval: Duration,
}

impl DemandJob {
    /// The job over `db`, loading counts into `board` every `interval`.
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        board: DemandBoard,
        interval: Duration,
    ) -> Self {
        Self {
            db,
            clock,
            board,
            interval,
        }
    }

    /// Recounts (when no other replica is at it) and loads the latest
    /// count; returns how many variants it covers.
    ///
    /// # Errors
    /// [`StorageError`] when the database fails; the board keeps the count
    /// it had.
    #[tracing::instrument(skip_all)]
    pub async fn run_once(&self) -> Result<usize, StorageError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        // Replicas tick apart: whoever finds the count older than half an
        // interval recounts, the others only load it.
        let fresh = chrono::Duration::from_std(self.interval / 2).unwrap_or_default();
        let stale = demand::counted_at(&tx)
            .await?
            .is_none_or(|at| at <= now - fresh);
        if stale && maintenance::try_lock(&tx, DEMAND_LOCK_KEY).await? {
            demand::recount(&tx, now).await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        let count = demand::load(self.db.conn()).await?;
        let variants = count.len();
        self.board.replace(count);
        Ok(variants)
    }

    /// Runs every interval until `shutdown` (a count in progress finishes:
    /// it is one transaction).
    pub async fn run_every_interval(self, shutdown: Shutdown) {
        every(self.interval, &shutdown, || async {
            if let Err(error) = self.run_once().await {
                tracing::warn!(%error, "demand count failed");
            }
        })
        .await;
    }
}
