//! Persistence: the database, its transactions, migrations, and the
//! repositories of carts.
//!
//! The transaction lives here and the service drives it openly: a use case
//! begins a [`Tx`] with [`Database::begin_write`], passes it to as many
//! repository functions as it needs, then commits or rolls it back. Repository
//! functions take `&impl ConnectionTrait`, which both the pool
//! ([`Database::conn`]) and a [`Tx`] are, so the same function serves a read
//! outside a transaction and a step inside one. Callers never name a SeaORM
//! type: entities, models and `DbErr` stay in this module, and failures leave
//! it classified as a [`StorageError`].

pub mod alerts;
pub mod cached;
pub mod cart_write;
pub mod carts;
mod database;
pub mod decimal;
pub mod demand;
pub mod devices;
pub mod entity;
pub mod events;
pub mod idempotency;
pub mod lines;
pub mod lists;
pub mod maintenance;
pub mod notify;
pub mod recovery;
mod rows;
mod schema;
pub mod shares;
mod sql;

pub use database::{Conn, Database, DatabaseOptions, Tx};

use sea_orm::{ConnectionTrait, DbErr, RuntimeErr};

/// What repository functions run on: the pool ([`Database::conn`]) or a
/// [`Tx`]. Use cases name this, never the ORM's trait.
pub trait Executor: ConnectionTrait {}

impl<T: ConnectionTrait> Executor for T {}

/// A storage failure, classified by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or is overloaded (connection refused,
    /// pool exhausted, SQLite busy past its timeout): retrying later may work.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] DbErr),
    /// A serialization failure, deadlock or unique violation from a race: the
    /// transaction may be retried.
    #[error("transaction conflict: {0}")]
    Conflict(#[source] DbErr),
    /// Stored data that cannot be read back as a domain value.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// Anything else.
    #[error(transparent)]
    Other(DbErr),
}

impl From<DbErr> for StorageError {
    fn from(err: DbErr) -> Self {
        classify(err)
    }
}

impl StorageError {
    /// A race another call won (a row it inserted first): the write's
    /// retry sees that row.
    pub fn raced(what: &str) -> Self {
        Self::Conflict(DbErr::Custom(format!("{what} concurrently")))
    }

    /// Whether the statement certainly did not run: PostgreSQL said it was
    /// terminating the connection (class 57P0, e.g. `pg_terminate_backend`
    /// or a restart) — the backend was gone before the statement ran, or the
    /// statement died uncommitted with it. Running it again on another
    /// connection is safe, even a write. A broken socket says nothing of the
    /// sort: the write may have committed before the answer was lost.
    pub fn never_ran(&self) -> bool {
        match self {
            Self::Unavailable(err) => sqlx_error(err)
                .and_then(|e| match e {
                    sea_orm::sqlx::Error::Database(db) => db.code(),
                    _ => None,
                })
                .is_some_and(|code| code.starts_with("57P0")),
            _ => false,
        }
    }
}

/// The driver's error under a SeaORM error, if any.
fn sqlx_error(err: &DbErr) -> Option<&sea_orm::sqlx::Error> {
    match err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e.as_ref()),
        _ => None,
    }
}

fn classify(err: DbErr) -> StorageError {
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx_err = sqlx_error(&err);
    match (&err, sqlx_err) {
        (DbErr::ConnectionAcquire(_) | DbErr::Conn(_), _) => StorageError::Unavailable(err),
        (_, Some(Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::Tls(_))) => {
            StorageError::Unavailable(err)
        }
        (_, Some(Sqlx::Database(db))) => match db.code().as_deref() {
            // PostgreSQL serialization failure, deadlock, and a unique
            // violation (two calls raced to the same row; a retry sees the
            // winner's row).
            Some("40001" | "40P01" | "23505") => StorageError::Conflict(err),
            // SQLite UNIQUE / PRIMARY KEY constraint violations.
            Some("2067" | "1555") => StorageError::Conflict(err),
            // PostgreSQL admin shutdown / connection failures (class 08, 57P0x).
            Some(code) if code.starts_with("08") || code.starts_with("57P0") => {
                StorageError::Unavailable(err)
            }
            // SQLite BUSY and LOCKED (with extended codes).
            Some(code)
                if db
                    .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                    .is_some()
                    && is_sqlite_busy(code) =>
            {
                StorageError::Unavailable(err)
            }
            _ => StorageError::Other(err),
        },
        _ => StorageError::Other(err),
    }
}

fn is_sqlite_busy(code: &str) -> bool {
    code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_busy_and_locked_codes_are_recognised_with_extended_codes() {
        assert!(is_sqlite_busy("5"));
        assert!(is_sqlite_busy("517")); // SQLITE_BUSY_SNAPSHOT
        assert!(is_sqlite_busy("6"));
        assert!(!is_sqlite_busy("19")); // constraint
        assert!(!is_sqlite_busy("40001"));
    }
}
