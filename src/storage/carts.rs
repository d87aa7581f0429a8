//! The cart repository: carts, their lines and their event log.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait, Statement,
};
use serde_json::Value;

use super::StorageError;
use super::decimal::DbDecimal;
use super::entity::{cart_events, cart_items, carts};
use crate::domain::cart::{Cart, CartStatus, Event, Line, LineChange, RecordedEvent, Shopper};
use crate::domain::email::Email;
use crate::domain::ids::{CartId, CustomerId, ItemId, OrderId, ProductId, SessionId, VariantId};
use crate::domain::metadata::Metadata;
use crate::domain::money::{Currency, Money};

fn corrupt(what: &str, err: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("{what}: {err}"))
}

pub(super) fn cart_from_model(m: carts::Model) -> Result<Cart, StorageError> {
    Ok(Cart {
        id: CartId::from_uuid(m.id),
        session_id: SessionId::parse(&m.session_id).map_err(|e| corrupt("carts.session_id", e))?,
        customer_id: m
            .customer_id
            .as_deref()
            .map(CustomerId::parse)
            .transpose()
            .map_err(|e| corrupt("carts.customer_id", e))?,
        email: m
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(|e| corrupt("carts.email", e))?,
        currency: Currency::parse(&m.currency).map_err(|e| corrupt("carts.currency", e))?,
        status: CartStatus::from_stored(&m.status)
            .ok_or_else(|| corrupt("carts.status", &m.status))?,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
        expires_at: m.expires_at,
        order_id: m
            .completed_order_id
            .as_deref()
            .map(OrderId::parse)
            .transpose()
            .map_err(|e| corrupt("carts.completed_order_id", e))?,
        merged_into: m.merged_into_cart_id.map(CartId::from_uuid),
    })
}

fn metadata_from_json(value: Option<Value>) -> Option<Metadata> {
    match value {
        Some(Value::Object(map)) => Some(Metadata::from_stored(map)),
        _ => None,
    }
}

fn line_from_model(m: cart_items::Model, currency: &Currency) -> Result<Line, StorageError> {
    Ok(Line {
        id: ItemId::from_uuid(m.id),
        product_id: ProductId::parse(&m.product_id)
            .map_err(|e| corrupt("cart_items.product_id", e))?,
        variant_id: VariantId::parse(&m.variant_id)
            .map_err(|e| corrupt("cart_items.variant_id", e))?,
        quantity: u32::try_from(m.quantity).map_err(|e| corrupt("cart_items.quantity", e))?,
        unit_price: Money {
            amount: m.price_at_time.0,
            currency: currency.clone(),
        },
        product_name: m.product_name,
        variant_name: m.variant_name,
        sku: m.sku,
        metadata: metadata_from_json(m.metadata),
        added_at: m.added_at,
        updated_at: m.updated_at,
    })
}

