//! Database migrations of the cart service.
//!
//! Migrations are history: a landed migration is never edited; a change to the
//! schema is a new migration. Each migration names its own tables and columns and
//! imports no entity, so it keeps meaning what it meant when it landed.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_carts;
mod m20261121_000002_add_merged_into;
mod m20261121_000003_hot_cart_headers;
mod m20261122_000004_recovery;
mod m20261122_000005_cart_notify;
mod m20261122_000006_lists;
mod m20261122_000007_cart_shares;
mod m20261122_000008_variant_demand;
mod m20261122_000009_back_in_stock;
mod m20261207_000010_outbox_claims;

/// Every migration of the service, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_carts::Migration),
            Box::new(m20261121_000002_add_merged_into::Migration),
            Box::new(m20261121_000003_hot_cart_headers::Migration),
            Box::new(m20261122_000004_recovery::Migration),
            Box::new(m20261122_000005_cart_notify::Migration),
            Box::new(m20261122_000006_lists::Migration),
            Box::new(m20261122_000007_cart_shares::Migration),
            Box::new(m20261122_000008_variant_demand::Migration),
            Box::new(m20261122_000009_back_in_stock::Migration),
            Box::new(m20261207_000010_outbox_claims::Migration),
        ]
    }
}
