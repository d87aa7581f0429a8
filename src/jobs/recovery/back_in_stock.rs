//! Back-in-stock detection, part of the recovery job: one replica at a time
//! (its own advisory lock), one bounded batch of alerts per run, least
//! recently checked first, with one catalog lookup for the batch. An alert
//! whose variant is out of stock is marked so (`out_since`); one marked and
//! now in stock has its e-mail queued in the recovery outbox and the mark
//! cleared in one transaction, so each restock sends one e-mail. Delivery
//! is the recovery job's own (same relay, retries, unsubscribes).

use super::{RecoveryJob, RecoveryReport, with_token};
use crate::domain::catalog::Known;
use crate::domain::event::ListEvent;
use crate::domain::ids::CartId;
use crate::recovery::stock_email::StockContext;
use crate::recovery::token::Claim;
use crate::service::in_stock;
use crate::storage::alerts::{self, Alert};
use crate::storage::maintenance::try_lock;
use crate::storage::recovery::{self, OutboxMessage};
use crate::storage::{StorageError, lists};

/// The advisory-lock key of back-in-stock detection ("cartbisk").
const RESTOCK_LOCK_KEY: i64 = 0x6361_7274_6269_736b;

impl RecoveryJob {
    /// Looks at one batch of alerts and queues the e-mail of those back in
    /// stock.
    pub(super) async fn detect_restocks(
        &self,
        report: &mut RecoveryReport,
    ) -> Result<(), StorageError> {
        let leader = self.db.begin().await?;
        if !try_lock(&leader, RESTOCK_LOCK_KEY).await? {
            leader.rollback().await?;
            return Ok(());
        }
        let now = self.clock.now();
        let batch = {
            let tx = self.db.begin_write().await?;
            let batch = alerts::next_batch(&tx, now, self.settings.batch_size).await?;
            tx.commit().await?;
            batch
        };
        let variants: Vec<_> = batch.iter().map(|a| a.variant_id.clone()).collect();
        let catalog = self.service.catalog_now(&variants).await;
        for alert in &batch {
            let known = catalog.get(&alert.variant_id);
            match (in_stock(known), alert.out_since, known) {
                (Some(false), None, _) => {
                    alerts::seen_out(self.db.conn(), alert.list_item_id, now).await?;
                }
                (Some(true), Some(_), Known::Found(variant)) => {
                    if let Some(suppressed) = self.queue_restock(alert, variant).await? {
                        report.queued += 1;
                        report.restocked += 1;
                        report.suppressed += u64::from(suppressed);
                    }
                }
                // In stock and not marked, still out, or unknown: nothing.
                _ => {}
            }
        }
        leader.commit().await
    }

    /// Queues the e-mail of `alert`, whose variant is back: `Some(suppressed)`
    /// when this call claimed the restock (another run may have).
    async fn queue_restock(
        &self,
        alert: &Alert,
        variant: &crate::domain::catalog::CatalogVariant,
    ) -> Result<Option<bool>, StorageError> {
        let address_hash = self.hasher.address(&alert.email);
        let unsubscribe = self.signer.sign(&Claim::Unsubscribe {
            address_hash: address_hash.clone(),
        });
        let unsubscribe_url = with_token(&self.settings.unsubscribe_base_url, &unsubscribe);
        let context = StockContext::of(
            variant,
            self.settings.lists_url.clone(),
            unsubscribe_url.clone(),
        );
        let rendered = match self.stock_templates.render(context) {
            Ok(rendered) => rendered,
            Err(error) => {
                tracing::error!(%error, list_item_id = %alert.list_item_id, "back-in-stock e-mail not rendered");
                return Ok(None);
            }
        };
        let message = OutboxMessage {
            id: uuid::Uuid::now_v7(),
            // Not about a cart: the nil id (delivery records no cart event).
            cart_id: CartId::from_uuid(uuid::Uuid::nil()),
            email: alert.email.clone(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
            list_unsubscribe: unsubscribe_url,
            attempts: 0,
        };
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let Some(list) = lists::find(&tx, alert.list_id, true).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        if !alerts::claim_restock(&tx, alert.list_item_id).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        let suppressed = recovery::is_unsubscribed(&tx, &address_hash).await?;
        alerts::queue(&tx, &message, alert.list_item_id, suppressed, now).await?;
        let queued = ListEvent::BackInStockQueued {
            list_item_id: alert.list_item_id,
            variant_id: alert.variant_id.clone(),
            message_id: message.id,
        };
        lists::record(&tx, list.id, &[queued], now).await?;
        tx.commit().await?;
        Ok(Some(suppressed))
    }
}
