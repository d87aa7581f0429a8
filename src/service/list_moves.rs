//! MoveItemToList and MoveListItemToCart: a line moves between the cart and
//! a list in one transaction that locks the cart, then the list, so after a
//! success it is in exactly one place (a second, concurrent move of the same
//! line finds it gone: NOT_FOUND).

use super::idempotency::Scope;
use super::lists::{lock_item, lock_list, save_list};
use super::output::{CartOutcome, CartWritten, ListOutcome};
use super::own_cart::{lock_active, own_or_new};
use super::prefetch::Touches;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, LineChange, Shopper};
use crate::domain::event::{Event, ListEvent};
use crate::domain::ids::{ItemId, ListItemId};
use crate::domain::list::{ListItem, ListItemChange, ListRef, ListView, ShoppingList};
use crate::domain::rules::Rejection;
use crate::domain::rules::lists::{save_whole, take};
use crate::storage::lines;

/// What a move leaves: the cart, and the list, afterwards.
pub type Moved = (CartWritten, Option<ListView>);

impl CartService {
    /// Moves cart line `item` into list `to` (saved for later by default).
    ///
    /// # Errors
    /// `ItemNotFound`, `ListNotFound`, `ListFull`; the pipeline's.
    pub async fn move_item_to_list(
        &self,
        shopper: &Shopper,
        item: ItemId,
        to: ListRef,
        opts: &WriteOptions<Moved>,
    ) -> Result<Written<Moved>, ServiceError> {
        let catalog = self.prefetch(vec![
            Touches::ActiveCart(shopper),
            Touches::List(shopper, to),
        ]);
        let step = ToList { shopper, item, to };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }

    /// Moves list item `item` into the shopper's cart (made if needed) at
    /// today's price, by the MERGE rules.
    ///
    /// # Errors
    /// `ListItemNotFound`; AddItem's refusals when not one unit can move;
    /// the pipeline's.
    pub async fn move_list_item_to_cart(
        &self,
        shopper: &Shopper,
        item: ListItemId,
        opts: &WriteOptions<Moved>,
    ) -> Result<Written<Moved>, ServiceError> {
        let catalog = self.prefetch(vec![
            Touches::ActiveCart(shopper),
            Touches::ListOfItem(item),
        ]);
        let step = ToCart { shopper, item };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }
}

/// The transaction of MoveItemToList.
struct ToList<'a> {
    shopper: &'a Shopper,
    item: ItemId,
    to: ListRef,
}

impl Step for ToList<'_> {
    /// The shopper's cart, then the list, locked.
    type Locked = (Cart, ShoppingList, Vec<ListItem>);
    type Output = (CartOutcome, ListOutcome);

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let cart = lock_active(ctx, self.shopper)
            .await?
            .ok_or(Rejection::ItemNotFound(self.item))?;
        let (list, items) = lock_list(ctx, self.shopper, self.to).await?;
        let version = cart.version;
        Ok(((cart, list, items), version))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        let (mut cart, mut list, mut items) = locked;
        let mut lines = lines::of_cart(ctx.tx(), &cart).await?;
        let at = (lines.iter().position(|l| l.id == self.item))
            .ok_or(Rejection::ItemNotFound(self.item))?;
        let line = lines.remove(at);
        let saved = save_whole(&list, &mut items, &line, ctx.now)?;
        let moved = Event::ItemMovedToList {
            item_id: line.id,
            variant_id: line.variant_id.clone(),
            quantity: line.quantity.get(),
            list_id: list.id,
            list_item_id: saved.item_id,
        };
        let removed = [LineChange::Removed(line.id)];
        ctx.write_cart(&mut cart, false, &removed, vec![moved])
            .await?;
        let event = ListEvent::ItemSaved {
            list_item_id: saved.item_id,
            variant_id: line.variant_id,
            added: saved.added,
            quantity: saved.quantity.get(),
            unit_price: line.unit_price.amount,
            from_cart_id: Some(cart.id),
        };
        save_list(ctx, &mut list, &[saved.change], &[event]).await?;
        let cart = CartOutcome {
            adjustments: saved.adjustment.into_iter().collect(),
            ..CartOutcome::of(Some(cart), lines)
        };
        Ok((cart, ListOutcome(Some((list, items)))))
    }
}

/// The transaction of MoveListItemToCart.
struct ToCart<'a> {
    shopper: &'a Shopper,
    item: ListItemId,
}

impl Step for ToCart<'_> {
    /// The shopper's cart (if any), then the item's list, locked.
    type Locked = (Option<Cart>, ShoppingList, Vec<ListItem>, usize);
    type Output = (CartOutcome, ListOutcome);

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let cart = lock_active(ctx, self.shopper).await?;
        let (list, items, at) = lock_item(ctx, self.shopper, self.item).await?;
        let version = cart.as_ref().map_or(0, |c| c.version);
        Ok(((cart, list, items, at), version))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        let (own, mut list, mut items, at) = locked;
        let (mut cart, mut lines, new) = own_or_new(ctx, self.shopper, own).await?;
        let item = items.remove(at);
        let before = held(&lines, &item);
        let change = take(
            &cart,
            &mut lines,
            &item,
            ctx.snapshot,
            ctx.policy.limits,
            ctx.now,
        )?;
        let line = (lines.iter().find(|l| l.variant_id == item.line.variant_id))
            .ok_or(Rejection::ListItemNotFound(self.item))?;
        let moved = Event::ItemMovedFromList {
            list_id: list.id,
            list_item_id: item.id,
            item_id: line.id,
            variant_id: line.variant_id.clone(),
            // Taking never lowers a line (the MERGE rules keep what is held).
            added: line.quantity.get().saturating_sub(before),
            quantity: line.quantity.get(),
            unit_price: line.unit_price.amount,
            adjustments: change.adjustments.clone(),
        };
        ctx.write_cart(&mut cart, new, &change.lines, vec![moved])
            .await?;
        let event = ListEvent::ItemRemoved {
            list_item_id: item.id,
            variant_id: item.line.variant_id,
            quantity: item.line.quantity.get(),
            to_cart_id: Some(cart.id),
        };
        let removed = ListItemChange::Removed(item.id);
        save_list(ctx, &mut list, &[removed], &[event]).await?;
        let cart = CartOutcome {
            adjustments: change.adjustments,
            ..CartOutcome::of(Some(cart), lines)
        };
        Ok((cart, ListOutcome(Some((list, items)))))
    }
}

/// Units of `item`'s variant the cart holds.
fn held(lines: &[crate::domain::cart::Line], item: &ListItem) -> u32 {
    lines
        .iter()
        .find(|l| l.variant_id == item.line.variant_id)
        .map_or(0, |l| l.quantity.get())
}
