//! The shopper's lists: GetLists, CreateWishList, DeleteList, AddListItem,
//! UpdateListItem and RemoveListItem (the moves between cart and list are
//! in [`super::list_moves`]), and the saved-for-later list's merge at
//! sign-in.

use super::idempotency::Scope;
use super::output::ListOutcome;
use super::prefetch::Touches;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::adjustment::Adjustment;
use crate::domain::cart::Shopper;
use crate::domain::event::ListEvent;
use crate::domain::ids::{ListId, ListItemId};
use crate::domain::list::{
    self, ListItem, ListItemChange, ListKind, ListName, ListRef, ListView, MAX_WISH_LISTS,
    ShoppingList,
};
use crate::domain::quantity::Quantity;
use crate::domain::rules::lists::{line_for, merge_lists, save};
use crate::domain::rules::{AddItem, Rejection};
use crate::storage::{StorageError, lists};

impl CartService {
    /// The shopper's lists with their items, joined with the catalog (one
    /// lookup): the saved-for-later list first (empty, without an id, until
    /// something is saved), then the wish lists, oldest first.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn get_lists(&self, shopper: &Shopper) -> Result<Vec<ListView>, ServiceError> {
        let conn = self.db.conn();
        let found = lists::of_shopper(conn, shopper).await?;
        let ids: Vec<ListId> = found.iter().map(|l| l.id).collect();
        let mut items = lists::items_of(conn, &ids).await?;
        let snapshot = self
            .lookup(items.iter().map(|(_, i)| &i.line.variant_id))
            .await;
        let settings = &self.policy.view;
        let mut views = Vec::with_capacity(found.len() + 1);
        if found.first().map(|l| l.kind) != Some(ListKind::SavedForLater) {
            views.push(list::view(None, Vec::new(), &snapshot, settings));
        }
        for found in found {
            let (mine, rest) = items.into_iter().partition(|(id, _)| *id == found.id);
            items = rest;
            let mine = mine.into_iter().map(|(_, item)| item).collect();
            views.push(list::view(Some(found), mine, &snapshot, settings));
        }
        Ok(views)
    }

    /// Makes a wish list named `name` for the signed-in shopper.
    ///
    /// # Errors
    /// `WishListsNeedSignIn`, `ListLimit`, `ListNameTaken`; the write
    /// pipeline's errors.
    pub async fn create_wish_list(
        &self,
        shopper: &Shopper,
        name: ListName,
        opts: &WriteOptions<Option<ListView>>,
    ) -> Result<Written<Option<ListView>>, ServiceError> {
        let catalog = self.prefetch(Vec::new());
        let step = CreateWishList { shopper, name };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }

    /// Deletes one of the shopper's lists with its items (the
    /// saved-for-later list: made again by the next save).
    ///
    /// # Errors
    /// `ListNotFound`; the write pipeline's errors.
    pub async fn delete_list(
        &self,
        shopper: &Shopper,
        id: ListRef,
        opts: &WriteOptions<()>,
    ) -> Result<Written<()>, ServiceError> {
        let catalog = self.prefetch(Vec::new());
        let step = DeleteList { shopper, id };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }

    /// Saves `add` (with `note`) into list `to`: onto the item of the same
    /// variant, or as a new item at today's price.
    ///
    /// # Errors
    /// `VariantNotFound`, `VariantInactive`, `CatalogUnavailable`,
    /// `ListNotFound`, `ListFull`; the pipeline's.
    pub async fn add_list_item(
        &self,
        shopper: &Shopper,
        to: ListRef,
        add: AddItem,
        note: Option<String>,
        opts: &WriteOptions<(Option<ListView>, Vec<Adjustment>)>,
    ) -> Result<Written<(Option<ListView>, Vec<Adjustment>)>, ServiceError> {
        let catalog = self.prefetch(vec![
            Touches::List(shopper, to),
            Touches::Variants(vec![add.variant_id.clone()]),
        ]);
        let step = AddListItem {
            shopper,
            to,
            add,
            note,
        };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }

    /// Sets item `id`'s quantity and/or note.
    ///
    /// # Errors
    /// `ListItemNotFound`; the write pipeline's errors.
    pub async fn update_list_item(
        &self,
        shopper: &Shopper,
        id: ListItemId,
        edit: (Option<Quantity>, Option<Option<String>>),
        opts: &WriteOptions<Option<ListView>>,
    ) -> Result<Written<Option<ListView>>, ServiceError> {
        let catalog = self.prefetch(vec![Touches::ListOfItem(id)]);
        let (quantity, note) = edit;
        let step = UpdateListItem {
            shopper,
            id,
            quantity,
            note,
        };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }

    /// Removes item `id` from the shopper's list that holds it.
    ///
    /// # Errors
    /// `ListItemNotFound`; the write pipeline's errors.
    pub async fn remove_list_item(
        &self,
        shopper: &Shopper,
        id: ListItemId,
        opts: &WriteOptions<Option<ListView>>,
    ) -> Result<Written<Option<ListView>>, ServiceError> {
        let catalog = self.prefetch(vec![Touches::ListOfItem(id)]);
        let step = RemoveListItem { shopper, id };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }
}

