//! The demand count: units of each variant held in active, unexpired carts,
//! recounted by the demand job (one aggregate per run on one replica, never
//! per read) into `variant_demand`, and read whole by every replica.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::StorageError;
use super::sql::statement;
use crate::domain::demand::Demand;
use crate::domain::ids::VariantId;

/// Replaces the count with one taken at `now`. Run in one transaction, so
/// readers see the old count or the new one, never half.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn recount(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, StorageError> {
    conn.execute_raw(statement(conn, "DELETE FROM variant_demand", vec![]))
        .await?;
    let counted = conn
        .execute_raw(statement(
            conn,
            "INSERT INTO variant_demand (variant_id, units, counted_at) \
             SELECT i.variant_id, SUM(i.quantity), $1 FROM cart_items i \
             JOIN carts c ON c.id = i.cart_id \
             WHERE c.status = 'active' AND c.expires_at > $1 \
             GROUP BY i.variant_id",
            vec![now.into()],
        ))
        .await?;
    Ok(counted.rows_affected())
}

/// When the latest count was taken; `None` before any (or when no cart
/// held anything).
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn counted_at(
    conn: &impl ConnectionTrait,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT MAX(counted_at) AS at FROM variant_demand",
            vec![],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<Option<DateTime<Utc>>>("", "at"))
        .transpose()?
        .flatten())
}

/// The latest count.
///
/// # Errors
/// [`StorageError`] on database failure; `Corrupt` for a stored variant id
/// that does not parse.
pub async fn load(conn: &impl ConnectionTrait) -> Result<Demand, StorageError> {
    let rows = conn
        .query_all_raw(statement(
            conn,
            "SELECT variant_id, units FROM variant_demand",
            vec![],
        ))
        .await?;
    let mut units = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("", "variant_id")?;
        let held: i64 = row.try_get("", "units")?;
        let id = VariantId::parse(&id)
            .map_err(|e| StorageError::Corrupt(format!("variant_demand.variant_id: {e}")))?;
        units.insert(id, held);
    }
    Ok(Demand::new(units))
}
