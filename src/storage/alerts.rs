//! Back-in-stock alerts: which list items to watch for whom, their state
//! (`out_since`: seen out of stock, not yet told), and queueing their
//! e-mail in the recovery outbox.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::StorageError;
use super::sql::statement;
use crate::domain::ids::{ListId, ListItemId, ProductId, VariantId};

/// An alert as the job sees it, with its item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The item.
    pub list_item_id: ListItemId,
    /// Its list.
    pub list_id: ListId,
    /// Whom to tell.
    pub email: String,
    /// Set while the variant was last seen out of stock.
    pub out_since: Option<DateTime<Utc>>,
    /// The item's product.
    pub product_id: ProductId,
    /// The item's variant.
    pub variant_id: VariantId,
}

/// Sets item `id`'s alert to `email`. A new alert is seen out of stock
/// since `out_since` (`None`: in stock now); an existing one keeps its mark
/// and its turn, so setting it again never loses a pending restock.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn set(
    conn: &impl ConnectionTrait,
    id: ListItemId,
    email: &str,
    out_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let changed = conn
        .execute_raw(statement(
            conn,
            "UPDATE list_item_alerts SET email = $2 WHERE list_item_id = $1",
            vec![id.uuid().into(), email.into()],
        ))
        .await?;
    if changed.rows_affected() == 1 {
        return Ok(());
    }
    conn.execute_raw(statement(
        conn,
        "INSERT INTO list_item_alerts (list_item_id, email, out_since, checked_at, created_at) \
         VALUES ($1, $2, $3, $4, $4)",
        vec![id.uuid().into(), email.into(), out_since.into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// Removes item `id`'s alert, if any.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn clear(conn: &impl ConnectionTrait, id: ListItemId) -> Result<(), StorageError> {
    conn.execute_raw(statement(
        conn,
        "DELETE FROM list_item_alerts WHERE list_item_id = $1",
        vec![id.uuid().into()],
    ))
    .await?;
    Ok(())
}

/// Which of `items` have an alert.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn of_items(
    conn: &impl ConnectionTrait,
    items: &[ListItemId],
) -> Result<Vec<ListItemId>, StorageError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=items.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT list_item_id FROM list_item_alerts WHERE list_item_id IN ({})",
        placeholders.join(", ")
    );
    let values = items.iter().map(|id| id.uuid().into()).collect();
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| Ok(ListItemId::from_uuid(row.try_get_by_index(0)?)))
        .collect()
}

/// Up to `limit` alerts, least recently checked first, each marked checked
/// at `now`.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn next_batch(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Alert>, StorageError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT a.list_item_id, i.list_id, a.email, a.out_since, i.product_id, \
             i.variant_id FROM list_item_alerts a \
             JOIN list_items i ON i.id = a.list_item_id \
             ORDER BY a.checked_at, a.list_item_id LIMIT $1",
            vec![i64::try_from(limit).unwrap_or(i64::MAX).into()],
        ))
        .await?;
    let corrupt = |what: &str, e: crate::domain::ParseError| {
        StorageError::Corrupt(format!("list_items.{what}: {e}"))
    };
    let mut alerts = Vec::with_capacity(rows.len());
    for row in &rows {
        let product: String = row.try_get_by_index(4)?;
        let variant: String = row.try_get_by_index(5)?;
        let alert = Alert {
            list_item_id: ListItemId::from_uuid(row.try_get_by_index(0)?),
            list_id: ListId::from_uuid(row.try_get_by_index(1)?),
            email: row.try_get_by_index(2)?,
            out_since: row.try_get_by_index(3)?,
            product_id: ProductId::parse(&product).map_err(|e| corrupt("product_id", e))?,
            variant_id: VariantId::parse(&variant).map_err(|e| corrupt("variant_id", e))?,
        };
        alerts.push(alert);
    }
    if !alerts.is_empty() {
        let placeholders: Vec<String> = (2..=alerts.len() + 1).map(|n| format!("${n}")).collect();
        let sql = format!(
            "UPDATE list_item_alerts SET checked_at = $1 WHERE list_item_id IN ({})",
            placeholders.join(", ")
        );
        let mut values = vec![now.into()];
        values.extend(alerts.iter().map(|a| a.list_item_id.uuid().into()));
        conn.execute_raw(statement(conn, &sql, values)).await?;
    }
    Ok(alerts)
}

/// Notes item `id`'s variant seen out of stock at `now` (kept if already
/// noted).
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn seen_out(
    conn: &impl ConnectionTrait,
    id: ListItemId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.execute_raw(statement(
        conn,
        "UPDATE list_item_alerts SET out_since = $2 \
         WHERE list_item_id = $1 AND out_since IS NULL",
        vec![id.uuid().into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// Claims the restock of item `id`: clears `out_since` if it was set and
/// returns the alert's address as it is now, or `None` when another run
/// claimed it first or the alert is gone (so one e-mail goes per restock).
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn claim_restock(
    conn: &impl ConnectionTrait,
    id: ListItemId,
) -> Result<Option<String>, StorageError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "UPDATE list_item_alerts SET out_since = NULL \
             WHERE list_item_id = $1 AND out_since IS NOT NULL RETURNING email",
            vec![id.uuid().into()],
        ))
        .await?;
    Ok(row.map(|r| r.try_get_by_index(0)).transpose()?)
}
