//! Whole cart writes in one PostgreSQL statement.
//!
//! A data-modifying `WITH` writes the cart's header, its line changes and its
//! events together; run outside a transaction it commits in the same round
//! trip. Three uses:
//! - [`update_if_unchanged`]: the write of a cart read without a lock,
//!   applied only if the cart is still active at the version that was read
//!   (every other change of its lines or header bumps the version, so
//!   nothing moved in between);
//! - [`create`]: a cart's first write, inserting the cart, its lines and its
//!   first events, unless the shopper got an active cart meanwhile (the
//!   partial unique indexes decide);
//! - [`save`], inside a transaction: the header with any number of events.
//!
//! Each line change is its own sub-statement reading the header's `RETURNING`
//! row, so nothing is written when the header is not. Sub-statements of one
//! statement must not touch the same row twice ([`suits`] checks that); the
//! callers fall back to their locking path when it does not hold.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use super::StorageError;
use super::carts::expires_day;
use crate::domain::cart::{Cart, Line, LineChange};
use crate::domain::event::Event;
use crate::domain::metadata::Metadata;

/// A statement being built: its text and its bind values.
#[derive(Default)]
struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    /// A placeholder bound to `value`.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    async fn count(self, conn: &impl ConnectionTrait) -> Result<i64, StorageError> {
        let row = conn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                self.text,
                self.values,
            ))
            .await?
            .ok_or_else(|| StorageError::Corrupt("a write returned no row".into()))?;
        Ok(row.try_get("", "n")?)
    }
}

/// Whether `changes` can be written by one statement: no line touched twice,
/// a clearing change alone, and no new line beside a removal (a removed line
/// and an added one may be the same variant, and the order of sub-statements
/// is not specified).
pub fn suits(changes: &[LineChange]) -> bool {
    let adds = changes.iter().any(|c| matches!(c, LineChange::Added(_)));
    let removes = changes
        .iter()
        .any(|c| matches!(c, LineChange::Removed(_) | LineChange::Cleared));
    if adds && removes {
        return false;
    }
    let mut seen = HashSet::new();
    changes.iter().all(|change| match change {
        LineChange::Added(line) => seen.insert(line.variant_id.as_str().to_owned()),
        LineChange::Incremented { id, .. }
        | LineChange::QuantitySet { id, .. }
        | LineChange::Repriced { id, .. }
        | LineChange::Removed(id) => seen.insert(id.to_string()),
        LineChange::Cleared => changes.len() == 1,
    })
}

