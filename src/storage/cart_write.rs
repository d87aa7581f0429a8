//! Writing a cart change — its header, its line changes and its events — on
//! both backends, the one way every use case writes a cart.
//!
//! A change is three kinds of sub-statement, each built here once: the
//! header ([`Header`]: a new cart, or a stored one at its new version), one
//! per line change, and one for all the events.
//! - On PostgreSQL, when no row is touched twice ([`fits_one_statement`]),
//!   they are the parts of one data-modifying `WITH`: every part is guarded
//!   by the header's `RETURNING` row, so nothing is written when the header
//!   is not, and outside a transaction the change commits in one round trip.
//! - Otherwise (SQLite, or a change that touches a row twice) the same
//!   sub-statements run one after another in the caller's transaction,
//!   header first: when the header is not written, nothing else runs.
//!
//! A change may carry the record of its request id (a keyed write that
//! holds no transaction): it is one more sub-statement under the same guard,
//! so the change and its remembered response commit together or not at all.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Value};

use super::StorageError;
use super::events;
use super::idempotency::{self, Record};
use super::sql::{Guard, Sql};
use crate::domain::cart::{Cart, Line, LineChange};
use crate::domain::event::Event;
use crate::domain::metadata::Metadata;

/// How a change writes the cart's header.
#[derive(Debug, Clone, Copy)]
pub enum Header<'a> {
    /// A new cart, inserted unless its shopper has an active cart already
    /// (the partial unique indexes decide).
    New(&'a Cart),
    /// A stored cart, already at its new version. With `read`, written only
    /// if it is still active at that version (a write that holds no lock);
    /// without, unconditionally (the caller holds the cart's lock).
    Stored {
        /// The cart as it is to be stored.
        cart: &'a Cart,
        /// The version the change was computed from.
        read: Option<i64>,
    },
}

impl Header<'_> {
    fn cart(&self) -> &Cart {
        match self {
            Self::New(cart) | Self::Stored { cart, .. } => cart,
        }
    }
}

/// One cart change: the header, the rule's line changes and the events.
#[derive(Debug, Clone, Copy)]
pub struct CartChange<'a> {
    /// How the header is written.
    pub header: Header<'a>,
    /// The line changes.
    pub lines: &'a [LineChange],
    /// The events, appended after the cart's last sequence number.
    pub events: &'a [Event],
    /// The record of the change's request id, written with it.
    pub remember: Option<Record<'a>>,
}

/// What [`write`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrote {
    /// The whole change.
    All,
    /// Nothing: the header's condition did not hold (the cart moved, or the
    /// shopper has an active cart already).
    Nothing,
    /// Nothing: outside a transaction, the change cannot be one statement.
    NeedsTransaction,
}

/// Writes `change` made at `now`. `in_transaction` says whether `conn` is a
/// transaction (so the change may take several statements).
///
/// # Errors
/// [`StorageError`] on database failure; `Conflict` on a race a statement
/// lost (a retry resolves it).
pub async fn write(
    conn: &impl ConnectionTrait,
    change: CartChange<'_>,
    now: DateTime<Utc>,
    in_transaction: bool,
) -> Result<Wrote, StorageError> {
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres && fits_one_statement(change.lines) {
        return Ok(if one_statement(conn, change, now).await? {
            Wrote::All
        } else {
            Wrote::Nothing
        });
    }
    if !in_transaction {
        return Ok(Wrote::NeedsTransaction);
    }
    let mut sql = Sql::new(backend);
    sql.text = header(&mut sql, change.header, false, None);
    if conn.execute_raw(sql.statement()).await?.rows_affected() != 1 {
        return Ok(Wrote::Nothing);
    }
    let cart = change.header.cart();
    for line in change.lines {
        let mut sql = Sql::new(backend);
        sql.text = line_change(&mut sql, cart, line, now, Guard::None);
        conn.execute_raw(sql.statement()).await?;
    }
    if !change.events.is_empty() {
        let mut sql = Sql::new(backend);
        sql.text = cart_events(&mut sql, cart, change.events, now, Guard::None);
        conn.execute_raw(sql.statement()).await?;
    }
    // A record comes only with a change written outside a transaction,
    // which is one statement or nothing (above); a locking write remembers
    // its response itself.
    debug_assert!(change.remember.is_none(), "a record in a transaction");
    Ok(Wrote::All)
}

