//! A claim counter on the recovery outbox (`claims`), the token a sender's
//! result must present. It only grows: a claim given back at a stop lowers
//! `attempts` (the attempt is not counted) but never the token, so a sender
//! whose lease ran out can never match a later claim.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000010_outbox_claims"
    }
}

#[derive(DeriveIden)]
enum RecoveryOutbox {
    Table,
    Claims,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RecoveryOutbox::Table)
                    .add_column(
                        ColumnDef::new(RecoveryOutbox::Claims)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RecoveryOutbox::Table)
                    .drop_column(RecoveryOutbox::Claims)
                    .to_owned(),
            )
            .await
    }
}
