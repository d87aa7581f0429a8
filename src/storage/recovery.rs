//! Storage of recovery e-mail: idle carts with an address, the outbox
//! (queue, claim, sent, retry, failed) and unsubscribed addresses. Plain SQL,
//! one text per statement, with the backend's placeholders. Guest carts'
//! device signals are in [`super::devices`].

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Value};

use super::StorageError;
use super::cart_write::expires_day;
use super::carts::find_by_id;
use super::events;
use super::sql::{delete_batch, statement};
use crate::domain::cart::{Cart, CartStatus};
use crate::domain::event::Event;
use crate::domain::ids::{CartId, ListItemId};

/// What makes a cart a recovery candidate, as of one run.
#[derive(Debug, Clone, Copy)]
pub struct Idle {
    /// Last changed before this.
    pub changed_before: DateTime<Utc>,
    /// Not expired at this time.
    pub now: DateTime<Utc>,
    /// No outbox row written after this.
    pub queued_after: DateTime<Utc>,
    /// The cart TTL: an idle cart expires `ttl` after `changed_before` at
    /// the latest, which bounds the index range searched.
    pub ttl: chrono::Duration,
}

/// Up to `limit` ids of active carts with an address and a line, idle and
/// not e-mailed within the resend window, about the longest idle first.
/// Found through `idx_carts_recovery_idle`: a cart last changed before
/// `changed_before` expires by `changed_before + ttl`, and one not expired
/// expires after now, so its `expires_day` is in that range; the exact
/// conditions then filter the day at each end.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn idle_carts(
    conn: &impl ConnectionTrait,
    idle: Idle,
    limit: u64,
) -> Result<Vec<CartId>, StorageError> {
    let sql = "SELECT c.id FROM carts c \
         WHERE c.status = 'active' AND c.email IS NOT NULL \
           AND c.expires_day BETWEEN $5 AND $6 \
           AND c.updated_at < $1 AND c.expires_at > $2 \
           AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id) \
           AND NOT EXISTS (SELECT 1 FROM recovery_outbox o \
                           WHERE o.cart_id = c.id AND o.created_at > $3) \
         ORDER BY c.expires_day LIMIT $4";
    let rows = conn
        .query_all_raw(statement(
            conn,
            sql,
            vec![
                idle.changed_before.into(),
                idle.now.into(),
                idle.queued_after.into(),
                (limit as i64).into(),
                expires_day(idle.now).into(),
                expires_day(idle.changed_before + idle.ttl).into(),
            ],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok(CartId::from_uuid(row.try_get_by_index::<uuid::Uuid>(0)?)))
        .collect()
}

/// The cart, locked, if it is still a recovery candidate (checked again
/// inside the transaction that queues its e-mail).
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn lock_idle(
    conn: &impl ConnectionTrait,
    id: CartId,
    idle: Idle,
) -> Result<Option<Cart>, StorageError> {
    let Some(cart) = find_by_id(conn, id, true).await? else {
        return Ok(None);
    };
    let still = cart.status == CartStatus::Active
        && cart.email.is_some()
        && cart.updated_at < idle.changed_before
        && cart.expires_at > idle.now;
    if !still {
        return Ok(None);
    }
    let recent = conn
        .query_one_raw(statement(
            conn,
            "SELECT 1 FROM recovery_outbox WHERE cart_id = $1 AND created_at > $2",
            vec![id.uuid().into(), idle.queued_after.into()],
        ))
        .await?;
    Ok(recent.is_none().then_some(cart))
}

/// Whether the address with this keyed hash unsubscribed.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn is_unsubscribed(
    conn: &impl ConnectionTrait,
    address_hash: &str,
) -> Result<bool, StorageError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT 1 FROM recovery_unsubscribes WHERE address_hash = $1",
            vec![address_hash.into()],
        ))
        .await?;
    Ok(row.is_some())
}