/// List `to` of `shopper`'s, locked, with its items. The saved-for-later
/// list is made (with its `list_created` event) when it does not exist yet.
///
/// # Errors
/// `ListNotFound` for a list that is not the shopper's; `Conflict` when a
/// concurrent call made the saved-for-later list first (the retry finds it).
pub(super) async fn lock_list(
    ctx: &Ctx<'_>,
    shopper: &Shopper,
    to: ListRef,
) -> Result<(ShoppingList, Vec<ListItem>), ServiceError> {
    let list = match to {
        ListRef::Id(id) => lists::find(ctx.tx(), id, true)
            .await?
            .filter(|l| l.is_owned_by(shopper))
            .ok_or(Rejection::ListNotFound(id))?,
        ListRef::SavedForLater => match lists::saved_for_later(ctx.tx(), shopper, true).await? {
            Some(list) => list,
            None => {
                let list = ShoppingList::saved_for_later(shopper, ctx.now);
                let created = [ListEvent::Created { kind: list.kind }];
                if !lists::insert_if_absent(ctx.tx(), &list, &created, ctx.now).await? {
                    let raced = StorageError::raced("a saved-for-later list was made");
                    return Err(ServiceError::Conflict(raced));
                }
                list
            }
        },
    };
    let items = lists::items(ctx.tx(), list.id).await?;
    Ok((list, items))
}

/// The shopper's list holding item `id`, locked, with its items and the
/// item's position among them.
///
/// # Errors
/// `ListItemNotFound` unless one of the shopper's lists holds it (after the
/// lock: a concurrent move may have taken it).
pub(super) async fn lock_item(
    ctx: &Ctx<'_>,
    shopper: &Shopper,
    id: ListItemId,
) -> Result<(ShoppingList, Vec<ListItem>, usize), ServiceError> {
    let gone = || ServiceError::from(Rejection::ListItemNotFound(id));
    let list = lists::list_of_item(ctx.tx(), id).await?.ok_or_else(gone)?;
    let list = lists::find(ctx.tx(), list, true)
        .await?
        .filter(|l| l.is_owned_by(shopper))
        .ok_or_else(gone)?;
    let items = lists::items(ctx.tx(), list.id).await?;
    let at = items.iter().position(|i| i.id == id).ok_or_else(gone)?;
    Ok((list, items, at))
}

/// Writes `changes` to `list` with `events`, one version later.
pub(super) async fn save_list(
    ctx: &Ctx<'_>,
    list: &mut ShoppingList,
    changes: &[ListItemChange],
    events: &[ListEvent],
) -> Result<(), ServiceError> {
    lists::apply(ctx.tx(), list.id, changes, ctx.now).await?;
    list.touch(ctx.now);
    lists::save(ctx.tx(), list, events, ctx.now).await?;
    Ok(())
}

/// At sign-in: the guest's saved-for-later list goes into the customer's
/// (made if needed), one item per variant, and is deleted. Runs inside
/// MergeGuestCart's transaction, after both carts are locked.
pub(super) async fn merge_saved_lists(
    ctx: &Ctx<'_>,
    guest: &Shopper,
    customer: &Shopper,
) -> Result<(), ServiceError> {
    let Some(theirs) = lists::saved_for_later(ctx.tx(), guest, true).await? else {
        return Ok(());
    };
    let guest_items = lists::items(ctx.tx(), theirs.id).await?;
    let (mut mine, mut items) = lock_list(ctx, customer, ListRef::SavedForLater).await?;
    let merged = merge_lists(&mine, &mut items, &guest_items, ctx.now);
    let event = ListEvent::MergedFrom {
        from_list_id: theirs.id,
        added: merged.added,
        combined: merged.combined,
        dropped: merged.dropped,
    };
    save_list(ctx, &mut mine, &merged.changes, &[event]).await?;
    let into = ListEvent::MergedInto {
        into_list_id: mine.id,
    };
    lists::delete(ctx.tx(), theirs.id, &[into], ctx.now).await?;
    Ok(())
}

/// The transaction of CreateWishList.
struct CreateWishList<'a> {
    shopper: &'a Shopper,
    name: ListName,
}

impl Step for CreateWishList<'_> {
    type Locked = ();
    type Output = ListOutcome;

    async fn lock(&self, _ctx: &Ctx<'_>) -> Result<((), i64), ServiceError> {
        Ok(((), 0))
    }

    async fn apply(&self, ctx: &Ctx<'_>, (): ()) -> Result<ListOutcome, ServiceError> {
        let Some(customer) = &self.shopper.customer_id else {
            return Err(Rejection::WishListsNeedSignIn.into());
        };
        lists::lock_wish_lists(ctx.tx(), customer).await?;
        let count = lists::wish_list_count(ctx.tx(), customer).await?;
        if count >= MAX_WISH_LISTS as u64 {
            return Err(Rejection::ListLimit {
                max_lists: MAX_WISH_LISTS,
            }
            .into());
        }
        let list = ShoppingList::new(
            self.shopper,
            ListKind::WishList,
            self.name.as_str(),
            ctx.now,
        );
        let created = [ListEvent::Created { kind: list.kind }];
        if !lists::insert_if_absent(ctx.tx(), &list, &created, ctx.now).await? {
            return Err(Rejection::ListNameTaken(self.name.as_str().to_owned()).into());
        }
        Ok(ListOutcome(Some((list, Vec::new()))))
    }
}

