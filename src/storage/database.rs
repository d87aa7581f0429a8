//! The connection pool and its transactions.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};

use super::StorageError;

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

/// The database: a connection pool that knows its backend.
#[derive(Debug, Clone)]
pub struct Database {
    pub(super) conn: DatabaseConnection,
    /// The pool's size: how many dead connections it can hold at most.
    max_connections: u32,
    /// SQLite has one writer at a time: this process's writers queue here,
    /// in order, instead of sleeping in SQLite's busy handler (which backs off
    /// up to 100 ms a try and made the tail latency of concurrent writes
    /// hundreds of milliseconds). `None` on PostgreSQL.
    sqlite_writer: Option<Arc<tokio::sync::Mutex<()>>>,
    metrics: Option<Arc<crate::metrics::Metrics>>,
}

/// The turn of a SQLite writer (see [`Database::begin_write`]); nothing on
/// PostgreSQL. Held by the [`Tx`] until it has ended.
type WriterTurn = Option<tokio::sync::OwnedMutexGuard<()>>;

/// A database transaction. Repository functions run on it (it is a
/// `ConnectionTrait`); [`Tx::commit`] or [`Tx::rollback`] ends it. Dropped
/// without either, it rolls back.
#[derive(Debug)]
pub struct Tx {
    tx: DatabaseTransaction,
    /// Released only after the transaction has ended.
    _turn: WriterTurn,
}

impl Tx {
    /// Commits, then gives up the writer turn.
    ///
    /// # Errors
    /// [`StorageError`] when the commit fails (nothing was written).
    pub async fn commit(self) -> Result<(), StorageError> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls back, then gives up the writer turn.
    ///
    /// # Errors
    /// [`StorageError`] when the database cannot be told.
    pub async fn rollback(self) -> Result<(), StorageError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Tx {
    fn get_database_backend(&self) -> DbBackend {
        self.tx.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tx.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tx.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tx.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tx.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.tx.support_returning()
    }
}

/// What one attempt of a write runs on: a transaction, or (a write of one
/// statement that holds no lock) the pool, each statement committing on its
/// own.
#[derive(Clone, Copy)]
pub enum Conn<'a> {
    /// A write transaction.
    Tx(&'a Tx),
    /// The pool.
    Alone(&'a Database),
}

impl Conn<'_> {
    /// Whether statements run in a transaction.
    pub fn in_transaction(&self) -> bool {
        matches!(self, Self::Tx(_))
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Conn<'_> {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Self::Tx(tx) => tx.get_database_backend(),
            Self::Alone(db) => db.conn.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Self::Tx(tx) => tx.execute_raw(stmt).await,
            Self::Alone(db) => db.conn.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Self::Tx(tx) => tx.execute_unprepared(sql).await,
            Self::Alone(db) => db.conn.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Tx(tx) => tx.query_one_raw(stmt).await,
            Self::Alone(db) => db.conn.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Tx(tx) => tx.query_all_raw(stmt).await,
            Self::Alone(db) => db.conn.query_all_raw(stmt).await,
        }
    }

    fn support_returning(&self) -> bool {
        match self {
            Self::Tx(tx) => tx.support_returning(),
            Self::Alone(db) => db.conn.support_returning(),
        }
    }
}

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
            max_connections: options.max_connections,
            sqlite_writer,
            metrics: None,
        })
    }

    /// Connections of the pool: in use and idle.
    pub fn pool_connections(&self) -> (u32, u32) {
        let (size, idle) = match self.backend() {
            DbBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        (size.saturating_sub(idle), idle)
    }

    /// Begins a write transaction. On SQLite it first waits for this
    /// process's writer turn, then begins `IMMEDIATE`, so a transaction that
    /// reads then writes holds the lock from the start (another process on
    /// the same file still waits in the busy timeout). Keep the turn until
    /// the transaction has committed or rolled back.
    ///
    /// # Errors
    /// [`StorageError`] when no connection can be had.
    pub async fn begin_write(&self) -> Result<Tx, StorageError> {
        let turn = match &self.sqlite_writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend() == DbBackend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok(Tx {
            tx: self.begin_on_a_live_connection(options).await?,
            _turn: turn,
        })
    }

    /// Begins a transaction, passing over pooled connections whose backend
    /// was terminated while they sat idle (after a database restart or
    /// failover the pool holds several): a failed BEGIN ran nothing.
    async fn begin_on_a_live_connection(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, StorageError> {
        let mut tries = 0;
        let started = std::time::Instant::now();
        loop {
            match self.conn.begin_with_options(options).await {
                Ok(tx) => {
                    if let Some(metrics) = &self.metrics {
                        metrics.db_acquire.observe(started.elapsed().as_secs_f64());
                    }
                    return Ok(tx);
                }
                Err(err) => {
                    let err = StorageError::from(err);
                    tries += 1;
                    if !err.never_ran() || tries > self.max_connections {
                        return Err(err);
                    }
                }
            }
        }
    }

    /// This database, recording how long beginning a transaction takes
    /// (getting a pooled connection included) in `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<crate::metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Begins a transaction that only holds locks (the maintenance leader's),
    /// outside the writer queue: on SQLite it takes no lock until it writes.
    ///
    /// # Errors
    /// [`StorageError`] when no connection can be had.
    pub async fn begin(&self) -> Result<Tx, StorageError> {
        Ok(Tx {
            tx: self
                .begin_on_a_live_connection(TransactionOptions::default())
                .await?,
            _turn: None,
        })
    }

    /// The pool, for reads outside a transaction (pass it to a repository
    /// function).
    pub fn conn(&self) -> &impl super::Executor {
        &self.conn
    }

    /// Whether a whole write can be one statement that commits by itself
    /// (PostgreSQL's data-modifying `WITH`; see [`super::cart_write`]).
    pub fn writes_in_one_statement(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    /// Whether this is PostgreSQL (changes are announced by NOTIFY).
    pub fn is_postgres(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    /// Which backend this is.
    pub(super) fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Closes the pool.
    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}
