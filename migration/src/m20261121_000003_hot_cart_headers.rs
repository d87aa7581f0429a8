//! Cart header updates become HOT (heap-only) on PostgreSQL, and two indexes
//! the composite keys already cover go.
//!
//! Every change of a cart rewrites `version`, `updated_at` and `expires_at`.
//! With `expires_at` indexed, no such update could be HOT: each one added an
//! entry to every index of `carts`. Expiry now finds carts through
//! `expires_day` (days since the Unix epoch of `expires_at`), indexed only
//! for active carts: it changes at most once a day per cart, so nearly every
//! header update leaves every indexed column alone. `fillfactor` 90 leaves
//! room on each page for the new row versions.
//!
//! `cart_items (cart_id)` and `cart_events (cart_id)` are the leading columns
//! of `ux_cart_items_cart_variant` and of the events' primary key: their own
//! indexes only cost writes. `idx_carts_status` gives way to a partial index
//! of ended carts (what the purges look for), which no lookup of an active
//! cart can take.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000003_hot_cart_headers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        db.execute_unprepared("ALTER TABLE carts ADD COLUMN expires_day BIGINT")
            .await?;
        db.execute_unprepared(if postgres {
            "UPDATE carts SET expires_day = FLOOR(EXTRACT(EPOCH FROM expires_at) / 86400)"
        } else {
            "UPDATE carts SET expires_day = CAST(strftime('%s', expires_at) AS INTEGER) / 86400"
        })
        .await?;
        // `expires_day IS NOT NULL` in the predicate keeps the planner from
        // taking this index for any query on active carts (a generic plan
        // cached while the table was small did, scanning every active cart):
        // only a condition on `expires_day` implies it.
        db.execute_unprepared(
            "CREATE INDEX idx_carts_active_expires_day ON carts (expires_day) \
             WHERE status = 'active' AND expires_day IS NOT NULL",
        )
        .await?;
        // Carts written by a replica that predates this column (during a
        // rolling deploy) have no `expires_day`; expiry finds them here.
        // Normally empty. Keyed by `id`, not `expires_at`, which must stay
        // out of every index.
        db.execute_unprepared(
            "CREATE INDEX idx_carts_active_expires_day_unset ON carts (id) \
             WHERE status = 'active' AND expires_day IS NULL",
        )
        .await?;
        // `status` alone is indexed only where no shopper's lookup can use it:
        // a query naming `status = 'active'` planned while the table was
        // small took `idx_carts_status`, and its cached plan then read every
        // active cart per call. Purges find ended carts here.
        db.execute_unprepared(
            "CREATE INDEX idx_carts_ended ON carts (id) \
             WHERE status IN ('abandoned', 'merged')",
        )
        .await?;
        for index in [
            "idx_carts_status",
            "idx_carts_expires_at",
            "idx_cart_items_cart_id",
            "idx_cart_events_cart_id",
        ] {
            db.execute_unprepared(&format!("DROP INDEX {index}"))
                .await?;
        }
        if postgres {
            db.execute_unprepared("ALTER TABLE carts SET (fillfactor = 90)")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE carts RESET (fillfactor)")
                .await?;
        }
        for sql in [
            "CREATE INDEX idx_cart_events_cart_id ON cart_events (cart_id)",
            "CREATE INDEX idx_cart_items_cart_id ON cart_items (cart_id)",
            "CREATE INDEX idx_carts_expires_at ON carts (expires_at)",
            "CREATE INDEX idx_carts_status ON carts (status)",
            "DROP INDEX idx_carts_ended",
            "DROP INDEX idx_carts_active_expires_day_unset",
            "DROP INDEX idx_carts_active_expires_day",
            "ALTER TABLE carts DROP COLUMN expires_day",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
