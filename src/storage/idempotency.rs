//! Idempotency records (AIP-155): the first successful response to a request
//! id, stored in the same transaction as the change it made.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::StorageError;
use super::sql::{Guard, Sql, statement};

/// A remembered request: what it was (fingerprint) and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    /// Fingerprint of the request.
    pub fingerprint: String,
    /// The encoded response.
    pub response: Vec<u8>,
}

/// The record of `request_id` in `scope`, unless its window has ended.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn find(
    conn: &impl ConnectionTrait,
    scope: &str,
    request_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Remembered>, StorageError> {
    let row = conn
        .query_one_raw(statement(
            conn,
            "SELECT request_hash, response FROM idempotency_keys \
             WHERE scope = $1 AND request_id = $2 AND expires_at > $3",
            vec![scope.into(), request_id.into(), now.into()],
        ))
        .await?;
    row.map(|row| {
        Ok(Remembered {
            fingerprint: row.try_get("", "request_hash")?,
            response: row
                .try_get::<Option<Vec<u8>>>("", "response")?
                .unwrap_or_default(),
        })
    })
    .transpose()
}

/// The record of one request id: what to remember, and until when.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Whose request ids these are.
    pub scope: &'a str,
    /// The request id.
    pub request_id: &'a str,
    /// The request's fingerprint.
    pub fingerprint: &'a str,
    /// The encoded response.
    pub response: &'a [u8],
    /// End of its window.
    pub expires_at: DateTime<Utc>,
}

/// `record`'s INSERT, made at `now`, as a (sub-)statement guarded by
/// `guard`. A record of the same key that exists already, expired or not,
/// fails it with a unique violation (`StorageError::Conflict`): that is how a
/// second use of a key is caught, here or in the statement it is part of.
pub(super) fn insert(
    sql: &mut Sql,
    record: &Record<'_>,
    now: DateTime<Utc>,
    guard: Guard,
) -> String {
    let values = [
        sql.bind(record.scope),
        sql.bind(record.request_id),
        sql.bind(record.fingerprint),
        sql.bind(record.response.to_vec()),
        sql.bind(now),
        sql.bind(record.expires_at),
    ];
    format!(
        "INSERT INTO idempotency_keys \
         (scope, request_id, request_hash, response, created_at, expires_at) \
         SELECT {} WHERE TRUE{guard}",
        values.join(", "),
        guard = guard.and()
    )
}

/// Remembers `record`, made at `now`. An expired record of the same key is
/// replaced. A concurrent first use of the same key fails with a unique
/// violation (`StorageError::Conflict`), and the caller's retry then finds
/// this record.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn remember(
    conn: &impl ConnectionTrait,
    record: Record<'_>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.execute_raw(statement(
        conn,
        "DELETE FROM idempotency_keys \
         WHERE scope = $1 AND request_id = $2 AND expires_at <= $3",
        vec![record.scope.into(), record.request_id.into(), now.into()],
    ))
    .await?;
    let mut sql = Sql::new(conn.get_database_backend());
    sql.text = insert(&mut sql, &record, now, Guard::None);
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

/// The claim of `request_id` in `scope` for the rest of the transaction
/// (PostgreSQL): one row, `claimed`, false when another transaction holds it.
pub(super) fn claim(sql: &mut Sql, scope: &str, request_id: &str) -> String {
    let key = sql.bind(lock_key(scope, request_id));
    format!("SELECT pg_try_advisory_xact_lock({key}) AS claimed")
}

/// The advisory-lock key of `request_id` in `scope` (64 bits of SHA-256):
/// what a running keyed write holds on PostgreSQL.
pub fn lock_key(scope: &str, request_id: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    digest.update(b"idempotency\0");
    digest.update(scope.as_bytes());
    digest.update([0]);
    digest.update(request_id.as_bytes());
    let digest = digest.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Claims `request_id` in `scope` for the rest of the transaction: false when
/// another transaction holds it (a duplicate running on another replica). On
/// SQLite, where this process's writers already run one at a time, always
/// true.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn try_claim(
    conn: &impl ConnectionTrait,
    scope: &str,
    request_id: &str,
) -> Result<bool, StorageError> {
    if conn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(true);
    }
    let mut sql = Sql::new(sea_orm::DbBackend::Postgres);
    sql.text = claim(&mut sql, scope, request_id);
    let row = conn.query_one_raw(sql.statement()).await?;
    Ok(match row {
        Some(row) => row.try_get("", "claimed")?,
        None => false,
    })
}
