//! The cart repository: finding carts (the shopper's, or one by id) and
//! recording events beside a cart. A cart's change is written by
//! [`super::cart_write`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter, QueryResult,
    QuerySelect, RelationTrait, Statement,
};

use super::StorageError;
use super::entity::{cart_items, carts};
use super::events;
use super::rows::{cart_from_model, corrupt, line_from_model};
use crate::domain::cart::{Cart, CartStatus, Line, Owner, Shopper};
use crate::domain::event::Event;
use crate::domain::ids::{CartId, VariantId};

/// The shopper's active cart. `status = 'active'` is written as a literal,
/// not a bind parameter: only then can PostgreSQL's cached generic plan use
/// the partial unique indexes (their predicate is `status = 'active'`).
/// With a parameter, the generic plan it settles on after five executions
/// scanned the index on `status` (since replaced by a partial index of ended
/// carts), i.e. every active cart, filtering by session.
fn owned_by(shopper: &Shopper) -> sea_orm::Condition {
    let active = Expr::col((carts::Entity, carts::Column::Status))
        .eq(Expr::cust(format!("'{}'", CartStatus::Active.as_str())));
    match shopper.owner() {
        Owner::Customer(customer) => sea_orm::Condition::all()
            .add(active)
            .add(carts::Column::CustomerId.eq(customer.as_str())),
        Owner::Guest(session) => sea_orm::Condition::all()
            .add(active)
            .add(carts::Column::CustomerId.is_null())
            .add(carts::Column::SessionId.eq(session.as_str())),
    }
}

/// The shopper's active cart (expired or not), locked for the rest of the
/// transaction on PostgreSQL when `lock` is set. SQLite needs no row lock:
/// write transactions begin IMMEDIATE and so run one at a time.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn find_active(
    conn: &impl ConnectionTrait,
    shopper: &Shopper,
    lock: bool,
) -> Result<Option<Cart>, StorageError> {
    let mut query = carts::Entity::find().filter(owned_by(shopper));
    if lock && conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.map(cart_from_model).transpose()
}

/// The shopper's active cart (expired or not) with its lines, oldest first,
/// in one statement: a read costs one round trip (plus the pool's check on
/// release) instead of two.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn find_active_with_lines(
    conn: &impl ConnectionTrait,
    shopper: &Shopper,
) -> Result<Option<(Cart, Vec<Line>)>, StorageError> {
    let backend = conn.get_database_backend();
    let (sql, owner) = match (shopper.owner(), backend) {
        (Owner::Customer(customer), DbBackend::Postgres) => {
            (JOINED_BY_CUSTOMER_PG, customer.as_str())
        }
        (Owner::Customer(customer), _) => (JOINED_BY_CUSTOMER_SQLITE, customer.as_str()),
        (Owner::Guest(session), DbBackend::Postgres) => (JOINED_BY_SESSION_PG, session.as_str()),
        (Owner::Guest(session), _) => (JOINED_BY_SESSION_SQLITE, session.as_str()),
    };
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [owner.into()]))
        .await?;
    // At most one active cart per shopper (partial unique indexes): every
    // row is that cart, with one of its lines if it has any.
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let cart = cart_from_model(joined_cart(first)?)?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(line) = joined_line(row)? {
            lines.push(line_from_model(line, &cart.currency)?);
        }
    }
    Ok(Some((cart, lines)))
}

