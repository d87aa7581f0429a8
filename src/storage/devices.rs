//! Guest carts' device signals, as keyed hashes: stored on writes that carry
//! them, and the candidates of recovery by device found through the
//! `(signal, hash)` index.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};

use super::StorageError;
use super::sql::{delete_batch, statement};
use crate::domain::device::{DeviceHashes, Signal, required};
use crate::domain::ids::{CartId, SessionId};

/// Stores a guest cart's device hashes, replacing the signals sent before,
/// in two statements (an upsert of the signals sent, a delete of the others).
/// Each save renews the signals' `created_at`, which their retention counts
/// from.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn save_device(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    device: &DeviceHashes,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    if !device.is_empty() {
        let mut values: Vec<Value> = vec![cart_id.uuid().into(), now.into()];
        let mut rows = Vec::with_capacity(device.len());
        for (signal, hash) in device {
            let n = values.len();
            rows.push(format!("($1, ${}, ${}, $2)", n + 1, n + 2));
            values.push(signal.as_str().into());
            values.push(hash.clone().into());
        }
        let upsert = format!(
            "INSERT INTO cart_device_signals (cart_id, signal, hash, created_at) VALUES {} \
             ON CONFLICT (cart_id, signal) DO UPDATE \
             SET hash = excluded.hash, created_at = excluded.created_at",
            rows.join(", ")
        );
        conn.execute_raw(statement(conn, &upsert, values)).await?;
    }
    // The signals not sent this time go.
    let names: Vec<String> = (0..device.len()).map(|k| format!("${}", k + 2)).collect();
    let mut delete = "DELETE FROM cart_device_signals WHERE cart_id = $1".to_owned();
    if !names.is_empty() {
        delete.push_str(&format!(" AND signal NOT IN ({})", names.join(", ")));
    }
    let mut values: Vec<Value> = vec![cart_id.uuid().into()];
    values.extend(device.keys().map(|s| Value::from(s.as_str())));
    conn.execute_raw(statement(conn, &delete, values)).await?;
    Ok(())
}

/// Deletes up to `limit` device signals saved before `cutoff` (past the
/// window of recovery by device, they can match nothing). Returns how many.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn purge_batch(
    conn: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<u64, StorageError> {
    let filter = ("created_at < $1", vec![cutoff.into()]);
    Ok(delete_batch(
        conn,
        "cart_device_signals",
        "cart_id, signal",
        filter,
        limit,
    )
    .await?)
}

/// Where recovery by device looks.
#[derive(Debug, Clone)]
pub struct DeviceSearch<'a> {
    /// The caller's device.
    pub device: &'a DeviceHashes,
    /// Carts changed after this.
    pub changed_after: DateTime<Utc>,
    /// Not the caller's own session's cart.
    pub not_session: &'a SessionId,
    /// The similarity a candidate must reach.
    pub threshold: f64,
}

/// Most candidates weighed for recovery by device.
const MAX_DEVICE_CANDIDATES: i64 = 20;

/// Active guest carts with a line, changed within the window, sharing
/// enough signals with `search.device` to possibly reach the threshold
/// (matched weight ≥ threshold × the caller's weight: a necessary
/// condition), each with all its stored hashes; at most 20, best first.
/// Found through `idx_cart_device_signals_hash`, never a scan of carts.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn device_candidates(
    conn: &impl ConnectionTrait,
    search: &DeviceSearch<'_>,
) -> Result<Vec<(CartId, DeviceHashes)>, StorageError> {
    if search.device.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<Value> = vec![
        search.changed_after.into(),
        search.not_session.as_str().into(),
    ];
    let mut pair = |signal: Signal, hash: &str| {
        let n = values.len();
        values.push(signal.as_str().into());
        values.push(hash.into());
        format!("signal = ${} AND hash = ${}", n + 1, n + 2)
    };
    let matches: Vec<String> = search
        .device
        .iter()
        .map(|(signal, hash)| format!("({})", pair(*signal, hash)))
        .collect();
    // The carts that match every signal a candidate cannot do without
    // (index-only on `(signal, hash, cart_id)`): never the many carts that
    // share only a time zone or a language.
    let required: Vec<String> = required(search.device.keys().copied(), search.threshold)
        .into_iter()
        .map(|s| {
            format!(
                "SELECT cart_id FROM cart_device_signals WHERE {}",
                pair(s, &search.device[&s])
            )
        })
        .collect();
    let within = if required.is_empty() {
        String::new()
    } else {
        format!(" AND cart_id IN ({})", required.join(" INTERSECT "))
    };
    let weight_case: String = Signal::ALL
        .iter()
        .map(|s| format!(" WHEN '{}' THEN {}", s.as_str(), s.weight()))
        .collect();
    let needed: f64 = search.device.keys().map(|s| s.weight()).sum::<f64>() * search.threshold;
    // The matches first, through `(signal, hash)` alone (MATERIALIZED keeps
    // the planner from starting at `carts` instead), then their carts by id.
    let sql = format!(
        "WITH m AS MATERIALIZED ( \
           SELECT cart_id, SUM(CASE signal{weight_case} ELSE 0 END) AS matched \
           FROM cart_device_signals WHERE ({}){within} \
           GROUP BY cart_id HAVING SUM(CASE signal{weight_case} ELSE 0 END) >= {}) \
         SELECT m.cart_id, m.matched FROM m JOIN carts c ON c.id = m.cart_id \
         WHERE c.status = 'active' AND c.customer_id IS NULL \
           AND c.updated_at > $1 AND c.session_id <> $2 \
           AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id) \
         ORDER BY m.matched DESC LIMIT {MAX_DEVICE_CANDIDATES}",
        matches.join(" OR "),
        // A little under, so rounding never drops a candidate at the edge.
        needed - 1e-9,
    );
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in &rows {
        let id = CartId::from_uuid(row.try_get_by_index(0)?);
        let stored = conn
            .query_all_raw(statement(
                conn,
                "SELECT signal, hash FROM cart_device_signals WHERE cart_id = $1",
                vec![id.uuid().into()],
            ))
            .await?;
        let mut hashes = DeviceHashes::new();
        for s in &stored {
            let name: String = s.try_get_by_index(0)?;
            if let Some(signal) = Signal::parse(&name) {
                hashes.insert(signal, s.try_get_by_index(1)?);
            }
        }
        candidates.push((id, hashes));
    }
    Ok(candidates)
}
