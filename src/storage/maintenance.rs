//! Storage side of the periodic jobs: leader election, expiry and purges, each
//! in bounded batches.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
    sea_query::{LockBehavior, LockType},
};

use super::StorageError;
use super::cart_write::{self, CartChange, Header, expires_day};
use super::entity::{cart_items, carts};
use super::rows::cart_from_model;
use super::sql::{Sql, delete_batch};
use crate::domain::cart::{Cart, CartStatus};
use crate::domain::event::Event;

/// The advisory-lock key of the maintenance leader ("cartmain").
pub const LEADER_LOCK_KEY: i64 = 0x6361_7274_6d61_696e;

/// Takes the maintenance leadership for the rest of `tx` if no other replica
/// holds it. PostgreSQL: a transaction-scoped advisory lock, released when
/// `tx` ends however it ends. SQLite serves one process: always granted.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn try_lead(tx: &impl ConnectionTrait) -> Result<bool, StorageError> {
    try_lock(tx, LEADER_LOCK_KEY).await
}

/// Takes the advisory lock `key` for the rest of `tx` if nobody holds it
/// (PostgreSQL); always granted on SQLite.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn try_lock(tx: &impl ConnectionTrait, key: i64) -> Result<bool, StorageError> {
    if tx.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock($1) AS granted",
            [key.into()],
        ))
        .await?
        .ok_or_else(|| StorageError::Corrupt("advisory lock returned no row".into()))?;
    Ok(row.try_get::<bool>("", "granted")?)
}

/// Marks up to `limit` active carts expired at `now` as `abandoned`, with an
/// event each. Rows locked by a shopper's call are skipped (PostgreSQL) and
/// picked up by the next batch or run. Returns how many were marked.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn expire_batch(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<u64, StorageError> {
    // Index-driven through the partial index on `expires_day` of active
    // carts; `status` is a literal so a cached generic plan can use it.
    let mut expired = expired_carts(conn, now, limit, false).await?;
    // Carts a replica older than the `expires_day` column wrote (during a
    // rolling deploy) have none: found through their own small index.
    let left = limit.saturating_sub(expired.len() as u64);
    if left > 0 {
        expired.extend(expired_carts(conn, now, left, true).await?);
    }
    let count = expired.len() as u64;
    let mut set_aside = Vec::with_capacity(expired.len());
    for model in expired {
        let mut cart = cart_from_model(model)?;
        cart.status = CartStatus::Abandoned;
        cart.version += 1;
        cart.updated_at = now;
        let event = Event::Abandoned {
            expires_at: cart.expires_at,
        };
        set_aside.push((cart, event));
    }
    if conn.get_database_backend() == DbBackend::Postgres {
        // The whole batch in one statement: at a million carts a batch of
        // 500 one cart at a time took 500 round trips.
        set_aside_at_once(conn, &set_aside, now).await?;
    } else {
        for (cart, event) in &set_aside {
            let header = Header::Stored { cart, read: None };
            let events = std::slice::from_ref(event);
            let change = CartChange {
                header,
                lines: &[],
                events,
                remember: None,
            };
            cart_write::write(conn, change, now, true).await?;
        }
    }
    Ok(count)
}

/// Up to `limit` active carts expired at `now`, locked (PostgreSQL, skipping
/// rows a shopper's call holds): by `expires_day`, or among the carts
/// without one when `unset`.
async fn expired_carts(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
    unset: bool,
) -> Result<Vec<carts::Model>, StorageError> {
    let active = Expr::col((carts::Entity, carts::Column::Status))
        .eq(Expr::cust(format!("'{}'", CartStatus::Active.as_str())));
    let mut query = carts::Entity::find()
        .filter(active)
        .filter(carts::Column::ExpiresAt.lte(now))
        .limit(limit);
    query = if unset {
        query
            .filter(carts::Column::ExpiresDay.is_null())
            .order_by_asc(carts::Column::Id)
    } else {
        query
            .filter(carts::Column::ExpiresDay.lte(expires_day(now)))
            .order_by_asc(carts::Column::ExpiresDay)
    };
    if conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(query.all(conn).await?)
}

/// Which carts a purge removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
    /// Abandoned carts last changed before the cut-off.
    Abandoned,
    /// Merged guest carts last changed before the cut-off.
    Merged,
    /// Active guest carts without lines, last changed before the cut-off.
    EmptyGuest,
}

