//! Abandoned-cart recovery: the outbox of recovery e-mail, the addresses that
//! unsubscribed (as keyed hashes), the keyed hashes of guest carts' device
//! signals, and the index the detection job finds idle carts with an address
//! through.
//!
//! - `recovery_outbox`: one row per message, written with its
//!   `recovery_email_queued` event; `id` is the Message-ID. `status` is
//!   `pending` until delivered (`sent`) or given up (`failed`); `suppressed`
//!   marks a cart skipped because its address unsubscribed, so the job does
//!   not look at it again within the resend window. Pending rows due are
//!   found through a partial index; a cart's recent rows through
//!   `(cart_id, created_at)`. No foreign key: a row outlives its cart's purge
//!   until its own retention ends.
//! - `recovery_unsubscribes`: the HMAC of each address that unsubscribed.
//! - `cart_device_signals`: one keyed hash per signal of a guest cart;
//!   candidates for recovery by device are found by `(signal, hash)`
//!   (index-only, with `cart_id`); signals past the window go by
//!   `created_at`.
//! - `idx_carts_recovery_idle`: active carts with an address, by
//!   `expires_day` (a cart idle for `idle_hours` expires `ttl - idle_hours`
//!   from now, so idle carts are a range of days). Not `updated_at`: an
//!   index on it, partial or not, would make every header update non-HOT;
//!   `expires_day` is indexed already and `email` changes rarely.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000004_recovery"
    }
}

#[derive(DeriveIden)]
enum RecoveryOutbox {
    Table,
    Id,
    Kind,
    CartId,
    Email,
    Subject,
    BodyText,
    BodyHtml,
    ListUnsubscribe,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum RecoveryUnsubscribes {
    Table,
    AddressHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CartDeviceSignals {
    Table,
    CartId,
    Signal,
    Hash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Carts {
    Table,
    Id,
}

fn outbox() -> TableCreateStatement {
    Table::create()
        .table(RecoveryOutbox::Table)
        .col(
            ColumnDef::new(RecoveryOutbox::Id)
                .uuid()
                .not_null()
                .primary_key(),
        )
        .col(
            ColumnDef::new(RecoveryOutbox::Kind)
                .string_len(32)
                .not_null(),
        )
        .col(ColumnDef::new(RecoveryOutbox::CartId).uuid().not_null())
        .col(
            ColumnDef::new(RecoveryOutbox::Email)
                .string_len(254)
                .not_null(),
        )
        .col(ColumnDef::new(RecoveryOutbox::Subject).text().not_null())
        .col(ColumnDef::new(RecoveryOutbox::BodyText).text().not_null())
        .col(ColumnDef::new(RecoveryOutbox::BodyHtml).text().not_null())
        .col(
            ColumnDef::new(RecoveryOutbox::ListUnsubscribe)
                .text()
                .not_null(),
        )
        .col(
            ColumnDef::new(RecoveryOutbox::Status)
                .string_len(16)
                .not_null(),
        )
        .col(
            ColumnDef::new(RecoveryOutbox::Attempts)
                .integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(RecoveryOutbox::NextAttemptAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(RecoveryOutbox::LastError).text().null())
        .col(
            ColumnDef::new(RecoveryOutbox::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(RecoveryOutbox::SentAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(outbox()).await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_recovery_outbox_due ON recovery_outbox (next_attempt_at) \
             WHERE status = 'pending'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_recovery_outbox_cart ON recovery_outbox (cart_id, created_at)",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryUnsubscribes::Table)
                    .col(
                        ColumnDef::new(RecoveryUnsubscribes::AddressHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(RecoveryUnsubscribes::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CartDeviceSignals::Table)
                    .col(ColumnDef::new(CartDeviceSignals::CartId).uuid().not_null())
                    .col(
                        ColumnDef::new(CartDeviceSignals::Signal)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartDeviceSignals::Hash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartDeviceSignals::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CartDeviceSignals::CartId)
                            .col(CartDeviceSignals::Signal),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CartDeviceSignals::Table, CartDeviceSignals::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_cart_device_signals_hash \
             ON cart_device_signals (signal, hash, cart_id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_cart_device_signals_created ON cart_device_signals (created_at)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_carts_recovery_idle ON carts (expires_day) \
             WHERE status = 'active' AND email IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_carts_recovery_idle")
            .await?;
        for table in [
            "cart_device_signals",
            "recovery_unsubscribes",
            "recovery_outbox",
        ] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
