//! Back-in-stock detection, part of the recovery job: one replica at a time
//! (its own advisory lock), one bounded batch of alerts per run, least
//! recently checked first, with one catalog lookup for the batch. An alert
//! whose variant is out of stock is marked so (`out_since`); one marked and
//! now in stock has its e-mail queued in the recovery outbox and the mark
//! cleared in one transaction, so each restock sends one e-mail. Delivery
//! is the recovery job's own (same relay, retries, unsubscribes).

use super::{RecoveryJob, RecoveryReport, with_token};
use crate::domain::catalog::in_stock;
use crate::domain::catalog::{CatalogVariant, Known};
use crate::domain::event::ListEvent;
use crate::domain::ids::CartId;
use crate::recovery::stock_email::StockContext;
use crate::recovery::token::Claim;
use crate::storage::alerts::{self, Alert};
use crate::storage::maintenance::try_lock;
use crate::storage::recovery::{self, Kind, OutboxMessage};
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
                    let tx = self.db.begin_write().await?;
                    alerts::seen_out(&tx, alert.list_item_id, now).await?;
                    tx.commit().await?;
                }
                (Some(true), Some(_), Known::Found(variant)) => {
                    match self.queue_restock(alert, variant).await? {
                        Some(true) => report.suppressed += 1,
                        Some(false) => {
                            report.queued += 1;
                            report.restocked += 1;
                        }
                        None => {}
                    }
                }
                // In stock and not marked, still out, or unknown: nothing.
                _ => {}
            }
        }
        leader.commit().await
    }

    /// Queues the e-mail of `alert`, whose variant is back, in one
    /// transaction that claims the restock first (another run may have) and
    /// mails the alert's address as it is then: `Some(suppressed)` when
    /// this call claimed it. An unsubscribed address gets a `suppressed`
    /// row and no event, as recovery e-mail does.
    async fn queue_restock(
        &self,
        alert: &Alert,
        variant: &CatalogVariant,
    ) -> Result<Option<bool>, StorageError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let (Some(list), Some(email)) = (
            lists::find(&tx, alert.list_id, true).await?,
            alerts::claim_restock(&tx, alert.list_item_id).await?,
        ) else {
            tx.rollback().await?;
            return Ok(None);
        };
        let address_hash = self.hasher.address(&email);
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
                // The mark stays: a fixed template sends it on a later run.
                tx.rollback().await?;
                tracing::error!(%error, list_item_id = %alert.list_item_id, "back-in-stock e-mail not rendered");
                return Ok(None);
            }
        };
        let message = OutboxMessage {
            id: uuid::Uuid::now_v7(),
            // Not about a cart: the nil id (delivery records no cart event).
            cart_id: CartId::from_uuid(uuid::Uuid::nil()),
            email,
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
            list_unsubscribe: unsubscribe_url,
            attempts: 0,
            claim: 0,
        };
        let suppressed = recovery::is_unsubscribed(&tx, &address_hash).await?;
        let kind = Kind::BackInStock(alert.list_item_id);
        recovery::insert(&tx, &message, kind, suppressed, now).await?;
        if !suppressed {
            let queued = ListEvent::BackInStockQueued {
                list_item_id: alert.list_item_id,
                variant_id: alert.variant_id.clone(),
                message_id: message.id,
            };
            lists::record(&tx, list.id, &[queued], now).await?;
        }
        tx.commit().await?;
        Ok(Some(suppressed))
    }
}
