//! `cargo run -p migration -- up` (or `status`, `down`, `fresh`): the SeaORM
//! migration command line, reading the database from `DATABASE_URL`.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
