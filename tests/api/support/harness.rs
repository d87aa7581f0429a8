//! The harness: a real cart server on a free port, on a fresh database
//! (SQLite file or PostgreSQL database), talking gRPC to a real catalog
//! server on another free port; `db_test!` runs a test on both databases.

use std::net::SocketAddr;
use std::sync::Arc;

use cart_client::proto::{CartAdminServiceClient, CartServiceClient};
use cart_client::{CartClient, RetryPolicy};
use cart_service::catalog::FixtureCatalog;
use cart_service::clock::ManualClock;
use cart_service::config::{Secret, Settings};
use cart_service::jobs::Maintenance;
use cart_service::jobs::demand::DemandJob;
use cart_service::jobs::recovery::RecoveryJob;
use cart_service::startup::Application;
use chrono::{TimeZone, Utc};
use sea_orm::{Database, DatabaseConnection};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;

use super::catalog::{CatalogServer, Faults, FaultyCatalog, demo_catalog};
use super::database::{drop_postgres_database, fresh_database};
use super::proxy::DbProxy;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Defines a test twice: `NAME::on_sqlite` and `NAME::on_postgres`.
///
/// - `db_test!(NAME, |app| { … })` runs the body against a fresh app;
/// - `db_test!(NAME, |settings| { … }, |app| { … })` configures that app first;
/// - `db_test!(NAME, |backend: Backend| { … })` hands the body the backend
///   instead, for tests that prepare things before they start their apps
///   (certificates, a catalog of their own) or start several. Such a body
///   returns when `spawn_app_with` gives `None`: PostgreSQL is unavailable and
///   not required, and the test is skipped, as the other forms skip it.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::db_test!($name, |_settings| {}, |$app| $body);
    };
    ($name:ident, |$settings:ident| $configure:block, |$app:ident| $body:block) => {
        $crate::db_test!($name, |backend: Backend| {
            // `None` only for PostgreSQL, when it is unavailable and not required.
            let Some($app) = spawn_app_with(backend, |$settings| $configure).await else {
                assert_eq!(backend, Backend::Postgres, "SQLite is always available");
                return;
            };
            $body
        });
    };
    ($name:ident, |$backend:ident: Backend| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::support::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                let $backend = Backend::Sqlite;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let $backend = Backend::Postgres;
                $body
            }
        }
    };
}

/// A running cart service and catalog, and handles to look behind them.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The `cart-client` crate's client, never retrying (a test sees each
    /// answer), behind the call helpers of `support::client`.
    pub cart: CartClient,
    /// The generated client under it, for requests sent exactly as written
    /// (metadata, raw bytes).
    pub client: CartServiceClient<Channel>,
    /// Health: on the plaintext health port when one is configured.
    pub health: HealthClient<Channel>,
    pub health_addr: Option<SocketAddr>,
    /// The admin listener (`/metrics`), when the test asked for one.
    pub admin_addr: Option<SocketAddr>,
    /// The catalog's data; tests change it with `update`, `insert`, `remove`.
    pub catalog: Arc<FixtureCatalog>,
    pub clock: Arc<ManualClock>,
    pub db: DatabaseConnection,
    pub maintenance: Maintenance,
    /// Its demand job (tests run it when they mean to).
    pub demand: DemandJob,
    /// The recovery job, when the test configured recovery keys.
    pub recovery: Option<RecoveryJob>,
    pub settings: Settings,
    /// The catalog service in front of `catalog`: its faults and call count.
    catalog_service: Arc<FaultyCatalog>,
    catalog_server: CatalogServer,
    stop: Option<oneshot::Sender<()>>,
    pub server: Option<JoinHandle<()>>,
    pg_database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// A cart service on a fresh `backend` database; `None` when that is
/// PostgreSQL and no server is reachable (and none is required).
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db_url, pg_database) = fresh_database(backend, &dir).await?;
    Some(start_app(db_url.clone(), db_url, pg_database, dir, configure).await)
}

/// `count` services started at the same moment on one fresh database (each
/// migrating at start-up, as replicas of a first deploy do). The first owns
/// the database.
pub async fn spawn_apps_at_once(
    backend: Backend,
    count: usize,
    configure: impl Fn(&mut Settings) + Copy,
) -> Option<Vec<TestApp>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db_url, pg_database) = fresh_database(backend, &dir).await?;
    let mut dirs = vec![dir];
    dirs.extend((1..count).map(|_| tempfile::tempdir().expect("temp dir")));
    let starts = dirs.into_iter().enumerate().map(|(n, dir)| {
        let owned = if n == 0 { pg_database.clone() } else { None };
        start_app(db_url.clone(), db_url.clone(), owned, dir, configure)
    });
    Some(futures::future::join_all(starts).await)
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

