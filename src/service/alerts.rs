//! SetBackInStockAlert: a shopper asks to be e-mailed when a saved item's
//! variant is back in stock (the recovery job watches and mails, see
//! `jobs/recovery/back_in_stock.rs`).

use super::idempotency::Scope;
use super::lists::{lock_item, save_list};
use super::output::ListOutcome;
use super::prefetch::Touches;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::Shopper;
use crate::domain::catalog::{CatalogSnapshot, in_stock};
use crate::domain::email::Email;
use crate::domain::event::ListEvent;
use crate::domain::ids::{ListItemId, VariantId};
use crate::domain::list::{ListItem, ListView, ShoppingList};
use crate::domain::rules::Rejection;
use crate::storage::alerts;

impl CartService {
    /// Sets (`Some`) or clears (`None`) the back-in-stock alert of list item
    /// `id`. An alert set while the variant is out of stock fires at its
    /// restock; one set while it is in stock fires after it next runs out
    /// and comes back.
    ///
    /// # Errors
    /// `ListItemNotFound`; `CatalogUnavailable` when setting one and the
    /// catalog does not answer; the pipeline's.
    pub async fn set_back_in_stock_alert(
        &self,
        shopper: &Shopper,
        id: ListItemId,
        email: Option<Email>,
        opts: &WriteOptions<Option<ListView>>,
    ) -> Result<Written<Option<ListView>>, ServiceError> {
        let catalog = self.prefetch(vec![Touches::ListOfItem(id)]);
        let step = SetAlert {
            shopper,
            id,
            email,
            mailing: self.recovery.signer.is_some() && self.recovery.hasher.is_some(),
        };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }

    /// What the catalog says now about `ids` (the back-in-stock job's one
    /// lookup per batch).
    pub async fn catalog_now(&self, ids: &[VariantId]) -> CatalogSnapshot {
        self.lookup(ids).await
    }
}

/// The transaction of SetBackInStockAlert.
struct SetAlert<'a> {
    shopper: &'a Shopper,
    id: ListItemId,
    email: Option<Email>,
    /// Whether this service can sign and hash what the e-mail needs.
    mailing: bool,
}

impl Step for SetAlert<'_> {
    type Locked = (ShoppingList, Vec<ListItem>, usize);
    type Output = ListOutcome;

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        Ok((lock_item(ctx, self.shopper, self.id).await?, 0))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<ListOutcome, ServiceError> {
        let (mut list, mut items, at) = locked;
        if self.email.is_some() && !self.mailing {
            // Nothing would ever send it.
            return Err(Rejection::RecoveryDisabled.into());
        }
        let item = &mut items[at];
        match &self.email {
            Some(email) => {
                let known = ctx.snapshot.get(&item.line.variant_id);
                let stocked = in_stock(known).ok_or(Rejection::CatalogUnavailable)?;
                let out_since = (!stocked).then_some(ctx.now);
                alerts::set(ctx.tx(), self.id, email.as_str(), out_since, ctx.now).await?;
            }
            None => alerts::clear(ctx.tx(), self.id).await?,
        }
        item.alert = self.email.is_some();
        let event = ListEvent::AlertSet {
            list_item_id: self.id,
            on: item.alert,
        };
        save_list(ctx, &mut list, &[], &[event]).await?;
        Ok(ListOutcome(Some((list, items))))
    }
}
