//! `spawn_app`: a real cart server on a free port, on a fresh database
//! (SQLite file or PostgreSQL database), talking gRPC to a real fixture
//! catalog server on another free port.

use std::sync::Arc;

use cart_service::catalog::{FixtureCatalog, server};
use cart_service::clock::ManualClock;
use cart_service::config::{Secret, Settings};
use cart_service::domain::ids::VariantId;
use cart_service::jobs::Maintenance;
use cart_service::proto::shop::cart::v1 as pb;
use cart_service::proto::shop::cart::v1::cart_service_client::CartServiceClient;
use cart_service::startup::Application;
use cart_service::storage::entity::{cart_items, carts};
use chrono::{TimeZone, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryOrder, Statement};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic::{Code, Status};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus};
use tonic_types::{ErrorDetails, StatusExt};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Defines a test twice: `NAME::on_sqlite` and `NAME::on_postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        db_test!($name, |_settings| {}, |$app| $body);
    };
    ($name:ident, |$settings:ident| $configure:block, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::helpers::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                let $app = spawn_app_with(Backend::Sqlite, |$settings| $configure)
                    .await
                    .expect("SQLite is always available");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some($app) = spawn_app_with(Backend::Postgres, |$settings| $configure).await
                else {
                    return;
                };
                $body
            }
        }
    };
}

/// A running cart service and catalog, and handles to look behind them.
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub client: CartServiceClient<Channel>,
    /// Health: on the plaintext health port when one is configured.
    pub health: HealthClient<Channel>,
    pub health_addr: Option<std::net::SocketAddr>,
    pub catalog: Arc<FixtureCatalog>,
    pub clock: Arc<ManualClock>,
    pub db: DatabaseConnection,
    pub maintenance: Maintenance,
    pub settings: Settings,
    catalog_addr: std::net::SocketAddr,
    catalog_stop: Option<oneshot::Sender<()>>,
    catalog_task: Option<JoinHandle<()>>,
    stop: Option<oneshot::Sender<()>>,
    pub server: Option<JoinHandle<()>>,
    pg_database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned())
}

/// PostgreSQL is required in CI (`CI` set) and wherever `TEST_REQUIRE_POSTGRES`
/// is set; elsewhere a missing server skips the PostgreSQL half, loudly.
fn postgres_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("TEST_REQUIRE_POSTGRES").is_some()
}

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

pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db_url, pg_database) = fresh_database(backend, &dir).await?;
    Some(start_app(db_url.clone(), db_url, pg_database, dir, configure).await)
}

/// A PostgreSQL-backed app whose database connections pass through a proxy
/// the test can cut and restore: a database outage on demand.
pub async fn spawn_app_behind_proxy(
    configure: impl FnOnce(&mut Settings),
) -> Option<(TestApp, DbProxy)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db_url, pg_database) = fresh_database(Backend::Postgres, &dir).await?;
    let (scheme_user, rest) = db_url.split_once('@').expect("url with host");
    let (host_port, database) = rest.split_once('/').expect("url with database");
    let proxy = DbProxy::start(host_port).await;
    let proxied = format!("{scheme_user}@{}/{database}", proxy.addr);
    Some((
        start_app(proxied, db_url, pg_database, dir, configure).await,
        proxy,
    ))
}

async fn fresh_database(
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

async fn start_app(
    db_url: String,
    inspection_url: String,
    pg_database: Option<(String, String)>,
    dir: tempfile::TempDir,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalog.json");
    let catalog = Arc::new(FixtureCatalog::from_file(&fixture).expect("demo fixture"));
    let (catalog_stop, catalog_task, catalog_addr) = start_catalog(catalog.clone(), None).await;

    let mut settings = Settings::default();
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    settings.server.readiness_interval_ms = 100;
    settings.server.shutdown_grace_secs = 2;
    settings.database.url = Secret::new(db_url.clone());
    settings.database.max_connections = 8;
    settings.catalog.url = Some(format!("http://{catalog_addr}"));
    // Tests run the maintenance job themselves, when they mean to.
    settings.jobs.enabled = false;
    // Tests change catalog data and look at once; fault tests turn it on.
    settings.catalog.cache_ttl_ms = 0;
    // Tests hammer one session on purpose; the limit tests turn it on.
    settings.limits.session_writes_per_minute = 0;
    configure(&mut settings);
    settings.validate().expect("test settings are valid");

    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    let app = Application::build_with(settings.clone(), clock.clone())
        .await
        .expect("application builds");
    let addr = app.local_addr();
    let health_addr = app.health_addr();
    let maintenance = app.maintenance();
    let (stop, server) = serve(app);
    // Lazy: a TLS server does not answer a plaintext handshake; TLS tests
    // make their own clients.
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("url")
        .connect_lazy();
    let health_channel = Channel::from_shared(format!("http://{}", health_addr.unwrap_or(addr)))
        .expect("url")
        .connect_lazy();
    let db = Database::connect(&inspection_url)
        .await
        .expect("inspection connection");
    TestApp {
        addr,
        client: CartServiceClient::new(channel),
        health: HealthClient::new(health_channel),
        health_addr,
        catalog,
        clock,
        db,
        maintenance,
        settings,
        catalog_addr,
        catalog_stop: Some(catalog_stop),
        catalog_task: Some(catalog_task),
        stop: Some(stop),
        server: Some(server),
        pg_database,
        _dir: dir,
    }
}

/// A TCP proxy to the database that can be cut (every connection dropped, new
/// ones refused) and restored.
pub struct DbProxy {
    pub addr: std::net::SocketAddr,
    open: Arc<std::sync::atomic::AtomicBool>,
    links: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
    _accept: JoinHandle<()>,
}

impl DbProxy {
    async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let open = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let links: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let target = target.to_owned();
        let accept = tokio::spawn({
            let open = open.clone();
            let links = links.clone();
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !open.load(std::sync::atomic::Ordering::SeqCst) {
                        continue; // dropped: the client sees the connection close
                    }
                    let target = target.clone();
                    let link = tokio::spawn(async move {
                        if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    links.lock().unwrap().push(link);
                }
            }
        });
        Self {
            addr,
            open,
            links,
            _accept: accept,
        }
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Runs `app` until the returned sender fires (or is dropped).
fn serve(app: Application) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = stopped.await;
        })
        .await
        .expect("server runs");
    });
    (stop, server)
}

async fn start_catalog(
    catalog: Arc<FixtureCatalog>,
    addr: Option<std::net::SocketAddr>,
) -> (oneshot::Sender<()>, JoinHandle<()>, std::net::SocketAddr) {
    let listener = TcpListener::bind(addr.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap()))
        .await
        .expect("bind catalog");
    let addr = listener.local_addr().expect("catalog addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server::serve(listener, catalog, None, async {
            let _ = stopped.await;
        })
        .await
        .expect("catalog serves");
    });
    (stop, task, addr)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_database.take() {
            // Runs on its own thread and runtime: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn shopper(session: &str) -> Option<pb::Shopper> {
    Some(pb::Shopper {
        session_id: session.into(),
        customer_id: String::new(),
    })
}

pub fn customer(session: &str, customer: &str) -> Option<pb::Shopper> {
    Some(pb::Shopper {
        session_id: session.into(),
        customer_id: customer.into(),
    })
}

/// Everything stored, to show a refused call changed nothing.
#[derive(Debug, PartialEq)]
pub struct Stored {
    pub carts: Vec<carts::Model>,
    pub items: Vec<cart_items::Model>,
    pub events: i64,
}

impl TestApp {
    /// The product a fixture variant belongs to.
    pub fn product_of(&self, variant: &str) -> String {
        let id = VariantId::parse(variant).expect("variant id");
        self.catalog.lookup(std::slice::from_ref(&id))[&id]
            .product_id
            .to_string()
    }

    pub async fn add(
        &self,
        who: Option<pb::Shopper>,
        variant: &str,
        quantity: i32,
    ) -> Result<pb::Cart, Status> {
        self.add_request(pb::AddItemRequest {
            shopper: who,
            product_id: self.product_of(variant),
            variant_id: variant.into(),
            quantity,
            metadata: None,
            ..Default::default()
        })
        .await
    }

    pub async fn add_request(&self, request: pb::AddItemRequest) -> Result<pb::Cart, Status> {
        let response = self.client.clone().add_item(request).await?;
        Ok(response.into_inner().cart.expect("cart in response"))
    }

    pub async fn get(&self, who: Option<pb::Shopper>) -> pb::Cart {
        self.client
            .clone()
            .get_cart(pb::GetCartRequest { shopper: who })
            .await
            .expect("GetCart succeeds")
            .into_inner()
            .cart
            .expect("cart in response")
    }

    pub async fn update(
        &self,
        who: Option<pb::Shopper>,
        item_id: &str,
        quantity: i32,
    ) -> Result<pb::Cart, Status> {
        let response = self
            .client
            .clone()
            .update_item(pb::UpdateItemRequest {
                shopper: who,
                item_id: item_id.into(),
                quantity,
                ..Default::default()
            })
            .await?;
        Ok(response.into_inner().cart.expect("cart in response"))
    }

    pub async fn remove(
        &self,
        who: Option<pb::Shopper>,
        item_id: &str,
    ) -> Result<pb::Cart, Status> {
        let response = self
            .client
            .clone()
            .remove_item(pb::RemoveItemRequest {
                shopper: who,
                item_id: item_id.into(),
                ..Default::default()
            })
            .await?;
        Ok(response.into_inner().cart.expect("cart in response"))
    }

    pub async fn clear(&self, who: Option<pb::Shopper>) -> Result<pb::Cart, Status> {
        let response = self
            .client
            .clone()
            .clear_cart(pb::ClearCartRequest {
                shopper: who,
                ..Default::default()
            })
            .await?;
        Ok(response.into_inner().cart.expect("cart in response"))
    }

    pub async fn set_email(
        &self,
        who: Option<pb::Shopper>,
        email: &str,
    ) -> Result<pb::Cart, Status> {
        let response = self
            .client
            .clone()
            .set_email(pb::SetEmailRequest {
                shopper: who,
                email: email.into(),
                ..Default::default()
            })
            .await?;
        Ok(response.into_inner().cart.expect("cart in response"))
    }

    pub async fn validate(&self, who: Option<pb::Shopper>) -> Result<pb::ValidateResponse, Status> {
        Ok(self
            .client
            .clone()
            .validate(pb::ValidateRequest { shopper: who })
            .await?
            .into_inner())
    }

    pub async fn merge(
        &self,
        who: Option<pb::Shopper>,
        guest_session: &str,
        strategy: pb::MergeStrategy,
    ) -> Result<pb::MergeGuestCartResponse, Status> {
        Ok(self
            .client
            .clone()
            .merge_guest_cart(pb::MergeGuestCartRequest {
                shopper: who,
                guest_session_id: guest_session.into(),
                strategy: strategy.into(),
                ..Default::default()
            })
            .await?
            .into_inner())
    }

    pub async fn refresh(
        &self,
        who: Option<pb::Shopper>,
    ) -> Result<pb::RefreshCartResponse, Status> {
        Ok(self
            .client
            .clone()
            .refresh_cart(pb::RefreshCartRequest {
                shopper: who,
                ..Default::default()
            })
            .await?
            .into_inner())
    }

    pub async fn get_by_id(&self, cart_id: &str) -> Result<pb::Cart, Status> {
        let response = self
            .client
            .clone()
            .get_cart_by_id(pb::GetCartByIdRequest {
                cart_id: cart_id.into(),
            })
            .await?;
        Ok(response.into_inner().cart.expect("cart in response"))
    }

    pub async fn complete(&self, cart_id: &str, order_id: &str) -> Result<pb::Cart, Status> {
        let response = self
            .client
            .clone()
            .complete_cart(pb::CompleteCartRequest {
                cart_id: cart_id.into(),
                order_id: order_id.into(),
                ..Default::default()
            })
            .await?;
        Ok(response.into_inner().cart.expect("cart in response"))
    }

    pub async fn list_events(
        &self,
        cart_id: &str,
        page_size: i32,
        page_token: &str,
    ) -> Result<pb::ListCartEventsResponse, Status> {
        Ok(self
            .client
            .clone()
            .list_cart_events(pb::ListCartEventsRequest {
                cart_id: cart_id.into(),
                page_size,
                page_token: page_token.into(),
            })
            .await?
            .into_inner())
    }

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

    /// The service's clock now.
    pub fn clock_now(&self) -> chrono::DateTime<Utc> {
        use cart_service::clock::Clock;
        self.clock.now()
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

    /// Stops the catalog server.
    pub async fn stop_catalog(&mut self) {
        if let Some(stop) = self.catalog_stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.catalog_task.take() {
            let _ = task.await;
        }
    }

    /// A second instance of the service on the same database and catalog,
    /// serving on its own port; its maintenance job, to run beside ours.
    pub async fn spawn_replica(&self) -> (Maintenance, oneshot::Sender<()>, JoinHandle<()>) {
        let app = Application::build_with(self.settings.clone(), self.clock.clone())
            .await
            .expect("replica builds");
        let maintenance = app.maintenance();
        let (stop, server) = serve(app);
        (maintenance, stop, server)
    }

    /// Signals the cart server to stop (what SIGTERM does), without waiting.
    pub fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Starts the catalog server again on its old address, with its data.
    pub async fn restart_catalog(&mut self) {
        let (stop, task, _) = start_catalog(self.catalog.clone(), Some(self.catalog_addr)).await;
        self.catalog_stop = Some(stop);
        self.catalog_task = Some(task);
    }

    /// Stops the cart server (SIGTERM-equivalent) and waits for it.
    pub async fn stop_server(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server stopped cleanly");
        }
    }
}

/// Asserts `result` failed with `code` and returns its details.
pub fn expect_code<T: std::fmt::Debug>(
    result: Result<T, Status>,
    code: Code,
) -> (Status, ErrorDetails) {
    match result {
        Ok(value) => panic!("expected {code:?}, got success: {value:?}"),
        Err(status) => {
            assert_eq!(status.code(), code, "unexpected status: {status:?}");
            let details = status.get_error_details();
            (status, details)
        }
    }
}

/// The ErrorInfo reason of `details`.
pub fn reason(details: &ErrorDetails) -> &str {
    details.error_info().map_or("", |i| i.reason.as_str())
}

/// The field paths of a BadRequest.
pub fn bad_fields(details: &ErrorDetails) -> Vec<String> {
    details
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

/// Money as a decimal string, e.g. "39.98".
pub fn amount(m: &Option<cart_service::proto::shop::common::v1::Money>) -> String {
    let m = m.as_ref().expect("money present");
    let d =
        rust_decimal::Decimal::from(m.units) + rust_decimal::Decimal::new(i64::from(m.nanos), 9);
    d.normalize().to_string()
}

/// Waits for a health status through the Watch stream (no sleeping).
pub async fn wait_for(app: &TestApp, service: &str, wanted: ServingStatus) {
    let mut stream = app
        .health
        .clone()
        .watch(HealthCheckRequest {
            service: service.into(),
        })
        .await
        .expect("watch")
        .into_inner();
    while let Some(update) = stream.message().await.expect("watch stream") {
        if update.status == wanted as i32 {
            return;
        }
    }
    panic!("{service:?} never reached {wanted:?}");
}

/// JSON as a protobuf Struct (line metadata).
pub fn metadata(json: serde_json::Value) -> prost_types::Struct {
    fn value(v: serde_json::Value) -> prost_types::Value {
        use prost_types::value::Kind;
        let kind = match v {
            serde_json::Value::Null => Kind::NullValue(0),
            serde_json::Value::Bool(b) => Kind::BoolValue(b),
            serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap()),
            serde_json::Value::String(s) => Kind::StringValue(s),
            serde_json::Value::Array(a) => Kind::ListValue(prost_types::ListValue {
                values: a.into_iter().map(value).collect(),
            }),
            serde_json::Value::Object(o) => Kind::StructValue(prost_types::Struct {
                fields: o.into_iter().map(|(k, v)| (k, value(v))).collect(),
            }),
        };
        prost_types::Value { kind: Some(kind) }
    }
    match value(json).kind {
        Some(prost_types::value::Kind::StructValue(s)) => s,
        _ => panic!("object expected"),
    }
}

/// The health status `app` reports for `service` ("" is liveness).
pub async fn status_of(app: &TestApp, service: &str) -> ServingStatus {
    let response = app
        .health
        .clone()
        .check(HealthCheckRequest {
            service: service.into(),
        })
        .await
        .expect("health check answers")
        .into_inner();
    ServingStatus::try_from(response.status).expect("known status")
}