/// The transaction of DeleteList.
struct DeleteList<'a> {
    shopper: &'a Shopper,
    id: ListRef,
}

impl Step for DeleteList<'_> {
    /// The list; `None`: a saved-for-later list never made (nothing to do).
    type Locked = Option<(ShoppingList, Vec<ListItem>)>;
    type Output = ();

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let locked = match self.id {
            ListRef::Id(_) => Some(lock_list(ctx, self.shopper, self.id).await?),
            // Not made for the occasion: nothing to delete without one.
            ListRef::SavedForLater => {
                match lists::saved_for_later(ctx.tx(), self.shopper, true).await? {
                    Some(list) => Some((list.clone(), lists::items(ctx.tx(), list.id).await?)),
                    None => None,
                }
            }
        };
        Ok((locked, 0))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        let Some((list, items)) = locked else {
            return Ok(());
        };
        let deleted = [ListEvent::Deleted { items: items.len() }];
        lists::delete(ctx.tx(), list.id, &deleted, ctx.now).await?;
        Ok(())
    }
}

/// The transaction of AddListItem.
struct AddListItem<'a> {
    shopper: &'a Shopper,
    to: ListRef,
    add: AddItem,
    note: Option<String>,
}

impl Step for AddListItem<'_> {
    type Locked = (ShoppingList, Vec<ListItem>);
    type Output = (ListOutcome, Vec<Adjustment>);

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        Ok((lock_list(ctx, self.shopper, self.to).await?, 0))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        let (mut list, mut items) = locked;
        let known = ctx.snapshot.get(&self.add.variant_id);
        let line = line_for(known, self.add.clone(), ctx.now)?;
        let saved = save(&list, &mut items, &line, self.note.clone(), ctx.now)?;
        let event = ListEvent::ItemSaved {
            list_item_id: saved.item_id,
            variant_id: line.variant_id.clone(),
            added: saved.added,
            quantity: saved.quantity.get(),
            unit_price: line.unit_price.amount,
            from_cart_id: None,
        };
        save_list(ctx, &mut list, &[saved.change], &[event]).await?;
        let adjustments = saved.adjustment.into_iter().collect();
        Ok((ListOutcome(Some((list, items))), adjustments))
    }
}

/// The transaction of UpdateListItem.
struct UpdateListItem<'a> {
    shopper: &'a Shopper,
    id: ListItemId,
    quantity: Option<Quantity>,
    note: Option<Option<String>>,
}

impl Step for UpdateListItem<'_> {
    type Locked = (ShoppingList, Vec<ListItem>, usize);
    type Output = ListOutcome;

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        Ok((lock_item(ctx, self.shopper, self.id).await?, 0))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        let (mut list, mut items, at) = locked;
        let item = &mut items[at];
        let from = item.line.quantity;
        if let Some(quantity) = self.quantity {
            item.line.quantity = quantity;
            item.line.updated_at = ctx.now;
        }
        let note_changed = self.note.as_ref().is_some_and(|n| *n != item.note);
        if let Some(note) = &self.note {
            item.note.clone_from(note);
        }
        let change = ListItemChange::Updated {
            id: item.id,
            quantity: item.line.quantity,
            note: item.note.clone(),
            metadata: item.line.metadata.clone(),
        };
        let event = ListEvent::ItemUpdated {
            list_item_id: item.id,
            variant_id: item.line.variant_id.clone(),
            from: from.get(),
            to: item.line.quantity.get(),
            note_changed,
        };
        save_list(ctx, &mut list, &[change], &[event]).await?;
        Ok(ListOutcome(Some((list, items))))
    }
}

/// The transaction of RemoveListItem.
struct RemoveListItem<'a> {
    shopper: &'a Shopper,
    id: ListItemId,
}

impl Step for RemoveListItem<'_> {
    type Locked = (ShoppingList, Vec<ListItem>, usize);
    type Output = ListOutcome;

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        Ok((lock_item(ctx, self.shopper, self.id).await?, 0))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        let (mut list, mut items, at) = locked;
        let item = items.remove(at);
        let event = ListEvent::ItemRemoved {
            list_item_id: item.id,
            variant_id: item.line.variant_id,
            quantity: item.line.quantity.get(),
            to_cart_id: None,
        };
        let change = ListItemChange::Removed(item.id);
        save_list(ctx, &mut list, &[change], &[event]).await?;
        Ok(ListOutcome(Some((list, items))))
    }
}