/// Records that the address with this hash unsubscribed; a repeat is a no-op.
/// Returns whether it was new.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn unsubscribe(
    conn: &impl ConnectionTrait,
    address_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let done = conn
        .execute_raw(statement(
            conn,
            "INSERT INTO recovery_unsubscribes (address_hash, created_at) VALUES ($1, $2) \
             ON CONFLICT (address_hash) DO NOTHING",
            vec![address_hash.into(), now.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// The Message-ID's local part.
    pub id: uuid::Uuid,
    /// The cart it is about.
    pub cart_id: CartId,
    /// The recipient.
    pub email: String,
    /// One line.
    pub subject: String,
    /// text/plain.
    pub body_text: String,
    /// text/html.
    pub body_html: String,
    /// The one-click unsubscribe URL.
    pub list_unsubscribe: String,
    /// Delivery attempts so far (the claim counts one).
    pub attempts: i32,
    /// The claim's token (`claims` after it): what recording its result
    /// presents. It only grows.
    pub claim: i32,
}

/// Writes `message` to the outbox as due now with its
/// `recovery_email_queued` event (the caller holds the cart's lock).
/// `suppressed`: the address unsubscribed; the row only marks the cart as
/// handled for the resend window: it keeps neither the address nor the
/// e-mail, nothing is sent and no event is written.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn queue(
    conn: &impl ConnectionTrait,
    message: &OutboxMessage,
    suppressed: bool,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    insert(conn, message, Kind::Recovery, suppressed, now).await?;
    if !suppressed {
        let queued = Event::RecoveryEmailQueued {
            message_id: message.id,
        };
        events::append(conn, message.cart_id, &[queued], now).await?;
    }
    Ok(())
}

/// What an outbox message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An abandoned cart (`cart_id`).
    Recovery,
    /// A list item back in stock (`list_item_id`; `cart_id` is the nil id).
    BackInStock(ListItemId),
}