/// Starts the catalog, then the cart service on `db_url` with test settings
/// changed by `configure`; the test inspects the database through
/// `inspection_url`.
async fn start_app(
    db_url: String,
    inspection_url: String,
    pg_database: Option<(String, String)>,
    dir: tempfile::TempDir,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let catalog = demo_catalog();
    let catalog_service = Arc::new(FaultyCatalog::new(catalog.clone()));
    let catalog_server = CatalogServer::start(catalog_service.clone(), None, None).await;

    let mut settings = Settings::default();
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    settings.server.readiness_interval_ms = 100;
    settings.server.shutdown_grace_secs = 2;
    settings.server.drain_delay_ms = 0;
    // No admin listener unless a test asks for one (port 0).
    settings.telemetry.metrics_port = None;
    settings.database.url = Secret::new(db_url.clone());
    settings.database.max_connections = 8;
    settings.catalog.url = Some(format!("http://{}", catalog_server.addr));
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
    let admin_addr = app.admin_addr();
    let maintenance = app.maintenance();
    let demand = app.demand_job();
    let recovery = app.recovery_job();
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
        cart: CartClient::new(channel.clone()).with_retry(RetryPolicy::never()),
        client: CartServiceClient::new(channel),
        health: HealthClient::new(health_channel),
        health_addr,
        admin_addr,
        catalog,
        clock,
        db,
        maintenance,
        demand,
        recovery,
        settings,
        catalog_service,
        catalog_server,
        stop: Some(stop),
        server: Some(server),
        pg_database,
        _dir: dir,
    }
}

/// A second instance started by [`TestApp::spawn_replica`].
pub struct Replica {
    /// Its gRPC address.
    pub addr: SocketAddr,
    /// Its maintenance job.
    pub maintenance: Maintenance,
    /// Its recovery job, when configured.
    pub recovery: Option<RecoveryJob>,
    /// Stops it.
    pub stop: oneshot::Sender<()>,
    /// Its server task.
    pub server: JoinHandle<()>,
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

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_database.take() {
            drop_postgres_database(admin_url, name);
        }
    }
}

impl TestApp {
    /// A generated CartAdminService client over the same channel as
    /// [`TestApp::client`].
    pub fn admin_client(&self) -> CartAdminServiceClient<Channel> {
        CartAdminServiceClient::new(self.cart.channel())
    }

    /// The service's clock now.
    pub fn clock_now(&self) -> chrono::DateTime<Utc> {
        use cart_service::clock::Clock;
        self.clock.now()
    }

    /// Shows `faults` on every catalog call from now on.
    pub fn set_catalog_faults(&self, faults: Faults) {
        self.catalog_service.set_faults(faults);
    }

    /// How many lookups the catalog has received.
    pub fn catalog_served(&self) -> u64 {
        self.catalog_service.served()
    }

    /// Waits until the catalog has received at least `count` lookups.
    pub async fn wait_until_catalog_served(&self, count: u64) {
        self.catalog_service.wait_until_served(count).await;
    }

    /// Stops the catalog server.
    pub async fn stop_catalog(&mut self) {
        self.catalog_server.stop().await;
    }

    /// Starts the catalog server again on its old address, with its data and
    /// faults.
    pub async fn restart_catalog(&mut self) {
        let catalog = self.catalog_service.clone();
        let addr = Some(self.catalog_server.addr);
        self.catalog_server = CatalogServer::start(catalog, addr, None).await;
    }

    /// A second instance of the service on the same database and catalog,
    /// serving on its own port; its jobs, to run beside ours.
    pub async fn spawn_replica(&self) -> Replica {
        let app = Application::build_with(self.settings.clone(), self.clock.clone())
            .await
            .expect("replica builds");
        let maintenance = app.maintenance();
        let recovery = app.recovery_job();
        let addr = app.local_addr();
        let (stop, server) = serve(app);
        Replica {
            addr,
            maintenance,
            recovery,
            stop,
            server,
        }
    }

    /// Signals the cart server to stop (what SIGTERM does), without waiting.
    pub fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
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
