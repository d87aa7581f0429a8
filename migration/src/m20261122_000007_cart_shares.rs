//! Shared carts: one row per share link of a cart.
//!
//! - `cart_shares`: the token itself is never stored, only its SHA-256
//!   (`token_hash`, unique: a share is found by it); `expires_at` is NULL
//!   for a link without expiry; `revoked_at` is set by RevokeCartShare (the
//!   row stays, so a revoked link stays refused). Deleted with its cart.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000007_cart_shares"
    }
}

#[derive(DeriveIden)]
enum CartShares {
    Table,
    Id,
    CartId,
    TokenHash,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Carts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CartShares::Table)
                    .col(
                        ColumnDef::new(CartShares::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(CartShares::CartId).uuid().not_null())
                    .col(
                        ColumnDef::new(CartShares::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(CartShares::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CartShares::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(CartShares::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CartShares::Table, CartShares::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX idx_cart_shares_cart ON cart_shares (cart_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS cart_shares")
            .await?;
        Ok(())
    }
}
