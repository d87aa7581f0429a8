//! Delivery, part of the recovery job: every replica claims due outbox
//! rows (a lease), sends each over SMTP with no transaction open, and
//! records the result; at a stop it gives back what it will not send.

use chrono::Duration as Age;

use super::{LEASE, MAX_BACKOFF, RecoveryJob, RecoveryReport};
use crate::shutdown::Shutdown;
use crate::storage::StorageError;
use crate::storage::recovery::{self, Delivery, OutboxMessage};

impl RecoveryJob {
    /// Sends what is due, a batch at a time, until a batch comes back short.
    /// A message whose lease would run out before its send could finish is
    /// left alone: it is due again when the lease ends, for whichever sender
    /// claims it then, so a slow relay never makes two senders send it.
    /// Once `shutdown` says so, the batch's other claims are given back at
    /// once (even while a send is under way) and the message in hand is
    /// finished (sent and recorded). A send still running when the grace
    /// period ends is cut off like a crash: keep `recovery.smtp.timeout_secs`
    /// well below `server.shutdown_grace_secs`.
    pub(super) async fn deliver(
        &self,
        report: &mut RecoveryReport,
        shutdown: &Shutdown,
    ) -> Result<(), StorageError> {
        let batch = self.settings.batch_size;
        let send_time = Age::seconds(
            i64::try_from(self.settings.smtp.timeout_secs.saturating_mul(2)).unwrap_or(i64::MAX),
        );
        loop {
            // A stop during detection claims nothing.
            if shutdown.is_stopping() {
                return Ok(());
            }
            let claimed_at = self.clock.now();
            let lease_until = claimed_at + LEASE;
            let claimed =
                recovery::claim_due(self.db.conn(), claimed_at, lease_until, batch).await?;
            for (n, message) in claimed.iter().enumerate() {
                if shutdown.is_stopping() {
                    report.released += self.release(&claimed[n..]).await?;
                    return Ok(());
                }
                if self.clock.now() + send_time > lease_until {
                    continue;
                }
                let (delivery, given_back) = {
                    let attempt = self.attempt(message, report);
                    tokio::pin!(attempt);
                    tokio::select! {
                        biased;
                        delivery = &mut attempt => (delivery?, None),
                        () = shutdown.stopped() => {
                            // The stop came mid-send: the rest go back at
                            // once (another replica may send them while this
                            // one finishes), then the send is finished.
                            let given_back = self.release(&claimed[n + 1..]).await?;
                            (attempt.await?, Some(given_back))
                        }
                    }
                };
                let tx = self.db.begin_write().await?;
                recovery::record_delivery(&tx, message, &delivery, self.clock.now()).await?;
                tx.commit().await?;
                if let Some(given_back) = given_back {
                    report.released += given_back;
                    return Ok(());
                }
            }
            if (claimed.len() as u64) < batch {
                return Ok(());
            }
        }
    }

    /// Gives back the claims of `unsent` (due now, attempt not counted), in
    /// one transaction; how many.
    async fn release(&self, unsent: &[OutboxMessage]) -> Result<u64, StorageError> {
        if unsent.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        for message in unsent {
            recovery::record_delivery(&tx, message, &Delivery::Released, now).await?;
        }
        tx.commit().await?;
        tracing::info!(
            released = unsent.len(),
            "recovery delivery stopping; unsent claims given back"
        );
        Ok(unsent.len() as u64)
    }

    /// Sends `message` unless its address unsubscribed since it was queued;
    /// what came of it, counted in `report`.
    async fn attempt(
        &self,
        message: &OutboxMessage,
        report: &mut RecoveryReport,
    ) -> Result<Delivery, StorageError> {
        let address_hash = self.hasher.address(&message.email);
        if recovery::is_unsubscribed(self.db.conn(), &address_hash).await? {
            report.suppressed += 1;
            return Ok(Delivery::Suppressed);
        }
        let Err(error) = self.mailer.send(message).await else {
            report.sent += 1;
            return Ok(Delivery::Sent);
        };
        tracing::warn!(
            message_id = %message.id,
            attempts = message.attempts,
            error = %error.message,
            "recovery e-mail not delivered"
        );
        let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
        Ok(
            if error.permanent || attempts >= self.settings.max_attempts {
                report.failed += 1;
                Delivery::Failed(error.message)
            } else {
                report.retried += 1;
                Delivery::Retry(self.clock.now() + self.backoff(attempts), error.message)
            },
        )
    }

    /// The wait after the `attempts`-th failed attempt: the backoff, doubled
    /// per further attempt, at most an hour.
    fn backoff(&self, attempts: u32) -> Age {
        let first =
            Age::seconds(i64::try_from(self.settings.retry_backoff_secs).unwrap_or(i64::MAX));
        let factor = 2i32.saturating_pow(attempts.saturating_sub(1).min(20));
        (first * factor).min(MAX_BACKOFF)
    }
}
