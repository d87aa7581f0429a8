//! The list repository: a shopper's lists and their items, and writing a
//! list rule's changes with the list's events.
//!
//! Lists are locked like carts: `SELECT … FOR UPDATE` on PostgreSQL, the
//! write transaction itself on SQLite. Writes that touch a cart lock it
//! before any list, so a move and a merge never wait on each other in a
//! cycle.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::StorageError;
use super::decimal::DbDecimal;
use super::entity::{list_items, shopping_lists};
use super::rows::{item_from_model, list_from_model};
use super::{alerts, events};
use crate::domain::cart::{Owner, Shopper};
use crate::domain::event::ListEvent;
use crate::domain::ids::{CustomerId, ListId, ListItemId};
use crate::domain::list::{ListItem, ListItemChange, ListKind, ShoppingList};
use crate::domain::metadata::Metadata;

/// The lists `shopper` owns (the rule: [`Shopper::owner`]).
fn owned_by(shopper: &Shopper) -> Condition {
    use shopping_lists::Column;
    match shopper.owner() {
        Owner::Customer(customer) => Condition::all().add(Column::CustomerId.eq(customer.as_str())),
        Owner::Guest(session) => Condition::all()
            .add(Column::CustomerId.is_null())
            .add(Column::SessionId.eq(session.as_str())),
    }
}

/// The shopper's lists: saved for later first, then wish lists oldest first.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn of_shopper(
    conn: &impl ConnectionTrait,
    shopper: &Shopper,
) -> Result<Vec<ShoppingList>, StorageError> {
    use shopping_lists::Column;
    let mut lists = shopping_lists::Entity::find()
        .filter(owned_by(shopper))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(list_from_model)
        .collect::<Result<Vec<_>, _>>()?;
    lists.sort_by_key(|l| l.kind != ListKind::SavedForLater);
    Ok(lists)
}

/// The shopper's saved-for-later list, locked when `lock` is set.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn saved_for_later(
    conn: &impl ConnectionTrait,
    shopper: &Shopper,
    lock: bool,
) -> Result<Option<ShoppingList>, StorageError> {
    let query = shopping_lists::Entity::find()
        .filter(owned_by(shopper))
        .filter(shopping_lists::Column::Kind.eq(ListKind::SavedForLater.as_str()));
    let query = if lock && conn.get_database_backend() == DbBackend::Postgres {
        query.lock_exclusive()
    } else {
        query
    };
    query.one(conn).await?.map(list_from_model).transpose()
}

/// List `id`, locked when `lock` is set.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: ListId,
    lock: bool,
) -> Result<Option<ShoppingList>, StorageError> {
    let query = shopping_lists::Entity::find_by_id(id.uuid());
    let query = if lock && conn.get_database_backend() == DbBackend::Postgres {
        query.lock_exclusive()
    } else {
        query
    };
    query.one(conn).await?.map(list_from_model).transpose()
}

/// The list item `id` is in, if any.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn list_of_item(
    conn: &impl ConnectionTrait,
    id: ListItemId,
) -> Result<Option<ListId>, StorageError> {
    let list: Option<sea_orm::prelude::Uuid> = list_items::Entity::find_by_id(id.uuid())
        .select_only()
        .column(list_items::Column::ListId)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(list.map(ListId::from_uuid))
}

/// The items of `lists`, each with its list, oldest first.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn items_of(
    conn: &impl ConnectionTrait,
    lists: &[ListId],
) -> Result<Vec<(ListId, ListItem)>, StorageError> {
    if lists.is_empty() {
        return Ok(Vec::new());
    }
    use list_items::Column;
    let mut items = list_items::Entity::find()
        .filter(Column::ListId.is_in(lists.iter().map(ListId::uuid)))
        .order_by_asc(Column::AddedAt)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| Ok((ListId::from_uuid(m.list_id), item_from_model(m)?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    let ids: Vec<ListItemId> = items.iter().map(|(_, i)| i.id).collect();
    let alerted = alerts::of_items(conn, &ids).await?;
    for (_, item) in &mut items {
        item.alert = alerted.contains(&item.id);
    }
    Ok(items)
}

/// The items of list `id`, oldest first.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn items(conn: &impl ConnectionTrait, id: ListId) -> Result<Vec<ListItem>, StorageError> {
    let items = items_of(conn, &[id]).await?;
    Ok(items.into_iter().map(|(_, item)| item).collect())
}

/// How many wish lists `customer` has.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn wish_list_count(
    conn: &impl ConnectionTrait,
    customer: &CustomerId,
) -> Result<u64, StorageError> {
    use shopping_lists::Column;
    Ok(shopping_lists::Entity::find()
        .filter(Column::CustomerId.eq(customer.as_str()))
        .filter(Column::Kind.eq(ListKind::WishList.as_str()))
        .count(conn)
        .await?)
}

/// Holds, for the rest of the transaction, the right to add a wish list of
/// `customer`'s (PostgreSQL: a transaction-scoped advisory lock, so two
/// concurrent creates cannot both pass the count; SQLite writes one at a
/// time anyway).
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn lock_wish_lists(
    conn: &impl ConnectionTrait,
    customer: &CustomerId,
) -> Result<(), StorageError> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    // Namespace 'list' (0x6c697374), then the customer's hash.
    let sql = "SELECT pg_advisory_xact_lock(1818850164, hashtext($1))";
    conn.execute_raw(sea_orm::Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [customer.as_str().into()],
    ))
    .await?;
    Ok(())
}

