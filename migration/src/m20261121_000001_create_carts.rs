//! Carts, their lines, their event log and the idempotency records.
//!
//! Money is NUMERIC on PostgreSQL and TEXT on SQLite: SQLite has no decimal type,
//! and a REAL column would round prices through binary floating point.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000001_create_carts"
    }
}

#[derive(DeriveIden)]
enum Carts {
    Table,
    Id,
    SessionId,
    CustomerId,
    Email,
    Currency,
    Status,
    Version,
    Metadata,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    CompletedOrderId,
}

#[derive(DeriveIden)]
enum CartItems {
    Table,
    Id,
    CartId,
    ProductId,
    VariantId,
    Quantity,
    PriceAtTime,
    ProductName,
    VariantName,
    Sku,
    Metadata,
    AddedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CartEvents {
    Table,
    CartId,
    Seq,
    EventType,
    EventData,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Scope,
    RequestId,
    RequestHash,
    Response,
    CreatedAt,
    ExpiresAt,
}

/// Identifiers are at most this long: session, customer, product and variant ids.
const ID_LEN: u32 = 128;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let money = |col: CartItems| {
            let mut def = ColumnDef::new(col);
            match manager.get_database_backend() {
                DbBackend::Sqlite => def.text(),
                _ => def.decimal_len(20, 9),
            };
            def.not_null();
            def
        };

        manager
            .create_table(
                Table::create()
                    .table(Carts::Table)
                    .col(ColumnDef::new(Carts::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(Carts::SessionId)
                            .string_len(ID_LEN)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Carts::CustomerId).string_len(ID_LEN).null())
                    .col(ColumnDef::new(Carts::Email).string_len(254).null())
                    .col(ColumnDef::new(Carts::Currency).string_len(3).not_null())
                    .col(
                        ColumnDef::new(Carts::Status)
                            .string_len(16)
                            .not_null()
                            .check(Expr::col(Carts::Status).is_in([
                                "active",
                                "merged",
                                "abandoned",
                                "completed",
                            ])),
                    )
                    .col(ColumnDef::new(Carts::Version).big_integer().not_null())
                    .col(ColumnDef::new(Carts::Metadata).json_binary().null())
                    .col(
                        ColumnDef::new(Carts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Carts::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Carts::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Carts::CompletedOrderId)
                            .string_len(ID_LEN)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CartItems::Table)
                    .col(
                        ColumnDef::new(CartItems::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(CartItems::CartId).uuid().not_null())
                    .col(
                        ColumnDef::new(CartItems::ProductId)
                            .string_len(ID_LEN)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartItems::VariantId)
                            .string_len(ID_LEN)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartItems::Quantity)
                            .integer()
                            .not_null()
                            .check(Expr::col(CartItems::Quantity).between(1, 100)),
                    )
                    .col(money(CartItems::PriceAtTime))
                    .col(ColumnDef::new(CartItems::ProductName).text().not_null())
                    .col(ColumnDef::new(CartItems::VariantName).text().not_null())
                    .col(ColumnDef::new(CartItems::Sku).text().not_null())
                    .col(ColumnDef::new(CartItems::Metadata).json_binary().null())
                    .col(
                        ColumnDef::new(CartItems::AddedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartItems::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_items_cart_id")
                            .from(CartItems::Table, CartItems::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .index(
                        Index::create()
                            .name("ux_cart_items_cart_variant")
                            .unique()
                            .col(CartItems::CartId)
                            .col(CartItems::VariantId),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CartEvents::Table)
                    .col(ColumnDef::new(CartEvents::CartId).uuid().not_null())
                    .col(ColumnDef::new(CartEvents::Seq).big_integer().not_null())
                    .col(
                        ColumnDef::new(CartEvents::EventType)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartEvents::EventData)
                            .json_binary()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(CartEvents::CartId).col(CartEvents::Seq))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_events_cart_id")
                            .from(CartEvents::Table, CartEvents::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(
                        ColumnDef::new(IdempotencyKeys::Scope)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::RequestId)
                            .string_len(ID_LEN)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::RequestHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(IdempotencyKeys::Response).blob().null())
                    .col(
                        ColumnDef::new(IdempotencyKeys::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Scope)
                            .col(IdempotencyKeys::RequestId),
                    )
                    .to_owned(),
            )
            .await?;

        // The indexes of the original specification.
        for (name, table, col) in [
            (
                "idx_carts_session_id",
                Carts::Table.into_iden(),
                Carts::SessionId.into_iden(),
            ),
            (
                "idx_carts_customer_id",
                Carts::Table.into_iden(),
                Carts::CustomerId.into_iden(),
            ),
            (
                "idx_carts_status",
                Carts::Table.into_iden(),
                Carts::Status.into_iden(),
            ),
            (
                "idx_carts_expires_at",
                Carts::Table.into_iden(),
                Carts::ExpiresAt.into_iden(),
            ),
            (
                "idx_cart_items_cart_id",
                CartItems::Table.into_iden(),
                CartItems::CartId.into_iden(),
            ),
            (
                "idx_cart_events_cart_id",
                CartEvents::Table.into_iden(),
                CartEvents::CartId.into_iden(),
            ),
            (
                "idx_idempotency_keys_expires_at",
                IdempotencyKeys::Table.into_iden(),
                IdempotencyKeys::ExpiresAt.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }

        // At most one active guest cart per session and one active cart per
        // customer: two concurrent first adds cannot create two carts. The same
        // partial-index syntax works on PostgreSQL and SQLite.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_carts_active_guest_session ON carts (session_id) \
             WHERE status = 'active' AND customer_id IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_carts_active_customer ON carts (customer_id) \
             WHERE status = 'active' AND customer_id IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            CartEvents::Table.into_iden(),
            CartItems::Table.into_iden(),
            Carts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
