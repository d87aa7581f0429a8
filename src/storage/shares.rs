//! The share repository: a cart's share links, found by their token's hash.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::StorageError;
use super::entity::cart_shares;
use crate::domain::ids::{CartId, ShareId};
use crate::domain::share::{Share, ShareToken};

fn share_from_model(m: cart_shares::Model) -> Share {
    Share {
        id: ShareId::from_uuid(m.id),
        cart_id: CartId::from_uuid(m.cart_id),
        expires_at: m.expires_at,
        revoked_at: m.revoked_at,
        created_at: m.created_at,
    }
}

/// Stores `share`, found later by `token`'s hash.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn insert(
    conn: &impl ConnectionTrait,
    share: &Share,
    token: &ShareToken,
) -> Result<(), StorageError> {
    let model = cart_shares::ActiveModel {
        id: Set(share.id.uuid()),
        cart_id: Set(share.cart_id.uuid()),
        token_hash: Set(token.hash()),
        expires_at: Set(share.expires_at),
        revoked_at: Set(share.revoked_at),
        created_at: Set(share.created_at),
    };
    cart_shares::Entity::insert(model)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The share `token` names, live or not; with `hold`, its row is held
/// (`FOR SHARE` on PostgreSQL) until the transaction ends, so a revoke
/// waits for the write that used it.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn by_token(
    conn: &impl ConnectionTrait,
    token: &ShareToken,
    hold: bool,
) -> Result<Option<Share>, StorageError> {
    let mut query =
        cart_shares::Entity::find().filter(cart_shares::Column::TokenHash.eq(token.hash()));
    if hold && conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_shared();
    }
    Ok(query.one(conn).await?.map(share_from_model))
}

/// The newest `limit` shares of cart `cart`, newest first.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn of_cart(
    conn: &impl ConnectionTrait,
    cart: CartId,
    limit: u64,
) -> Result<Vec<Share>, StorageError> {
    Ok(cart_shares::Entity::find()
        .filter(cart_shares::Column::CartId.eq(cart.uuid()))
        .order_by_desc(cart_shares::Column::CreatedAt)
        .order_by_desc(cart_shares::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(share_from_model)
        .collect())
}

/// Share `id`.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn find(conn: &impl ConnectionTrait, id: ShareId) -> Result<Option<Share>, StorageError> {
    Ok(cart_shares::Entity::find_by_id(id.uuid())
        .one(conn)
        .await?
        .map(share_from_model))
}

/// Marks share `id` revoked at `now` unless it is already: whether this
/// call revoked it (a revoked one keeps its first time).
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn revoke(
    conn: &impl ConnectionTrait,
    id: ShareId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = cart_shares::Entity::update_many()
        .col_expr(cart_shares::Column::RevokedAt, Expr::value(now))
        .filter(cart_shares::Column::Id.eq(id.uuid()))
        .filter(cart_shares::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}
