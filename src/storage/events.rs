//! The event repository: appending to a cart's log and reading it back.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};
use serde_json::Value;

use super::StorageError;
use super::entity::cart_events;
use crate::domain::event::{Event, RecordedEvent};
use crate::domain::ids::CartId;

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
    let backend = conn.get_database_backend();
    let p = |n: u8| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    };
    let sql = format!(
        "INSERT INTO cart_events (cart_id, seq, event_type, event_data, created_at) \
         SELECT {id}, COALESCE(MAX(seq), 0) + 1, {kind}, {data}, {at} \
         FROM cart_events WHERE cart_id = {id}",
        id = p(1),
        kind = p(2),
        data = p(3),
        at = p(4),
    );
    for event in events {
        let stmt = Statement::from_sql_and_values(
            backend,
            sql.clone(),
            [
                cart_id.uuid().into(),
                event.kind().as_str().into(),
                event.data().into(),
                now.into(),
            ],
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
