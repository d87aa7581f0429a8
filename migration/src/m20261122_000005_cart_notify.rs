//! PostgreSQL: every committed change of a cart (a new cart, a new version, a
//! new status) sends a notification on channel `cart_changes`, so each
//! replica's listener can push it to the WatchCart streams it serves.
//!
//! The notification is raised by a trigger inside the writing transaction:
//! PostgreSQL delivers it only if, and when, that transaction commits, and
//! every write path (the one-statement writes included) raises it without a
//! round trip of its own. Payload: `id version session customer old_session
//! old_customer`, space-separated (ids have no spaces), empty for a null:
//! the old owner lets a session that lost the cart (sign-in, recovery by
//! another session) be told. SQLite has no NOTIFY: the service publishes its
//! changes in-process.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000005_cart_notify"
    }
}

const FUNCTION: &str = r"
CREATE OR REPLACE FUNCTION cart_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cart_changes', concat_ws(' ',
    NEW.id::text, NEW.version::text,
    COALESCE(NEW.session_id, ''), COALESCE(NEW.customer_id, ''),
    CASE WHEN TG_OP = 'UPDATE' THEN COALESCE(OLD.session_id, '') ELSE '' END,
    CASE WHEN TG_OP = 'UPDATE' THEN COALESCE(OLD.customer_id, '') ELSE '' END));
  RETURN NULL;
END
$$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(FUNCTION).await?;
        db.execute_unprepared(
            "CREATE TRIGGER carts_notify_insert AFTER INSERT ON carts \
             FOR EACH ROW EXECUTE FUNCTION cart_notify()",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER carts_notify_update AFTER UPDATE ON carts FOR EACH ROW \
             WHEN (OLD.version IS DISTINCT FROM NEW.version \
                   OR OLD.status IS DISTINCT FROM NEW.status \
                   OR OLD.session_id IS DISTINCT FROM NEW.session_id \
                   OR OLD.customer_id IS DISTINCT FROM NEW.customer_id) \
             EXECUTE FUNCTION cart_notify()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TRIGGER IF EXISTS carts_notify_update ON carts")
            .await?;
        db.execute_unprepared("DROP TRIGGER IF EXISTS carts_notify_insert ON carts")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS cart_notify()")
            .await?;
        Ok(())
    }
}
