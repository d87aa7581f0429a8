//! The databases tests run on — a fresh SQLite file or PostgreSQL database
//! per test, dropped afterwards — and what is stored in them, read straight
//! from the database to show what a call changed, or that it changed nothing.

use cart_service::storage::entity::{cart_items, carts};
use sea_orm::{ConnectionTrait, Database, EntityTrait, QueryOrder, Statement};

use super::harness::{Backend, TestApp};

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned())
}

/// PostgreSQL is required in CI (`CI` set) and wherever `TEST_REQUIRE_POSTGRES`
/// is set; elsewhere a missing server skips the PostgreSQL half, loudly.
fn postgres_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("TEST_REQUIRE_POSTGRES").is_some()
}

/// The URL of a fresh `backend` database (a file in `dir` for SQLite) and,
/// for PostgreSQL, the admin URL and name to drop it by; `None` when
/// PostgreSQL is unreachable and not required.
pub(super) async fn fresh_database(
    backend: Backend,
    dir: &tempfile::TempDir,
) -> Option<(String, Option<(String, String)>)> {
    Some(match backend {
        Backend::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.path().join("cart.db").display()),
            None,
        ),
        Backend::Postgres => {
            let (url, admin, name) = fresh_postgres_database().await?;
            (url, Some((admin, name)))
        }
    })
}

/// A new database on the PostgreSQL server: its URL, the admin URL and its
/// name.
async fn fresh_postgres_database() -> Option<(String, String, String)> {
    let admin_url = pg_admin_url();
    let admin = match Database::connect(&admin_url).await {
        Ok(admin) => admin,
        Err(e) if !postgres_required() => {
            eprintln!(
                "\n*** SKIPPED: PostgreSQL test, no server at {admin_url} ({e}). \
                 Set TEST_DATABASE_URL; CI never skips. ***\n"
            );
            return None;
        }
        Err(e) => panic!("PostgreSQL required but unreachable at {admin_url}: {e}"),
    };
    let name = format!("cart_test_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base)
        .to_owned();
    Some((format!("{base}/{name}"), admin_url, name))
}

/// Drops a test database made by [`fresh_database`], on its own thread and
/// runtime: it runs from `Drop`, which cannot await.
pub(super) fn drop_postgres_database(admin_url: String, name: String) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            if let Ok(admin) = Database::connect(&admin_url).await {
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = admin.execute_unprepared(&sql).await;
                let _ = admin.close().await;
            }
        });
    })
    .join();
}

/// Everything stored, to show a refused call changed nothing.
#[derive(Debug, PartialEq)]
pub struct Stored {
    pub carts: Vec<carts::Model>,
    pub items: Vec<cart_items::Model>,
    pub events: i64,
}

impl TestApp {
    /// Every row that matters, read straight from the database.
    pub async fn stored(&self) -> Stored {
        let carts = carts::Entity::find()
            .order_by_asc(carts::Column::Id)
            .all(&self.db)
            .await
            .expect("read carts");
        let items = cart_items::Entity::find()
            .order_by_asc(cart_items::Column::Id)
            .all(&self.db)
            .await
            .expect("read items");
        let events = self.count("SELECT COUNT(*) AS n FROM cart_events").await;
        Stored {
            carts,
            items,
            events,
        }
    }

    /// Runs a `SELECT COUNT(*) AS n …`.
    pub async fn count(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }

    /// Event types and sequence numbers of a cart, in order.
    pub async fn events(&self, cart_id: &str) -> Vec<(i64, String)> {
        let backend = self.db.get_database_backend();
        let param = if backend == sea_orm::DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let id = uuid::Uuid::parse_str(cart_id).expect("cart id");
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT seq, event_type FROM cart_events WHERE cart_id = {param} ORDER BY seq"
                ),
                [id.into()],
            ))
            .await
            .expect("events");
        rows.iter()
            .map(|r| {
                (
                    r.try_get::<i64>("", "seq").expect("seq"),
                    r.try_get::<String>("", "event_type").expect("type"),
                )
            })
            .collect()
    }
}

/// A fresh, empty database that nothing has connected to yet, dropped with
/// this value (PostgreSQL).
pub struct FreshDatabase {
    pub url: String,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl FreshDatabase {
    /// One on `backend`; `None` as [`fresh_database`].
    pub async fn new(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, pg) = fresh_database(backend, &dir).await?;
        Some(Self { url, pg, _dir: dir })
    }

    /// Whether any migration ran on it (the migrations table exists).
    pub async fn migrated(&self) -> bool {
        let db = Database::connect(&self.url).await.expect("connect");
        let ran = db
            .execute_unprepared("SELECT count(*) FROM seaql_migrations")
            .await
            .is_ok();
        let _ = db.close().await;
        ran
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            drop_postgres_database(admin_url, name);
        }
    }
}