/// Deletes up to `limit` carts of `kind` last changed before `cutoff`, with
/// their lines and events (foreign keys cascade). Returns how many.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn purge_batch(
    conn: &impl ConnectionTrait,
    kind: Purge,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<u64, StorageError> {
    let old = carts::Column::UpdatedAt.lt(cutoff);
    // Statuses as literals: only then can a cached generic plan use the
    // partial indexes (`idx_carts_ended`, the active guest carts' index).
    let status = |s: CartStatus| {
        Expr::col((carts::Entity, carts::Column::Status))
            .eq(Expr::cust(format!("'{}'", s.as_str())))
    };
    let condition = match kind {
        Purge::Abandoned => Condition::all().add(status(CartStatus::Abandoned)).add(old),
        Purge::Merged => Condition::all().add(status(CartStatus::Merged)).add(old),
        Purge::EmptyGuest => Condition::all()
            .add(status(CartStatus::Active))
            .add(carts::Column::CustomerId.is_null())
            .add(old)
            // NOT EXISTS, an anti-join on the lines' (cart_id, variant_id)
            // key: `id NOT IN (SELECT cart_id FROM cart_items)` cannot be
            // planned as one (NULL semantics) and, with more lines than fit
            // in work_mem, re-reads the lines for every candidate cart
            // (minutes per batch at 5,000,000 lines).
            .add(
                Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(cart_items::Entity)
                        .and_where(
                            Expr::col((cart_items::Entity, cart_items::Column::CartId))
                                .equals((carts::Entity, carts::Column::Id)),
                        )
                        .to_owned(),
                )
                .not(),
            ),
    };
    let batch = Query::select()
        .column(carts::Column::Id)
        .from(carts::Entity)
        .cond_where(condition.clone())
        .limit(limit)
        .to_owned();
    // The conditions again on the rows deleted: a row a shopper's call
    // changed while the purge waited for its lock is re-checked against them
    // (PostgreSQL re-checks the outer conditions, not the subquery's), so a
    // guest cart that just got its first line stays.
    let deleted = carts::Entity::delete_many()
        .filter(carts::Column::Id.in_subquery(batch))
        .filter(condition)
        .exec(conn)
        .await?;
    Ok(deleted.rows_affected)
}

/// Deletes up to `limit` idempotency records whose window ended by `now`.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn purge_idempotency_batch(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<u64, StorageError> {
    let filter = ("expires_at <= $1", vec![now.into()]);
    Ok(delete_batch(conn, "idempotency_keys", "scope, request_id", filter, limit).await?)
}

/// Sets expired carts aside (`abandoned`, version bumped) with one event
/// each, the whole batch in one statement. The carts are locked by the
/// caller's transaction and `carts` hold their new version and status.
///
/// # Errors
/// [`StorageError`] on database failure.
async fn set_aside_at_once(
    conn: &impl ConnectionTrait,
    carts: &[(Cart, Event)],
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let Some((first, _)) = carts.first() else {
        return Ok(0);
    };
    let mut sql = Sql::new(DbBackend::Postgres);
    let status = sql.bind(first.status.as_str());
    let kind = sql.bind(carts[0].1.kind().as_str()); // one kind for the batch
    let at = sql.bind(now);
    let rows = carts
        .iter()
        .map(|(cart, event)| {
            let id = sql.bind(cart.id.uuid());
            let version = sql.bind(cart.version);
            let data = sql.bind(event.data());
            format!("({id}::uuid, {version}::bigint, {data}::jsonb)")
        })
        .collect::<Vec<_>>()
        .join(", ");
    sql.text = format!(
        "WITH e(id, version, data) AS (VALUES {rows}), \
         header AS (UPDATE carts c SET status = {status}, version = e.version, updated_at = {at} \
         FROM e WHERE c.id = e.id RETURNING c.id), \
         events AS (INSERT INTO cart_events (cart_id, seq, event_type, event_data, created_at) \
         SELECT e.id, (SELECT COALESCE(MAX(seq), 0) FROM cart_events WHERE cart_id = e.id) + 1, \
         {kind}, e.data, {at} FROM e) \
         SELECT COUNT(*) AS n FROM header"
    );
    let row = conn
        .query_one_raw(sql.statement())
        .await?
        .ok_or_else(|| StorageError::Corrupt("a write returned no row".into()))?;
    Ok(u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0))
}
