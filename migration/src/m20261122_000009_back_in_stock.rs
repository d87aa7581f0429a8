//! Back-in-stock alerts on list items.
//!
//! - `list_item_alerts`: one row per list item whose shopper asked to be
//!   told when its variant is back in stock: the address to tell,
//!   `out_since` (set while the variant is seen out of stock, cleared when
//!   the e-mail is queued, so one e-mail goes per restock) and `checked_at`
//!   (the job looks at the least recently checked first). Deleted with its
//!   item.
//! - `recovery_outbox.list_item_id`: the item a `back_in_stock` message is
//!   about (its `cart_id` is then the nil UUID: no cart).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000009_back_in_stock"
    }
}

#[derive(DeriveIden)]
enum ListItemAlerts {
    Table,
    ListItemId,
    Email,
    OutSince,
    CheckedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ListItems {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RecoveryOutbox {
    Table,
    ListItemId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ListItemAlerts::Table)
                    .col(
                        ColumnDef::new(ListItemAlerts::ListItemId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ListItemAlerts::Email)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ListItemAlerts::OutSince)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ListItemAlerts::CheckedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ListItemAlerts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ListItemAlerts::Table, ListItemAlerts::ListItemId)
                            .to(ListItems::Table, ListItems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_list_item_alerts_checked ON list_item_alerts (checked_at)",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RecoveryOutbox::Table)
                    .add_column(ColumnDef::new(RecoveryOutbox::ListItemId).uuid().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RecoveryOutbox::Table)
                    .drop_column(RecoveryOutbox::ListItemId)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS list_item_alerts")
            .await?;
        Ok(())
    }
}