/// The header columns a write sets, as `column = $n` pairs.
fn header_set(sql: &mut Sql, cart: &Cart) -> String {
    let values: [(&str, Value); 10] = [
        ("status", cart.status.as_str().into()),
        // Set to what it was except when a recovery moves the cart to a new
        // session; an unchanged value keeps the update HOT.
        ("session_id", cart.session_id.as_str().into()),
        (
            "customer_id",
            cart.customer_id
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .into(),
        ),
        (
            "completed_order_id",
            cart.order_id.as_ref().map(|o| o.as_str().to_owned()).into(),
        ),
        (
            "merged_into_cart_id",
            cart.merged_into.map(|c| c.uuid()).into(),
        ),
        (
            "email",
            cart.email.as_ref().map(|e| e.as_str().to_owned()).into(),
        ),
        ("version", cart.version.into()),
        ("updated_at", cart.updated_at.into()),
        ("expires_at", cart.expires_at.into()),
        ("expires_day", expires_day(cart.expires_at).into()),
    ];
    values
        .into_iter()
        .map(|(column, value)| format!("{column} = {}", sql.bind(value)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `, events AS (…)`: `events` appended after the cart's last sequence
/// number, read in the same statement.
fn events_cte(sql: &mut Sql, cart: &Cart, events: &[Event], now: DateTime<Utc>) -> String {
    if events.is_empty() {
        return String::new();
    }
    let id = sql.bind(cart.id.uuid());
    let at = sql.bind(now);
    let rows = events
        .iter()
        .enumerate()
        .map(|(n, event)| {
            let kind = sql.bind(event.kind().as_str());
            let data = sql.bind(event.data());
            format!("({}, {kind}, {data})", n + 1)
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        ", events AS (INSERT INTO cart_events (cart_id, seq, event_type, event_data, created_at) \
         SELECT h.id, last.seq + e.n, e.kind, e.data, {at} FROM header h, \
         (SELECT COALESCE(MAX(seq), 0) AS seq FROM cart_events WHERE cart_id = {id}) last, \
         (VALUES {rows}) AS e(n, kind, data))"
    )
}

/// The columns and values of a new line.
fn insert_line(sql: &mut Sql, line: &Line) -> String {
    let values: [Value; 11] = [
        line.id.uuid().into(),
        line.product_id.as_str().into(),
        line.variant_id.as_str().into(),
        quantity(line.quantity).into(),
        line.unit_price.amount.into(),
        line.product_name.as_str().into(),
        line.variant_name.as_str().into(),
        line.sku.as_str().into(),
        line.metadata.as_ref().map(Metadata::to_value).into(),
        line.added_at.into(),
        line.updated_at.into(),
    ];
    let [
        id,
        product,
        variant,
        qty,
        price,
        name,
        vname,
        sku,
        meta,
        added,
        updated,
    ] = values.map(|v| sql.bind(v));
    format!(
        "INSERT INTO cart_items (id, cart_id, product_id, variant_id, quantity, price_at_time, \
         product_name, variant_name, sku, metadata, added_at, updated_at) \
         SELECT {id}, h.id, {product}, {variant}, {qty}, {price}, {name}, {vname}, {sku}, \
         {meta}, {added}, {updated} FROM header h \
         ON CONFLICT (cart_id, variant_id) DO UPDATE SET \
         quantity = cart_items.quantity + excluded.quantity, \
         metadata = COALESCE(excluded.metadata, cart_items.metadata), \
         updated_at = excluded.updated_at"
    )
}

/// One line change as a sub-statement of the header's write.
fn line_change(sql: &mut Sql, change: &LineChange, now: DateTime<Utc>) -> String {
    let update = |sql: &mut Sql, id: String, set: String| {
        let at = sql.bind(now);
        format!(
            "UPDATE cart_items SET {set}, updated_at = {at} FROM header h \
             WHERE cart_items.id = {id} AND cart_items.cart_id = h.id"
        )
    };
    match change {
        LineChange::Added(line) => insert_line(sql, line),
        LineChange::Incremented { id, by, metadata } => {
            let id = sql.bind(id.uuid());
            let mut set = format!(
                "quantity = cart_items.quantity + {}",
                sql.bind(quantity(*by))
            );
            if let Some(metadata) = metadata {
                set.push_str(&format!(", metadata = {}", sql.bind(metadata.to_value())));
            }
            update(sql, id, set)
        }
        LineChange::QuantitySet { id, quantity: q } => {
            let id = sql.bind(id.uuid());
            let set = format!("quantity = {}", sql.bind(quantity(*q)));
            update(sql, id, set)
        }
        LineChange::Repriced { id, unit_price } => {
            let id = sql.bind(id.uuid());
            let set = format!("price_at_time = {}", sql.bind(unit_price.amount));
            update(sql, id, set)
        }
        LineChange::Removed(id) => format!(
            "DELETE FROM cart_items USING header h \
             WHERE cart_items.id = {} AND cart_items.cart_id = h.id",
            sql.bind(id.uuid())
        ),
        LineChange::Cleared => {
            "DELETE FROM cart_items USING header h WHERE cart_items.cart_id = h.id".to_owned()
        }
    }
}

/// `header AS (…)` followed by the line changes, the events and the final
/// `SELECT` of how many headers were written.
fn finish(
    mut sql: Sql,
    cart: &Cart,
    changes: &[LineChange],
    events: &[Event],
    now: DateTime<Utc>,
) -> Sql {
    for (n, change) in changes.iter().enumerate() {
        let statement = line_change(&mut sql, change, now);
        sql.text.push_str(&format!(", line{n} AS ({statement})"));
    }
    let events = events_cte(&mut sql, cart, events, now);
    sql.text.push_str(&events);
    sql.text.push_str(" SELECT COUNT(*) AS n FROM header");
    sql
}

/// Writes `cart`'s header (already at its new version), `changes` and
/// `events` if the stored cart is still active at `expected_version`.
/// Returns whether it was.
///
/// # Errors
/// [`StorageError`] on database failure; `Conflict` on a race the statement
/// lost (a retry or the locking path resolves it).
pub async fn update_if_unchanged(
    conn: &impl ConnectionTrait,
    cart: &Cart,
    expected_version: i64,
    changes: &[LineChange],
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let mut sql = Sql::default();
    let set = header_set(&mut sql, cart);
    let id = sql.bind(cart.id.uuid());
    let version = sql.bind(expected_version);
    // Not every change of status bumps the version (a shopper's call that
    // sets an expired cart aside does not), so the status is checked too.
    // The expiry index cannot serve this filter: its predicate also needs
    // a condition on `expires_day`.
    sql.text = format!(
        "WITH header AS (UPDATE carts SET {set} \
         WHERE id = {id} AND version = {version} AND status = 'active' RETURNING id)"
    );
    Ok(finish(sql, cart, changes, events, now).count(conn).await? == 1)
}

/// Inserts `cart` with `changes` and `events`, unless its shopper has an
/// active cart already. Returns whether it was inserted.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn create(
    conn: &impl ConnectionTrait,
    cart: &Cart,
    changes: &[LineChange],
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let mut sql = Sql::default();
    let values: [Value; 9] = [
        cart.id.uuid().into(),
        cart.session_id.as_str().into(),
        cart.customer_id
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .into(),
        cart.email.as_ref().map(|e| e.as_str().to_owned()).into(),
        cart.currency.as_str().into(),
        cart.version.into(),
        cart.created_at.into(),
        cart.updated_at.into(),
        cart.expires_at.into(),
    ];
    let [
        id,
        session,
        customer,
        email,
        currency,
        version,
        created,
        updated,
        expires,
    ] = values.map(|v| sql.bind(v));
    let day = sql.bind(expires_day(cart.expires_at));
    sql.text = format!(
        "WITH header AS (INSERT INTO carts (id, session_id, customer_id, email, currency, status, \
         version, created_at, updated_at, expires_at, expires_day) VALUES ({id}, {session}, \
         {customer}, {email}, {currency}, 'active', {version}, {created}, {updated}, {expires}, \
         {day}) ON CONFLICT DO NOTHING RETURNING id)"
    );
    Ok(finish(sql, cart, changes, events, now).count(conn).await? == 1)
}

/// Writes `cart`'s header and appends `events`, in one statement (inside
/// the caller's transaction, under its lock).
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn save(
    conn: &impl ConnectionTrait,
    cart: &Cart,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut sql = Sql::default();
    let set = header_set(&mut sql, cart);
    let id = sql.bind(cart.id.uuid());
    sql.text = format!("WITH header AS (UPDATE carts SET {set} WHERE id = {id} RETURNING id)");
    finish(sql, cart, &[], events, now).count(conn).await?;
    Ok(())
}

/// Sets expired carts aside (`abandoned`, version bumped) with one event
/// each, the whole batch in one statement. The carts are locked by the
/// caller's transaction and `carts` hold their new version and status.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn set_aside(
    conn: &impl ConnectionTrait,
    carts: &[(Cart, Event)],
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let Some((first, _)) = carts.first() else {
        return Ok(0);
    };
    let mut sql = Sql::default();
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
    Ok(u64::try_from(sql.count(conn).await?).unwrap_or(0))
}

/// Quantities are at most 100, so they always fit the INTEGER column.
fn quantity(quantity: u32) -> i32 {
    i32::try_from(quantity).unwrap_or(i32::MAX)
}
