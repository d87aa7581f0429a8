//! AddItems and UpdateItems: up to 50 lines in one call, run as one edit
//! (one transaction, one catalog lookup) whose rule applies AddItem's or
//! UpdateItem's rule to each line in order. A refused line refuses the
//! batch, naming its position; nothing is written.

use super::edit::{Needs, WhenAbsent};
use super::output::CartWritten;
use super::write::{WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, Line, Shopper};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::device::DeviceSignals;
use crate::domain::ids::{ItemId, VariantId};
use crate::domain::quantity::Quantity;
use crate::domain::rules::{self, AddItem, Change, Rejection};

/// Line `index`'s refusal as the batch's. A catalog that does not answer is
/// no line's fault: it stays UNAVAILABLE, retryable as a whole.
fn at(index: usize, rejection: Rejection) -> Rejection {
    match rejection {
        Rejection::CatalogUnavailable => rejection,
        rejection => Rejection::InBatch {
            index,
            rejection: Box::new(rejection),
        },
    }
}

impl CartService {
    /// Adds every line of `adds`, in order, creating the cart if needed.
    ///
    /// # Errors
    /// As [`Self::add_item`], a line's refusal wrapped with its position.
    #[tracing::instrument(skip_all, fields(lines = adds.len()))]
    pub async fn add_items(
        &self,
        shopper: &Shopper,
        adds: Vec<AddItem>,
        device: Option<&DeviceSignals>,
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let variants: Vec<VariantId> = adds.iter().map(|a| a.variant_id.clone()).collect();
        let limits = self.policy.limits;
        let rule = |cart: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            adds.iter()
                .enumerate()
                .try_fold(Change::default(), |all, (index, add)| {
                    let known = catalog.get(&add.variant_id);
                    rules::add_item(cart, lines, known, add.clone(), limits, now)
                        .map(|change| all.then(change))
                        .map_err(|r| at(index, r))
                })
        };
        self.edit(
            shopper,
            (Needs::Variants(&variants), WhenAbsent::Create, device),
            opts,
            rule,
        )
        .await
    }

    /// Sets the quantity of every line of `updates` (`None` removes it).
    ///
    /// # Errors
    /// As [`Self::update_item`], a line's refusal wrapped with its position.
    #[tracing::instrument(skip_all, fields(lines = updates.len()))]
    pub async fn update_items(
        &self,
        shopper: &Shopper,
        updates: Vec<(ItemId, Option<Quantity>)>,
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        let rule = |_: &mut Cart, lines: &mut Vec<Line>, catalog: &CatalogSnapshot, now| {
            updates.iter().enumerate().try_fold(
                Change::default(),
                |all, (index, (item, quantity))| {
                    rules::update_item(lines, *item, *quantity, catalog, now)
                        .map(|change| all.then(change))
                        .map_err(|r| at(index, r))
                },
            )
        };
        self.edit(
            shopper,
            (Needs::EveryLine, WhenAbsent::WriteNothing, None),
            opts,
            rule,
        )
        .await
    }
}
