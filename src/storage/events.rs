//! The event repository: appending to a cart's (or a list's) log and
//! reading a cart's back.

use chrono::{DateTime, Utc};
use sea_orm::prelude::Uuid;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use serde_json::Value;

use super::StorageError;
use super::entity::cart_events;
use crate::domain::event::{Event, ListEvent, RecordedEvent};
use crate::domain::ids::{CartId, ListId};

/// Appends events to the cart's log, each with the next per-cart sequence
/// number. Callers hold the cart's lock, so numbers are gap-free; the primary
/// key (cart_id, seq) would refuse a duplicate anyway.
///
/// # Errors
/// [`StorageError`] on database failure.
pub(super) async fn append(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let events = events.iter().map(|e| (e.kind().as_str(), e.data()));
    append_to(conn, "cart_events", "cart_id", cart_id.uuid(), events, now).await
}

/// Appends events to the log of list `list_id` (`list_events`), as
/// [`append`] does to a cart's; callers hold the list's lock.
///
/// # Errors
/// [`StorageError`] on database failure.
pub(super) async fn append_list(
    conn: &impl ConnectionTrait,
    list_id: ListId,
    events: &[ListEvent],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let events = events.iter().map(|e| (e.kind(), e.data()));
    append_to(conn, "list_events", "list_id", list_id.uuid(), events, now).await
}

/// Appends `events` (type name and data) to `table`, the log of the row `id`
/// names in `key`.
async fn append_to<'a>(
    conn: &impl ConnectionTrait,
    table: &str,
    key: &str,
    id: Uuid,
    events: impl Iterator<Item = (&'a str, Value)>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let backend = conn.get_database_backend();
    let p = |n: u8| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    };
    let sql = format!(
        "INSERT INTO {table} ({key}, seq, event_type, event_data, created_at) \
         SELECT {id}, COALESCE(MAX(seq), 0) + 1, {kind}, {data}, {at} \
         FROM {table} WHERE {key} = {id}",
        id = p(1),
        kind = p(2),
        data = p(3),
        at = p(4),
    );
    for (kind, data) in events {
        let stmt = Statement::from_sql_and_values(
            backend,
            sql.clone(),
            [id.into(), kind.into(), data.into(), now.into()],
        );
        conn.execute_raw(stmt).await?;
    }
    Ok(())
}

/// At most `limit` events of the cart with a sequence number above `after`,
/// oldest first.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn after(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    after: i64,
    limit: u64,
) -> Result<Vec<RecordedEvent>, StorageError> {
    let rows: Vec<(i64, String, Value, DateTime<Utc>)> = cart_events::Entity::find()
        .select_only()
        .column(cart_events::Column::Seq)
        .column(cart_events::Column::EventType)
        .column(cart_events::Column::EventData)
        .column(cart_events::Column::CreatedAt)
        .filter(cart_events::Column::CartId.eq(cart_id.uuid()))
        .filter(cart_events::Column::Seq.gt(after))
        .order_by_asc(cart_events::Column::Seq)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, kind, data, created_at)| RecordedEvent {
            seq,
            kind,
            data,
            created_at,
        })
        .collect())
}