/// The whole change as one data-modifying `WITH`; whether the header was
/// written.
async fn one_statement(
    conn: &impl ConnectionTrait,
    change: CartChange<'_>,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let mut sql = Sql::new(DbBackend::Postgres);
    // A keyed change claims its request id first, as a locking write does,
    // and writes nothing when a write on another replica holds it.
    let claim =
        (change.remember.as_ref()).map(|r| idempotency::claim(&mut sql, r.scope, r.request_id));
    let gate = claim.as_ref().map(|_| "(SELECT claimed FROM claim)");
    let head = header(&mut sql, change.header, true, gate);
    let cart = change.header.cart();
    let mut text = match claim {
        Some(claim) => format!("WITH claim AS ({claim}), header AS ({head})"),
        None => format!("WITH header AS ({head})"),
    };
    for (n, line) in change.lines.iter().enumerate() {
        let part = line_change(&mut sql, cart, line, now, Guard::Header);
        text.push_str(&format!(", line{n} AS ({part})"));
    }
    if !change.events.is_empty() {
        let part = cart_events(&mut sql, cart, change.events, now, Guard::Header);
        text.push_str(&format!(", events AS ({part})"));
    }
    if let Some(record) = &change.remember {
        let part = idempotency::insert(&mut sql, record, now, Guard::Header);
        text.push_str(&format!(", record AS ({part})"));
    }
    text.push_str(" SELECT COUNT(*) AS n FROM header");
    sql.text = text;
    let row = conn
        .query_one_raw(sql.statement())
        .await?
        .ok_or_else(|| StorageError::Corrupt("a write returned no row".into()))?;
    Ok(row.try_get::<i64>("", "n")? == 1)
}

