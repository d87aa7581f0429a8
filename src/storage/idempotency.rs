//! Idempotency records (AIP-155): the first successful response to a request
//! id, stored in the same transaction as the change it made.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};

use super::StorageError;
use super::sql::statement;

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

/// Remembers `response` for `request_id` in `scope` until `expires_at`. An
/// expired record of the same key is replaced. A concurrent first use of the
/// same key fails with a unique violation (`StorageError::Conflict`), and the
/// caller's retry then finds this record.
///
/// # Errors
/// [`StorageError`] on database failure.
pub async fn remember(
    conn: &impl ConnectionTrait,
    scope: &str,
    request_id: &str,
    fingerprint: &str,
    response: Vec<u8>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.execute_raw(statement(
        conn,
        "DELETE FROM idempotency_keys \
         WHERE scope = $1 AND request_id = $2 AND expires_at <= $3",
        vec![scope.into(), request_id.into(), now.into()],
    ))
    .await?;
    conn.execute_raw(statement(
        conn,
        "INSERT INTO idempotency_keys \
         (scope, request_id, request_hash, response, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            scope.into(),
            request_id.into(),
            fingerprint.into(),
            response.into(),
            now.into(),
            expires_at.into(),
        ],
    ))
    .await?;
    Ok(())
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
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock($1) AS claimed",
            [lock_key(scope, request_id).into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "claimed")?,
        None => false,
    })
}