/// Inserts `list` with `events` unless a list it would clash with (the
/// owner's saved-for-later list, a wish list of the same name) exists:
/// false then.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn insert_if_absent(
    conn: &impl ConnectionTrait,
    list: &ShoppingList,
    events: &[ListEvent],
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let model = shopping_lists::ActiveModel {
        id: Set(list.id.uuid()),
        kind: Set(list.kind.as_str().to_owned()),
        name: Set(list.name.clone()),
        session_id: Set(list.session_id.as_str().to_owned()),
        customer_id: Set(list.customer_id.as_ref().map(|c| c.as_str().to_owned())),
        version: Set(list.version),
        created_at: Set(list.created_at),
        updated_at: Set(list.updated_at),
    };
    let inserted = shopping_lists::Entity::insert(model)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    if inserted == 1 {
        events::append_list(conn, list.id, events, now).await?;
    }
    Ok(inserted == 1)
}

/// Writes `list`'s version and times, and appends `events` to its log.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn save(
    conn: &impl ConnectionTrait,
    list: &ShoppingList,
    events: &[ListEvent],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    use shopping_lists::Column;
    shopping_lists::Entity::update_many()
        .col_expr(Column::Version, Expr::value(list.version))
        .col_expr(Column::UpdatedAt, Expr::value(list.updated_at))
        .filter(Column::Id.eq(list.id.uuid()))
        .exec(conn)
        .await?;
    events::append_list(conn, list.id, events, now).await
}

/// Appends `events` to `list`'s log without changing the list (no version
/// bump): for what happens beside it, such as an alert's e-mail.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn record(
    conn: &impl ConnectionTrait,
    list: ListId,
    events: &[ListEvent],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    events::append_list(conn, list, events, now).await
}

/// Deletes `list` (its items go with it), appending `events` to its log
/// first.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn delete(
    conn: &impl ConnectionTrait,
    list: ListId,
    events: &[ListEvent],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    events::append_list(conn, list, events, now).await?;
    list_items::Entity::delete_many()
        .filter(list_items::Column::ListId.eq(list.uuid()))
        .exec(conn)
        .await?;
    shopping_lists::Entity::delete_by_id(list.uuid())
        .exec(conn)
        .await?;
    Ok(())
}

/// Writes item changes of list `list` made at `now`.
///
/// # Errors
/// [`StorageError`] on database failure (a second item of one variant is a
/// conflict, which the write's retry resolves).
pub async fn apply(
    conn: &impl ConnectionTrait,
    list: ListId,
    changes: &[ListItemChange],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    use list_items::Column;
    for change in changes {
        match change {
            ListItemChange::Added(item) => insert(conn, list, item).await?,
            ListItemChange::Updated {
                id,
                quantity,
                note,
                metadata,
            } => {
                list_items::Entity::update_many()
                    .col_expr(Column::Quantity, Expr::value(quantity.column()))
                    .col_expr(Column::Note, Expr::value(note.clone()))
                    .col_expr(
                        Column::Metadata,
                        Expr::value(metadata.as_ref().map(Metadata::to_value)),
                    )
                    .col_expr(Column::UpdatedAt, Expr::value(now))
                    .filter(Column::ListId.eq(list.uuid()))
                    .filter(Column::Id.eq(id.uuid()))
                    .exec(conn)
                    .await?;
            }
            ListItemChange::Removed(id) => {
                list_items::Entity::delete_many()
                    .filter(Column::ListId.eq(list.uuid()))
                    .filter(Column::Id.eq(id.uuid()))
                    .exec(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Deletes up to `limit` guest sessions' lists last changed before
/// `cutoff`, with their items and their logs (a guest's list is the
/// session's data; a list deleted by its owner keeps its log).
/// Returns how many lists.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn purge_guest_batch(
    conn: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<u64, StorageError> {
    let mut stale = shopping_lists::Entity::find()
        .select_only()
        .column(shopping_lists::Column::Id)
        .filter(shopping_lists::Column::CustomerId.is_null())
        .filter(shopping_lists::Column::UpdatedAt.lt(cutoff))
        .limit(limit);
    if conn.get_database_backend() == DbBackend::Postgres {
        // A list a shopper's call holds is changing: not stale; the next
        // run sees it again.
        stale = stale.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let stale: Vec<sea_orm::prelude::Uuid> = stale.into_tuple().all(conn).await?;
    if stale.is_empty() {
        return Ok(0);
    }
    list_items::Entity::delete_many()
        .filter(list_items::Column::ListId.is_in(stale.iter().copied()))
        .exec(conn)
        .await?;
    let done = shopping_lists::Entity::delete_many()
        .filter(shopping_lists::Column::Id.is_in(stale.iter().copied()))
        .exec(conn)
        .await?;
    let logs = sea_orm::sea_query::Query::delete()
        .from_table(Alias::new("list_events"))
        .and_where(Expr::col(Alias::new("list_id")).is_in(stale))
        .to_owned();
    let backend = conn.get_database_backend();
    conn.execute_raw(backend.build(&logs)).await?;
    Ok(done.rows_affected)
}

async fn insert(
    conn: &impl ConnectionTrait,
    list: ListId,
    item: &ListItem,
) -> Result<(), StorageError> {
    let line = &item.line;
    let model = list_items::ActiveModel {
        id: Set(item.id.uuid()),
        list_id: Set(list.uuid()),
        product_id: Set(line.product_id.as_str().to_owned()),
        variant_id: Set(line.variant_id.as_str().to_owned()),
        quantity: Set(line.quantity.column()),
        price_at_time: Set(DbDecimal(line.unit_price.amount)),
        currency: Set(line.unit_price.currency.as_str().to_owned()),
        product_name: Set(line.product_name.clone()),
        variant_name: Set(line.variant_name.clone()),
        sku: Set(line.sku.clone()),
        metadata: Set(line.metadata.as_ref().map(Metadata::to_value)),
        note: Set(item.note.clone()),
        added_at: Set(line.added_at),
        updated_at: Set(line.updated_at),
    };
    list_items::Entity::insert(model)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