/// Writes `message` of `kind` to the outbox, due at `now`; `suppressed`
/// keeps neither the address nor the e-mail and is never sent.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn insert(
    conn: &impl ConnectionTrait,
    message: &OutboxMessage,
    kind: Kind,
    suppressed: bool,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let status = if suppressed { "suppressed" } else { "pending" };
    let kept = |value: &str| {
        if suppressed {
            String::new()
        } else {
            value.to_owned()
        }
    };
    let (kind, item) = match kind {
        Kind::Recovery => ("recovery", None),
        Kind::BackInStock(item) => ("back_in_stock", Some(item.uuid())),
    };
    conn.execute_raw(statement(
        conn,
        "INSERT INTO recovery_outbox (id, kind, cart_id, list_item_id, email, subject, \
         body_text, body_html, list_unsubscribe, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)",
        vec![
            message.id.into(),
            kind.into(),
            message.cart_id.uuid().into(),
            item.into(),
            kept(&message.email).into(),
            kept(&message.subject).into(),
            kept(&message.body_text).into(),
            kept(&message.body_html).into(),
            kept(&message.list_unsubscribe).into(),
            status.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Claims up to `limit` pending messages due at `now` for delivery: each
/// gets an attempt counted and is not due again before `lease_until`, so no
/// other sender takes it meanwhile (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
/// senders on other replicas pass over rows being claimed). The claim
/// commits at once: no transaction is held while mail is sent.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn claim_due(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<OutboxMessage>, StorageError> {
    let skip_locked = if conn.get_database_backend() == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE recovery_outbox SET attempts = attempts + 1, claims = claims + 1, next_attempt_at = $1 \
         WHERE id IN (SELECT id FROM recovery_outbox \
                      WHERE status = 'pending' AND next_attempt_at <= $2 \
                      ORDER BY next_attempt_at LIMIT $3{skip_locked}) \
         RETURNING id, cart_id, email, subject, body_text, body_html, list_unsubscribe, attempts, claims"
    );
    let rows = conn
        .query_all_raw(statement(
            conn,
            &sql,
            vec![lease_until.into(), now.into(), (limit as i64).into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(OutboxMessage {
                id: row.try_get_by_index(0)?,
                cart_id: CartId::from_uuid(row.try_get_by_index(1)?),
                email: row.try_get_by_index(2)?,
                subject: row.try_get_by_index(3)?,
                body_text: row.try_get_by_index(4)?,
                body_html: row.try_get_by_index(5)?,
                list_unsubscribe: row.try_get_by_index(6)?,
                attempts: row.try_get_by_index(7)?,
                claim: row.try_get_by_index(8)?,
            })
        })
        .collect()
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted by the relay.
    Sent,
    /// Failed; due again at this time.
    Retry(DateTime<Utc>, String),
    /// Failed for good.
    Failed(String),
    /// Not sent: the address unsubscribed after the message was queued.
    Suppressed,
    /// Not tried: the sender stops. The claim is given back (due now, for
    /// another sender) and the attempt not counted; the claim token stays.
    Released,
}

/// Records how `message`'s attempt ended, with its event when it ended for
/// good (`recovery_email_sent` or `recovery_email_failed`), in one
/// transaction the caller commits. Only while the row is still this
/// attempt's (pending, with its claim's token): a sender whose lease
/// ran out changes nothing another sender claimed since. The cart's lock
/// orders the event; a cart purged meanwhile gets none.
///
/// # Errors
/// [`StorageError`] on database failure or corrupt data.
pub async fn record_delivery(
    conn: &impl ConnectionTrait,
    message: &OutboxMessage,
    delivery: &Delivery,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let (sql, values, event): (&str, Vec<Value>, Option<Event>) = match delivery {
        Delivery::Sent => (
            "UPDATE recovery_outbox SET status = 'sent', sent_at = $3, last_error = NULL \
             WHERE id = $1 AND status = 'pending' AND claims = $2",
            vec![message.id.into(), message.claim.into(), now.into()],
            Some(Event::RecoveryEmailSent {
                message_id: message.id,
                attempts: message.attempts.max(0) as u32,
            }),
        ),
        Delivery::Retry(at, error) => (
            "UPDATE recovery_outbox SET next_attempt_at = $3, last_error = $4 \
             WHERE id = $1 AND status = 'pending' AND claims = $2",
            vec![
                message.id.into(),
                message.claim.into(),
                (*at).into(),
                error.clone().into(),
            ],
            None,
        ),
        Delivery::Released => (
            "UPDATE recovery_outbox SET attempts = attempts - 1, next_attempt_at = $3 \
             WHERE id = $1 AND status = 'pending' AND claims = $2",
            vec![message.id.into(), message.claim.into(), now.into()],
            None,
        ),
        Delivery::Suppressed => (
            "UPDATE recovery_outbox SET status = 'suppressed', email = '', subject = '', \
             body_text = '', body_html = '', list_unsubscribe = '' \
             WHERE id = $1 AND status = 'pending' AND claims = $2",
            vec![message.id.into(), message.claim.into()],
            None,
        ),
        Delivery::Failed(error) => (
            "UPDATE recovery_outbox SET status = 'failed', last_error = $3 \
             WHERE id = $1 AND status = 'pending' AND claims = $2",
            vec![
                message.id.into(),
                message.claim.into(),
                error.clone().into(),
            ],
            Some(Event::RecoveryEmailFailed {
                message_id: message.id,
                attempts: message.attempts.max(0) as u32,
            }),
        ),
    };
    let cart = match event {
        Some(_) => find_by_id(conn, message.cart_id, true).await?,
        None => None,
    };
    let changed = conn.execute_raw(statement(conn, sql, values)).await?;
    if let (Some(event), Some(cart), 1) = (event, cart, changed.rows_affected()) {
        events::append(conn, cart.id, &[event], now).await?;
    }
    Ok(())
}

/// Deletes up to `limit` outbox rows written before `cutoff` that are no
/// longer pending. Returns how many.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn purge_outbox_batch(
    conn: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<u64, StorageError> {
    let filter = (
        "created_at < $1 AND status <> 'pending'",
        vec![cutoff.into()],
    );
    Ok(delete_batch(conn, "recovery_outbox", "id", filter, limit).await?)
}