/// Whether `changes` can be sub-statements of one statement: no line touched
/// twice, a clearing change alone, and no new line beside a removal (a
/// removed line and an added one may be the same variant, and the order of
/// sub-statements is not specified).
fn fits_one_statement(changes: &[LineChange]) -> bool {
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

/// The day (since the Unix epoch) of `expires_at`: what expiry is indexed by,
/// so that sliding `expires_at` on every write leaves the indexes alone.
pub(super) fn expires_day(expires_at: DateTime<Utc>) -> i64 {
    expires_at.timestamp().div_euclid(86_400)
}

/// The header columns a write sets, with their values: every column a use
/// case changes (`session_id` and `customer_id` change when a cart is
/// recovered or linked; an unchanged value keeps the update HOT).
fn header_columns(cart: &Cart) -> [(&'static str, Value); 10] {
    [
        ("status", cart.status.as_str().into()),
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
    ]
}

/// The header's sub-statement (`RETURNING id` when `returning`), written
/// only where `gate` (a boolean expression) holds, when given.
fn header(sql: &mut Sql, header: Header<'_>, returning: bool, gate: Option<&str>) -> String {
    let returning = if returning { " RETURNING id" } else { "" };
    match header {
        Header::New(cart) => {
            let fixed: [(&str, Value); 3] = [
                ("id", cart.id.uuid().into()),
                ("currency", cart.currency.as_str().into()),
                ("created_at", cart.created_at.into()),
            ];
            let (columns, values): (Vec<_>, Vec<_>) = fixed
                .into_iter()
                .chain(header_columns(cart))
                .map(|(column, value)| (column, sql.bind(value)))
                .unzip();
            let (columns, values) = (columns.join(", "), values.join(", "));
            match gate {
                Some(gate) => format!(
                    "INSERT INTO carts ({columns}) SELECT {values} WHERE {gate} \
                     ON CONFLICT DO NOTHING{returning}"
                ),
                None => format!(
                    "INSERT INTO carts ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING{returning}"
                ),
            }
        }
        Header::Stored { cart, read } => {
            let set = header_columns(cart)
                .into_iter()
                .map(|(column, value)| format!("{column} = {}", sql.bind(value)))
                .collect::<Vec<_>>()
                .join(", ");
            let id = sql.bind(cart.id.uuid());
            // Not every change of status bumps the version (a shopper's call
            // that sets an expired cart aside does not), so the status is
            // checked too.
            let unchanged = match read {
                Some(read) => format!(" AND version = {} AND status = 'active'", sql.bind(read)),
                None => String::new(),
            };
            let gate = gate.map(|g| format!(" AND {g}")).unwrap_or_default();
            format!("UPDATE carts SET {set} WHERE id = {id}{unchanged}{gate}{returning}")
        }
    }
}

/// `events` appended to the cart's log, numbered after its last sequence
/// number.
fn cart_events(
    sql: &mut Sql,
    cart: &Cart,
    events: &[Event],
    now: DateTime<Utc>,
    guard: Guard,
) -> String {
    let rows = events.iter().map(|e| (e.kind().as_str(), e.data()));
    events::insert(sql, events::CART_LOG, cart.id.uuid(), rows, now, guard)
}

/// One line change of `cart` as a sub-statement.
fn line_change(
    sql: &mut Sql,
    cart: &Cart,
    change: &LineChange,
    now: DateTime<Utc>,
    guard: Guard,
) -> String {
    let cart_id = sql.bind(cart.id.uuid());
    let guard = guard.and();
    let update = |sql: &mut Sql, id: crate::domain::ids::ItemId, set: String| {
        let id = sql.bind(id.uuid());
        let at = sql.bind(now);
        format!(
            "UPDATE cart_items SET {set}, updated_at = {at} \
             WHERE cart_id = {cart_id} AND id = {id}{guard}"
        )
    };
    match change {
        LineChange::Added(line) => insert_line(sql, &cart_id, line, guard),
        LineChange::Incremented { id, by, metadata } => {
            let mut set = format!("quantity = quantity + {}", sql.bind(by.column()));
            if let Some(metadata) = metadata {
                set.push_str(&format!(", metadata = {}", sql.bind(metadata.to_value())));
            }
            update(sql, *id, set)
        }
        LineChange::QuantitySet { id, quantity: q } => {
            let set = format!("quantity = {}", sql.bind(q.column()));
            update(sql, *id, set)
        }
        LineChange::Repriced { id, unit_price } => {
            let set = format!("price_at_time = {}", sql.bind(unit_price.amount));
            update(sql, *id, set)
        }
        LineChange::Removed(id) => format!(
            "DELETE FROM cart_items WHERE cart_id = {cart_id} AND id = {}{guard}",
            sql.bind(id.uuid())
        ),
        LineChange::Cleared => format!("DELETE FROM cart_items WHERE cart_id = {cart_id}{guard}"),
    }
}

/// A new line, or its units added to the line of the same variant should
/// one have appeared meanwhile (so two adds never make two lines).
/// `WHERE TRUE` also resolves SQLite's parsing ambiguity of
/// `INSERT … SELECT … ON CONFLICT`.
fn insert_line(sql: &mut Sql, cart_id: &str, line: &Line, guard: &str) -> String {
    let values: [Value; 10] = [
        line.id.uuid().into(),
        line.product_id.as_str().into(),
        line.variant_id.as_str().into(),
        line.quantity.column().into(),
        line.unit_price.amount.into(),
        line.product_name.as_str().into(),
        line.variant_name.as_str().into(),
        line.sku.as_str().into(),
        line.metadata.as_ref().map(Metadata::to_value).into(),
        line.added_at.into(),
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
    ] = values.map(|v| sql.bind(v));
    let updated = sql.bind(line.updated_at);
    format!(
        "INSERT INTO cart_items (id, cart_id, product_id, variant_id, quantity, price_at_time, \
         product_name, variant_name, sku, metadata, added_at, updated_at) \
         SELECT {id}, {cart_id}, {product}, {variant}, {qty}, {price}, {name}, {vname}, {sku}, \
         {meta}, {added}, {updated} WHERE TRUE{guard} \
         ON CONFLICT (cart_id, variant_id) DO UPDATE SET \
         quantity = cart_items.quantity + excluded.quantity, \
         metadata = COALESCE(excluded.metadata, cart_items.metadata), \
         updated_at = excluded.updated_at"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{ItemId, ProductId, VariantId};
    use crate::domain::money::{Currency, Money};
    use crate::domain::quantity::Quantity;

    fn usd(amount: rust_decimal::Decimal) -> Money {
        let currency = Currency::parse("USD").expect("currency");
        Money { amount, currency }
    }

    fn line(variant: &str) -> Line {
        let now = Utc::now();
        Line {
            id: ItemId::new(),
            product_id: ProductId::parse("p").expect("id"),
            variant_id: VariantId::parse(variant).expect("id"),
            quantity: Quantity::new(1).unwrap(),
            unit_price: usd(rust_decimal::Decimal::ONE),
            product_name: String::new(),
            variant_name: String::new(),
            sku: String::new(),
            metadata: None,
            added_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn changes_of_distinct_lines_fit_one_statement() {
        let (a, b) = (ItemId::new(), ItemId::new());
        assert!(fits_one_statement(&[]));
        assert!(fits_one_statement(&[LineChange::Added(line("v1"))]));
        assert!(fits_one_statement(&[
            LineChange::QuantitySet {
                id: a,
                quantity: Quantity::new(2).unwrap(),
            },
            LineChange::Removed(b),
        ]));
        assert!(fits_one_statement(&[
            LineChange::Added(line("v1")),
            LineChange::Added(line("v2")),
        ]));
        assert!(fits_one_statement(&[LineChange::Cleared]));
    }

    #[test]
    fn a_row_touched_twice_does_not_fit_one_statement() {
        let a = ItemId::new();
        let reprice = LineChange::Repriced {
            id: a,
            unit_price: usd(rust_decimal::Decimal::TWO),
        };
        assert!(!fits_one_statement(&[
            reprice,
            LineChange::QuantitySet {
                id: a,
                quantity: Quantity::new(3).unwrap(),
            },
        ]));
        assert!(!fits_one_statement(&[
            LineChange::Added(line("v1")),
            LineChange::Added(line("v1")),
        ]));
    }

    #[test]
    fn a_clear_goes_alone_and_an_add_never_beside_a_removal() {
        assert!(!fits_one_statement(&[
            LineChange::Cleared,
            LineChange::Added(line("v1")),
        ]));
        assert!(!fits_one_statement(&[
            LineChange::Cleared,
            LineChange::Removed(ItemId::new()),
        ]));
        assert!(!fits_one_statement(&[
            LineChange::Removed(ItemId::new()),
            LineChange::Added(line("v1")),
        ]));
    }
}