/// The shopper's active cart. `status = 'active'` is written as a literal,
/// not a bind parameter: only then can PostgreSQL's cached generic plan use
/// the partial unique indexes (their predicate is `status = 'active'`).
/// With a parameter, the generic plan it settles on after five executions
/// scans `idx_carts_status`, i.e. every active cart, filtering by session.
fn owned_by(shopper: &Shopper) -> sea_orm::Condition {
    let active = Expr::col((carts::Entity, carts::Column::Status))
        .eq(Expr::cust(format!("'{}'", CartStatus::Active.as_str())));
    match &shopper.customer_id {
        Some(customer) => sea_orm::Condition::all()
            .add(active)
            .add(carts::Column::CustomerId.eq(customer.as_str())),
        None => sea_orm::Condition::all()
            .add(active)
            .add(carts::Column::CustomerId.is_null())
            .add(carts::Column::SessionId.eq(shopper.session_id.as_str())),
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
    let rows = carts::Entity::find()
        .filter(owned_by(shopper))
        .find_also_related(cart_items::Entity)
        .order_by_asc(cart_items::Column::AddedAt)
        .order_by_asc(cart_items::Column::Id)
        .all(conn)
        .await?;
    // At most one active cart per shopper (partial unique indexes): every
    // row is that cart, with one of its lines if it has any.
    let mut rows = rows.into_iter();
    let Some((cart, first)) = rows.next() else {
        return Ok(None);
    };
    let cart = cart_from_model(cart)?;
    let lines = first
        .into_iter()
        .chain(rows.filter_map(|(_, line)| line))
        .map(|m| line_from_model(m, &cart.currency))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((cart, lines)))
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

/// Inserts a new cart unless the shopper already has an active one (the
/// partial unique indexes decide). Returns whether it was inserted.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn insert_if_absent(
    conn: &impl ConnectionTrait,
    cart: &Cart,
) -> Result<bool, StorageError> {
    let model = carts::ActiveModel {
        id: Set(cart.id.uuid()),
        session_id: Set(cart.session_id.as_str().to_owned()),
        customer_id: Set(cart.customer_id.as_ref().map(|c| c.as_str().to_owned())),
        email: Set(cart.email.as_ref().map(|e| e.as_str().to_owned())),
        currency: Set(cart.currency.as_str().to_owned()),
        status: Set(cart.status.as_str().to_owned()),
        version: Set(cart.version),
        metadata: Set(None),
        created_at: Set(cart.created_at),
        updated_at: Set(cart.updated_at),
        expires_at: Set(cart.expires_at),
        completed_order_id: Set(None),
        merged_into_cart_id: Set(None),
    };
    let inserted = carts::Entity::insert(model)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
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

/// Writes the cart's mutable header fields (owner, status, e-mail, order,
/// merge target, version, times).
///
/// # Errors
/// [`StorageError`] on database failure; `Conflict` when the new owner already
/// has an active cart (a partial unique index), which a retry resolves.
async fn save_header(conn: &impl ConnectionTrait, cart: &Cart) -> Result<(), StorageError> {
    carts::Entity::update_many()
        .col_expr(carts::Column::Status, Expr::value(cart.status.as_str()))
        .col_expr(
            carts::Column::CustomerId,
            Expr::value(cart.customer_id.as_ref().map(|c| c.as_str().to_owned())),
        )
        .col_expr(
            carts::Column::CompletedOrderId,
            Expr::value(cart.order_id.as_ref().map(|o| o.as_str().to_owned())),
        )
        .col_expr(
            carts::Column::MergedIntoCartId,
            Expr::value(cart.merged_into.map(|c| c.uuid())),
        )
        .col_expr(
            carts::Column::Email,
            Expr::value(cart.email.as_ref().map(|e| e.as_str().to_owned())),
        )
        .col_expr(carts::Column::Version, Expr::value(cart.version))
        .col_expr(carts::Column::UpdatedAt, Expr::value(cart.updated_at))
        .col_expr(carts::Column::ExpiresAt, Expr::value(cart.expires_at))
        .filter(carts::Column::Id.eq(cart.id.uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Saves the cart's header and appends `events` to its log. On PostgreSQL a
/// single event goes in the same statement as the header (a data-modifying
/// `WITH`): a write costs one round trip less. SQLite has no such statement,
/// and several events take one statement each.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn save(
    conn: &impl ConnectionTrait,
    cart: &Cart,
    events: &[Event],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    match events {
        [event] if conn.get_database_backend() == DbBackend::Postgres => {
            let stmt = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "WITH header AS (\
                   UPDATE carts SET status = $2, customer_id = $3, completed_order_id = $4, \
                   merged_into_cart_id = $5, email = $6, version = $7, updated_at = $8, \
                   expires_at = $9 WHERE id = $1) \
                 INSERT INTO cart_events (cart_id, seq, event_type, event_data, created_at) \
                 SELECT $1, COALESCE(MAX(seq), 0) + 1, $10, $11, $12 \
                 FROM cart_events WHERE cart_id = $1",
                [
                    cart.id.uuid().into(),
                    cart.status.as_str().into(),
                    cart.customer_id
                        .as_ref()
                        .map(|c| c.as_str().to_owned())
                        .into(),
                    cart.order_id.as_ref().map(|o| o.as_str().to_owned()).into(),
                    cart.merged_into.map(|c| c.uuid()).into(),
                    cart.email.as_ref().map(|e| e.as_str().to_owned()).into(),
                    cart.version.into(),
                    cart.updated_at.into(),
                    cart.expires_at.into(),
                    event.kind.as_str().into(),
                    event.data.clone().into(),
                    now.into(),
                ],
            );
            conn.execute_raw(stmt).await?;
            Ok(())
        }
        _ => {
            save_header(conn, cart).await?;
            append_events(conn, cart.id, events, now).await
        }
    }
}

/// The cart's lines, oldest first.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn lines(conn: &impl ConnectionTrait, cart: &Cart) -> Result<Vec<Line>, StorageError> {
    cart_items::Entity::find()
        .filter(cart_items::Column::CartId.eq(cart.id.uuid()))
        .order_by_asc(cart_items::Column::AddedAt)
        .order_by_asc(cart_items::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| line_from_model(m, &cart.currency))
        .collect()
}

/// Writes line changes of `cart` made at `now`.
///
/// A new line is an upsert that adds to the quantity of a line of the same
/// variant, so two adds can never make two lines.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn apply(
    conn: &impl ConnectionTrait,
    cart_id: CartId,
    changes: &[LineChange],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let this_cart = cart_items::Column::CartId.eq(cart_id.uuid());
    for change in changes {
        match change {
            LineChange::Added(line) => {
                let model = cart_items::ActiveModel {
                    id: Set(line.id.uuid()),
                    cart_id: Set(cart_id.uuid()),
                    product_id: Set(line.product_id.as_str().to_owned()),
                    variant_id: Set(line.variant_id.as_str().to_owned()),
                    quantity: Set(quantity_column(line.quantity)),
                    price_at_time: Set(DbDecimal(line.unit_price.amount)),
                    product_name: Set(line.product_name.clone()),
                    variant_name: Set(line.variant_name.clone()),
                    sku: Set(line.sku.clone()),
                    metadata: Set(line.metadata.as_ref().map(Metadata::to_value)),
                    added_at: Set(line.added_at),
                    updated_at: Set(line.updated_at),
                };
                cart_items::Entity::insert(model)
                    .on_conflict(
                        OnConflict::columns([
                            cart_items::Column::CartId,
                            cart_items::Column::VariantId,
                        ])
                        .value(
                            cart_items::Column::Quantity,
                            Expr::cust("cart_items.quantity + excluded.quantity"),
                        )
                        .value(
                            cart_items::Column::Metadata,
                            Expr::cust("COALESCE(excluded.metadata, cart_items.metadata)"),
                        )
                        .update_column(cart_items::Column::UpdatedAt)
                        .to_owned(),
                    )
                    .exec_without_returning(conn)
                    .await?;
            }
            LineChange::Incremented { id, by, metadata } => {
                let mut update = cart_items::Entity::update_many()
                    .col_expr(
                        cart_items::Column::Quantity,
                        Expr::col(cart_items::Column::Quantity).add(quantity_column(*by)),
                    )
                    .col_expr(cart_items::Column::UpdatedAt, Expr::value(now));
                if let Some(metadata) = metadata {
                    update = update.col_expr(
                        cart_items::Column::Metadata,
                        Expr::value(metadata.to_value()),
                    );
                }
                update
                    .filter(this_cart.clone())
                    .filter(cart_items::Column::Id.eq(id.uuid()))
                    .exec(conn)
                    .await?;
            }
            LineChange::QuantitySet { id, quantity } => {
                cart_items::Entity::update_many()
                    .col_expr(
                        cart_items::Column::Quantity,
                        Expr::value(quantity_column(*quantity)),
                    )
                    .col_expr(cart_items::Column::UpdatedAt, Expr::value(now))
                    .filter(this_cart.clone())
                    .filter(cart_items::Column::Id.eq(id.uuid()))
                    .exec(conn)
                    .await?;
            }
            LineChange::Repriced { id, unit_price } => {
                cart_items::Entity::update_many()
                    .col_expr(
                        cart_items::Column::PriceAtTime,
                        Expr::value(DbDecimal(unit_price.amount)),
                    )
                    .col_expr(cart_items::Column::UpdatedAt, Expr::value(now))
                    .filter(this_cart.clone())
                    .filter(cart_items::Column::Id.eq(id.uuid()))
                    .exec(conn)
                    .await?;
            }
            LineChange::Removed(id) => {
                cart_items::Entity::delete_many()
                    .filter(this_cart.clone())
                    .filter(cart_items::Column::Id.eq(id.uuid()))
                    .exec(conn)
                    .await?;
            }
            LineChange::Cleared => {
                cart_items::Entity::delete_many()
                    .filter(this_cart.clone())
                    .exec(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Quantities are at most 100, so they always fit the INTEGER column.
fn quantity_column(quantity: u32) -> i32 {
    i32::try_from(quantity).unwrap_or(i32::MAX)
}

/// Appends events to the cart's log, each with the next per-cart sequence
/// number. Callers hold the cart's lock, so numbers are gap-free; the primary
/// key (cart_id, seq) would refuse a duplicate anyway.
///
/// # Errors
/// [`StorageError`] on database failure.
async fn append_events(
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
                event.kind.as_str().into(),
                event.data.clone().into(),
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
pub async fn events_after(
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