/// The joined read of the hottest call, as fixed text: built once, not per
/// call, and read by position (`joined_cart`, `joined_line`). `status =
/// 'active'` is a literal for the reason given at [`owned_by`].
macro_rules! joined_read {
    ($owner:literal) => {
        concat!(
            "SELECT c.id, c.session_id, c.customer_id, c.email, c.currency, c.status, ",
            "c.version, c.created_at, c.updated_at, c.expires_at, c.completed_order_id, ",
            "c.merged_into_cart_id, i.id, i.product_id, i.variant_id, i.quantity, ",
            "i.price_at_time, i.product_name, i.variant_name, i.sku, i.metadata, ",
            "i.added_at, i.updated_at ",
            "FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id ",
            "WHERE c.status = 'active' AND ",
            $owner,
            " ORDER BY i.added_at, i.id"
        )
    };
}
const JOINED_BY_CUSTOMER_PG: &str = joined_read!("c.customer_id = $1");
const JOINED_BY_CUSTOMER_SQLITE: &str = joined_read!("c.customer_id = ?");
const JOINED_BY_SESSION_PG: &str = joined_read!("c.customer_id IS NULL AND c.session_id = $1");
const JOINED_BY_SESSION_SQLITE: &str = joined_read!("c.customer_id IS NULL AND c.session_id = ?");

/// The cart's columns of a [`joined_read`] row (the header's `metadata` and
/// `expires_day` are not read: no use case needs them).
fn joined_cart(row: &QueryResult) -> Result<carts::Model, StorageError> {
    Ok(carts::Model {
        id: row.try_get_by_index(0)?,
        session_id: row.try_get_by_index(1)?,
        customer_id: row.try_get_by_index(2)?,
        email: row.try_get_by_index(3)?,
        currency: row.try_get_by_index(4)?,
        status: row.try_get_by_index(5)?,
        version: row.try_get_by_index(6)?,
        created_at: row.try_get_by_index(7)?,
        updated_at: row.try_get_by_index(8)?,
        expires_at: row.try_get_by_index(9)?,
        completed_order_id: row.try_get_by_index(10)?,
        merged_into_cart_id: row.try_get_by_index(11)?,
        metadata: None,
        expires_day: None,
    })
}

/// The line of a [`joined_read`] row, if the cart has any.
fn joined_line(row: &QueryResult) -> Result<Option<cart_items::Model>, StorageError> {
    let Some(id) = row.try_get_by_index::<Option<uuid::Uuid>>(12)? else {
        return Ok(None);
    };
    Ok(Some(cart_items::Model {
        id,
        cart_id: row.try_get_by_index(0)?,
        product_id: row.try_get_by_index(13)?,
        variant_id: row.try_get_by_index(14)?,
        quantity: row.try_get_by_index(15)?,
        price_at_time: row.try_get_by_index(16)?,
        product_name: row.try_get_by_index(17)?,
        variant_name: row.try_get_by_index(18)?,
        sku: row.try_get_by_index(19)?,
        metadata: row.try_get_by_index(20)?,
        added_at: row.try_get_by_index(21)?,
        updated_at: row.try_get_by_index(22)?,
    }))
}

/// The variant ids in the shopper's active cart, read without a lock, so a
/// use case can ask the catalog about them before its transaction.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn active_variant_ids(
    conn: &impl ConnectionTrait,
    shopper: &Shopper,
) -> Result<Vec<VariantId>, StorageError> {
    let ids: Vec<String> = cart_items::Entity::find()
        .select_only()
        .column(cart_items::Column::VariantId)
        .join(JoinType::InnerJoin, cart_items::Relation::Cart.def())
        .filter(owned_by(shopper))
        .into_tuple()
        .all(conn)
        .await?;
    ids.iter()
        .map(|id| VariantId::parse(id).map_err(|e| corrupt("cart_items.variant_id", e)))
        .collect()
}

/// The cart with `id`, whatever its status, locked for the rest of the
/// transaction on PostgreSQL when `lock` is set.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn find_by_id(
    conn: &impl ConnectionTrait,
    id: CartId,
    lock: bool,
) -> Result<Option<Cart>, StorageError> {
    let mut query = carts::Entity::find_by_id(id.uuid());
    if lock && conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.map(cart_from_model).transpose()
}

/// Appends `events` to the cart's log without writing its header (no
/// version bump): for what happens beside the cart, such as its share
/// links.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn record(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    events::append(conn, cart_id, events, now).await
}
