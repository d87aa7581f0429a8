//! Demand: units of each variant held in active carts, as last counted by
//! the demand job (`variant_demand`, replaced whole at each count; a few
//! rows per variant in any cart, read whole by every replica).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000008_variant_demand"
    }
}

#[derive(DeriveIden)]
enum VariantDemand {
    Table,
    VariantId,
    Units,
    CountedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VariantDemand::Table)
                    .col(
                        ColumnDef::new(VariantDemand::VariantId)
                            .string_len(128)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(VariantDemand::Units)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(VariantDemand::CountedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS variant_demand")
            .await?;
        Ok(())
    }
}
