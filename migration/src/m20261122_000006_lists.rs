//! Lists: the shopper's saved-for-later list and a customer's named wish
//! lists, their items, and their event log.
//!
//! - `shopping_lists`: one row per list, owned by a guest session
//!   (`customer_id` NULL) or a customer. `kind` is `saved_for_later` or
//!   `wish_list`. At most one saved-for-later list per owner and one wish
//!   list per name of a customer, held by partial unique indexes (so two
//!   first saves cannot make two lists: the second write retries and finds
//!   the first's).
//! - `list_items`: an item is a cart line at rest: the same snapshot columns
//!   (`price_at_time` is the price when saved), plus a note. One item per
//!   variant in a list (`(list_id, variant_id)` unique); deleted with its
//!   list.
//! - `list_events`: the lists' log, as `cart_events` is the carts'. No
//!   foreign key: a deleted list's log stays for analytics until purged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000006_lists"
    }
}

#[derive(DeriveIden)]
enum ShoppingLists {
    Table,
    Id,
    Kind,
    Name,
    SessionId,
    CustomerId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ListItems {
    Table,
    Id,
    ListId,
    ProductId,
    VariantId,
    Quantity,
    PriceAtTime,
    Currency,
    ProductName,
    VariantName,
    Sku,
    Metadata,
    Note,
    AddedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ListEvents {
    Table,
    ListId,
    Seq,
    EventType,
    EventData,
    CreatedAt,
}

fn timestamp(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn lists() -> TableCreateStatement {
    Table::create()
        .table(ShoppingLists::Table)
        .col(
            ColumnDef::new(ShoppingLists::Id)
                .uuid()
                .not_null()
                .primary_key(),
        )
        .col(
            ColumnDef::new(ShoppingLists::Kind)
                .string_len(16)
                .not_null(),
        )
        .col(
            ColumnDef::new(ShoppingLists::Name)
                .string_len(256)
                .not_null(),
        )
        .col(
            ColumnDef::new(ShoppingLists::SessionId)
                .string_len(128)
                .not_null(),
        )
        .col(
            ColumnDef::new(ShoppingLists::CustomerId)
                .string_len(128)
                .null(),
        )
        .col(
            ColumnDef::new(ShoppingLists::Version)
                .big_integer()
                .not_null(),
        )
        .col(timestamp(ShoppingLists::CreatedAt))
        .col(timestamp(ShoppingLists::UpdatedAt))
        .to_owned()
}

fn items(backend: DbBackend) -> TableCreateStatement {
    let mut price = ColumnDef::new(ListItems::PriceAtTime);
    match backend {
        DbBackend::Sqlite => price.text(),
        _ => price.decimal_len(20, 9),
    };
    price.not_null();
    Table::create()
        .table(ListItems::Table)
        .col(
            ColumnDef::new(ListItems::Id)
                .uuid()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(ListItems::ListId).uuid().not_null())
        .col(
            ColumnDef::new(ListItems::ProductId)
                .string_len(128)
                .not_null(),
        )
        .col(
            ColumnDef::new(ListItems::VariantId)
                .string_len(128)
                .not_null(),
        )
        .col(
            ColumnDef::new(ListItems::Quantity)
                .integer()
                .not_null()
                .check(Expr::col(ListItems::Quantity).between(1, 100)),
        )
        .col(price)
        .col(ColumnDef::new(ListItems::Currency).string_len(3).not_null())
        .col(ColumnDef::new(ListItems::ProductName).text().not_null())
        .col(ColumnDef::new(ListItems::VariantName).text().not_null())
        .col(ColumnDef::new(ListItems::Sku).text().not_null())
        .col(ColumnDef::new(ListItems::Metadata).json_binary().null())
        .col(ColumnDef::new(ListItems::Note).text().null())
        .col(timestamp(ListItems::AddedAt))
        .col(timestamp(ListItems::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .from(ListItems::Table, ListItems::ListId)
                .to(ShoppingLists::Table, ShoppingLists::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn events() -> TableCreateStatement {
    Table::create()
        .table(ListEvents::Table)
        .col(ColumnDef::new(ListEvents::ListId).uuid().not_null())
        .col(ColumnDef::new(ListEvents::Seq).big_integer().not_null())
        .col(
            ColumnDef::new(ListEvents::EventType)
                .string_len(64)
                .not_null(),
        )
        .col(
            ColumnDef::new(ListEvents::EventData)
                .json_binary()
                .not_null(),
        )
        .col(timestamp(ListEvents::CreatedAt))
        .primary_key(Index::create().col(ListEvents::ListId).col(ListEvents::Seq))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(lists()).await?;
        manager
            .create_table(items(manager.get_database_backend()))
            .await?;
        manager.create_table(events()).await?;
        let db = manager.get_connection();
        for sql in [
            "CREATE UNIQUE INDEX idx_lists_saved_customer ON shopping_lists (customer_id) \
             WHERE kind = 'saved_for_later' AND customer_id IS NOT NULL",
            "CREATE UNIQUE INDEX idx_lists_saved_session ON shopping_lists (session_id) \
             WHERE kind = 'saved_for_later' AND customer_id IS NULL",
            "CREATE UNIQUE INDEX idx_lists_wish_name ON shopping_lists (customer_id, name) \
             WHERE kind = 'wish_list'",
            "CREATE UNIQUE INDEX idx_list_items_variant ON list_items (list_id, variant_id)",
            "CREATE INDEX idx_list_items_variant_id ON list_items (variant_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["list_events", "list_items", "shopping_lists"] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
