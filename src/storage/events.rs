//! The event repository: appending to a cart's (or a list's) log and
//! reading a cart's back.

use chrono::{DateTime, Utc};
use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use super::StorageError;
use super::entity::cart_events;
use super::sql::{Guard, Sql};
use crate::domain::event::{Event, ListEvent, RecordedEvent};
use crate::domain::ids::{CartId, ListId};

/// A log of events: its table and the column naming what it is the log of.
#[derive(Debug, Clone, Copy)]
pub(super) struct Log {
    table: &'static str,
    key: &'static str,
}

/// The cart's log.
pub(super) const CART_LOG: Log = Log {
    table: "cart_events",
    key: "cart_id",
};

/// A list's log.
const LIST_LOG: Log = Log {
    table: "list_events",
    key: "list_id",
};

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
    append_to(conn, CART_LOG, cart_id.uuid(), events, now).await
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
    append_to(conn, LIST_LOG, list_id.uuid(), events, now).await
}

/// Appends `events` (type name and data) to `log`, the log of the row `id`,
/// in one statement.
async fn append_to<'a>(
    conn: &impl ConnectionTrait,
    log: Log,
    id: Uuid,
    events: impl ExactSizeIterator<Item = (&'a str, Value)>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    if events.len() == 0 {
        return Ok(());
    }
    let mut sql = Sql::new(conn.get_database_backend());
    sql.text = insert(&mut sql, log, id, events, now, Guard::None);
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

/// The statement appending `events` to `log`, the log of the row `id`,
/// numbered after its last sequence number (a sub-statement of a cart's
/// write when guarded by its header).
pub(super) fn insert<'a>(
    sql: &mut Sql,
    log: Log,
    id: Uuid,
    events: impl Iterator<Item = (&'a str, Value)>,
    now: DateTime<Utc>,
    guard: Guard,
) -> String {
    let Log { table, key } = log;
    let id = sql.bind(id);
    let at = sql.bind(now);
    let rows = events
        .enumerate()
        .map(|(n, (kind, data))| {
            let (kind, data) = (sql.bind(kind), sql.bind(data));
            format!("SELECT {} AS n, {kind} AS kind, {data} AS data", n + 1)
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!(
        "INSERT INTO {table} ({key}, seq, event_type, event_data, created_at) \
         SELECT {id}, last.seq + e.n, e.kind, e.data, {at} \
         FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM {table} WHERE {key} = {id}) last, \
         ({rows}) e WHERE TRUE{guard}",
        guard = guard.and()
    )
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
