//! Persistence: the database connection, migrations, and repositories of carts.
//!
//! Repositories take `&impl ConnectionTrait` so a use case can run several of
//! them in one transaction. SeaORM types stay in this module.

pub mod carts;
pub mod decimal;
pub mod entity;
pub mod idempotency;
pub mod maintenance;

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    RuntimeErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Largest connection pool.
    pub max_connections: u32,
    /// How long a call waits for a pooled connection.
    pub acquire_timeout: Duration,
    /// How long SQLite waits for a lock before giving up.
    pub sqlite_busy_timeout: Duration,
}

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

fn classify(err: DbErr) -> StorageError {
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx_err = match &err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e.as_ref()),
        _ => None,
    };
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

/// The database: a connection pool that knows its backend.
#[derive(Debug, Clone)]
pub struct Database {
    conn: DatabaseConnection,
    /// SQLite has one writer at a time: this process's writers queue here,
    /// in order, instead of sleeping in SQLite's busy handler (which backs off
    /// up to 100 ms a try and made the tail latency of concurrent writes
    /// hundreds of milliseconds). `None` on PostgreSQL.
    sqlite_writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

/// The turn of a SQLite writer (see [`Database::begin_write`]); nothing on
/// PostgreSQL. Hold it until the transaction has ended.
pub type WriterTurn = Option<tokio::sync::OwnedMutexGuard<()>>;

impl Database {
    /// Connects (lazily for PostgreSQL: the service starts while it is down).
    ///
    /// SQLite gets WAL, `synchronous=NORMAL`, a busy timeout and foreign keys on
    /// every pooled connection, set through the connect options rather than a
    /// one-off PRAGMA, which would reach one connection only.
    ///
    /// # Errors
    /// [`StorageError`] when the URL is malformed or SQLite cannot open the file.
    pub async fn connect(options: &DatabaseOptions) -> Result<Self, StorageError> {
        let mut opts = ConnectOptions::new(options.url.clone());
        opts.max_connections(options.max_connections)
            .min_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_timeout(options.acquire_timeout)
            // Pinging on every checkout costs a round trip per statement
            // outside a transaction (measured: a third of GetCart's database
            // time). Only a connection idle long enough to have been dropped
            // by a proxy or firewall is pinged; a connection that died while
            // in use fails its call with a retryable error and is replaced.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false);
        let busy = options.sqlite_busy_timeout;
        opts.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy)
                .foreign_keys(true)
        });
        if !options.url.starts_with("sqlite:") {
            opts.connect_lazy(true);
        }
        let conn = sea_orm::Database::connect(opts).await?;
        let sqlite_writer = (conn.get_database_backend() == DbBackend::Sqlite)
            .then(|| Arc::new(tokio::sync::Mutex::new(())));
        Ok(Self {
            conn,
            sqlite_writer,
        })
    }

    /// Applies pending migrations.
    ///
    /// # Errors
    /// [`StorageError`] when the database is unreachable or a migration fails.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Checks readiness: the database answers and no migration is pending.
    ///
    /// # Errors
    /// [`StorageError`] when it does not answer; `Corrupt` when migrations are
    /// pending.
    pub async fn check_ready(&self) -> Result<(), StorageError> {
        self.conn.execute_unprepared("SELECT 1").await?;
        let pending = Migrator::get_pending_migrations(&self.conn).await?;
        if pending.is_empty() {
            Ok(())
        } else {
            Err(StorageError::Corrupt(format!(
                "{} migrations pending",
                pending.len()
            )))
        }
    }

    /// Begins a write transaction. On SQLite it first waits for this
    /// process's writer turn, then begins `IMMEDIATE`, so a transaction that
    /// reads then writes holds the lock from the start (another process on
    /// the same file still waits in the busy timeout). Keep the turn until
    /// the transaction has committed or rolled back.
    ///
    /// # Errors
    /// [`StorageError`] when no connection can be had.
    pub async fn begin_write(&self) -> Result<(WriterTurn, DatabaseTransaction), StorageError> {
        let turn = match &self.sqlite_writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend() == DbBackend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok((turn, self.conn.begin_with_options(options).await?))
    }

    /// The pool, for reads outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Which backend this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Closes the pool.
    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
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
