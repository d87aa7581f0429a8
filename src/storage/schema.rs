//! The schema's state: migrating it (one replica at a time) and whether
//! this binary's migrations are all applied (readiness).

use std::collections::HashSet;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

use super::{Database, StorageError};

/// The advisory-lock key migrations run under ("cartmigr").
pub const MIGRATION_LOCK_KEY: i64 = 0x6361_7274_6d69_6772;

impl Database {
    /// Applies this binary's pending migrations. A database ahead of the
    /// binary (a newer release migrated it) is left as it is.
    ///
    /// # Errors
    /// [`StorageError`] when the database is unreachable or a migration fails.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        if self.backend() != DbBackend::Postgres {
            return self.migrate_unlocked().await;
        }
        // Replicas starting together would race each other's DDL (two
        // CREATE TABLEs of one name collide in pg_type). One at a time: the
        // lock is held by a transaction on one pooled connection while the
        // migrations run on others; whoever comes second finds nothing left
        // to do. Released when `lock` ends, however it ends.
        let lock = self.conn.begin().await?;
        lock.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
        ))
        .await?;
        let migrated = self.migrate_unlocked().await;
        let released = lock.rollback().await;
        migrated?;
        released?;
        Ok(())
    }

    async fn migrate_unlocked(&self) -> Result<(), StorageError> {
        if self.pending().await? != Some(0) {
            Migrator::up(&self.conn, None).await?;
        }
        Ok(())
    }

    /// Checks readiness: the database answers and none of this binary's
    /// migrations is pending.
    ///
    /// # Errors
    /// [`StorageError`] when it does not answer; `Corrupt` when the schema
    /// is missing or behind.
    pub async fn check_ready(&self) -> Result<(), StorageError> {
        self.conn.execute_unprepared("SELECT 1").await?;
        match self.pending().await? {
            Some(0) => Ok(()),
            Some(n) => Err(StorageError::Corrupt(format!("{n} migrations pending"))),
            None => Err(StorageError::Corrupt("the schema is not installed".into())),
        }
    }

    /// How many of this binary's migrations are not applied; `None` when the
    /// migrations table does not exist. Migrations the binary does not know
    /// (a newer release's) do not count: migrations only add.
    async fn pending(&self) -> Result<Option<usize>, StorageError> {
        // Asking sea-orm for pending migrations creates the migrations table
        // when it is missing, which would race a migrating replica's DDL:
        // look first.
        let probe = match self.backend() {
            DbBackend::Postgres => "SELECT to_regclass('seaql_migrations') IS NOT NULL AS found",
            _ => {
                "SELECT EXISTS (SELECT 1 FROM sqlite_master \
                 WHERE type = 'table' AND name = 'seaql_migrations') AS found"
            }
        };
        let installed = self
            .conn
            .query_one_raw(Statement::from_string(self.backend(), probe))
            .await?
            .map(|row| row.try_get::<bool>("", "found"))
            .transpose()?
            .unwrap_or(false);
        if !installed {
            return Ok(None);
        }
        let applied: HashSet<String> = self
            .conn
            .query_all_raw(Statement::from_string(
                self.backend(),
                "SELECT version FROM seaql_migrations",
            ))
            .await?
            .iter()
            .map(|row| row.try_get::<String>("", "version"))
            .collect::<Result<_, _>>()?;
        Ok(Some(
            Migrator::migrations()
                .iter()
                .filter(|m| !applied.contains(m.name()))
                .count(),
        ))
    }
}
