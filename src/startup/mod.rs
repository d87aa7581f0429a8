//! Assembles the service: database (migrated), catalog, use cases, the gRPC
//! server with health and reflection; binds the listener in [`Application::build`]
//! (port 0 in tests) and serves in [`Application::run_until_stopped`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic::transport::ServerTlsConfig;
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::HealthReporter;

use crate::cache::CartCache;
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::grpc::budget::SessionBudget;
use crate::grpc::gate::GateLayer;
use crate::grpc::health::EndingHealth;
use crate::grpc::limits::InFlightCap;
use crate::grpc::observe::ObserveLayer;
use crate::grpc::{AdminApi, Api, CartApi, ListsApi, RecoveryApi, SharesApi};
use crate::jobs::Maintenance;
use crate::jobs::demand::DemandJob;
use crate::jobs::recovery::RecoveryJob;
use crate::live::{Hub, WatchLimits};
use crate::metrics::Metrics;
use crate::net::incoming;
use crate::proto::shop::cart::v1 as pb;
use crate::recovery::RecoveryPolicy;
use crate::service::{CartService, DemandBoard};
use crate::shutdown::Stopper;
use crate::storage::Database;
use listeners::{Bound, listeners};
use parts::{
    caller_tokens, cart_cache, catalog, database_options, maintenance, policy, recovery_job,
    session_budget,
};
use serve::{reflection, serve_health_only, transport_limits, watch_readiness};

mod error;
mod listeners;
mod parts;
mod serve;
mod stop;

pub use crate::grpc::health::{API_SERVICE_NAMES, CART_SERVICE_NAME};
pub use error::StartupError;

/// A built, bound, not yet serving application.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    db: Database,
    service: CartService,
    session_writes: Option<SessionBudget>,
    maintenance: Maintenance,
    recovery: Option<RecoveryJob>,
    /// The demand count of this replica.
    demand: DemandJob,
    /// The WatchCart streams of this replica.
    live: Hub,
    /// GetCart's read cache, when configured.
    cache: Option<CartCache>,
    settings: Settings,
    tls: Option<ServerTlsConfig>,
    health_listener: Option<Bound>,
    metrics: Arc<Metrics>,
    admin_listener: Option<Bound>,
}

impl Application {
    /// Builds the application with the system clock.
    ///
    /// # Errors
    /// [`StartupError`] naming what could not be set up.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with(settings, Arc::new(SystemClock)).await
    }

    /// Builds the application with `clock` (tests move time with a manual
    /// clock).
    ///
    /// # Errors
    /// [`StartupError`] naming what could not be set up.
    pub async fn build_with(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        crate::tls::install_crypto_provider();
        // Ports first: one that is taken stops start-up before any
        // migration runs.
        let ((listener, addr), health_listener, admin_listener) = listeners(&settings).await?;
        let metrics = Metrics::new();
        let db = Database::connect(&database_options(&settings))
            .await?
            .with_metrics(metrics.clone());
        if settings.database.run_migrations {
            db.migrate().await?;
        }
        let catalog = catalog(&settings, clock.clone(), &metrics)?;
        let policy = policy(&settings)?;
        let live = Hub::new(WatchLimits::of(
            &settings.watch,
            settings.database.max_connections,
        ));
        let board = DemandBoard::default();
        let mut service =
            CartService::new(db.clone(), catalog, clock.clone(), policy, metrics.clone())
                .with_recovery(RecoveryPolicy::new(&settings.recovery))
                .with_demand(board.clone());
        let demand = DemandJob::new(
            db.clone(),
            clock.clone(),
            board,
            Duration::from_secs(settings.jobs.demand_refresh_secs),
        );
        if !db.is_postgres() {
            service = service.with_live(live.clone());
        }
        let cache = cart_cache(&settings, &metrics)?;
        if let Some(cache) = &cache {
            service = service.with_cache(cache.clone());
        }
        let recovery = recovery_job(&settings, &db, &clock, &service, &metrics)?;
        let session_writes = session_budget(&settings, clock.clone(), &metrics)?;
        let mut maintenance = maintenance(&settings, db.clone(), clock, metrics.clone());
        if !db.is_postgres() {
            maintenance = maintenance.with_live(live.clone());
        }
        let tls = crate::tls::server(
            &settings.server,
            settings.transport.connection_limits().handshake_timeout,
        )?;
        Ok(Self {
            metrics,
            admin_listener,
            listener,
            addr,
            db,
            service,
            session_writes,
            maintenance,
            recovery,
            demand,
            live,
            cache,
            settings,
            tls,
            health_listener,
        })
    }

    /// The demand job of this instance (run every
    /// `jobs.demand_refresh_secs` by [`Self::run_until_stopped`] when
    /// `jobs.enabled`).
    pub fn demand_job(&self) -> DemandJob {
        self.demand.clone()
    }

    /// The recovery job of this instance, when signing keys and a hash key
    /// are configured (run periodically by [`Self::run_until_stopped`] when
    /// `recovery.enabled`).
    pub fn recovery_job(&self) -> Option<RecoveryJob> {
        self.recovery.clone()
    }

    /// The maintenance job of this instance (run periodically by
    /// [`Self::run_until_stopped`] when `jobs.enabled`).
    pub fn maintenance(&self) -> Maintenance {
        self.maintenance.clone()
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the admin listener (`/metrics`), when configured
    /// (`telemetry.metrics_port`).
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_listener.as_ref().map(|(_, addr)| *addr)
    }

    /// The address of the plaintext health-only listener, when configured
    /// (`server.health_port`).
    pub fn health_addr(&self) -> Option<SocketAddr> {
        self.health_listener.as_ref().map(|(_, addr)| *addr)
    }

    /// Serves until `shutdown` completes, then stops in the order of
    /// [`stop::stop`]: NOT_SERVING, the drain delay, no longer accepting,
    /// background jobs finishing their unit of work, open calls draining
    /// (jobs and calls within the grace period together).
    ///
    /// # Errors
    /// [`StartupError`] when the server fails.
    pub async fn run_until_stopped(
        mut self,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), StartupError> {
        let health = HealthReporter::new();
        let (stopper, stopping) = Stopper::new();
        let health_service = EndingHealth::server(&health, stopping.clone());
        let stopped = move || {
            let stopping = stopping.clone();
            async move { stopping.stopped().await }
        };
        // Registered before the first check so a probe never sees "unknown
        // service": not ready until the database has answered.
        for name in API_SERVICE_NAMES {
            health
                .set_service_status(name, ServingStatus::NotServing)
                .await;
        }
        let readiness = tokio::spawn(watch_readiness(
            health.clone(),
            self.db.clone(),
            Duration::from_millis(self.settings.server.readiness_interval_ms),
        ));
        let jobs = self.jobs(&stopper);
        self.follow_changes(stopped());
        let limits = self.settings.transport.connection_limits();
        let health_only = self.health_listener.take().map(|(listener, addr)| {
            serve_health_only(listener, addr, limits, &health_service, stopped())
        });
        let (db, settings) = (self.db.clone(), self.settings.clone());
        let mut server = self.spawn_server(health_service, stopped())?;

        let ended_by_itself = tokio::select! {
            result = &mut server => Some(result),
            () = shutdown => None,
        };
        // Readiness must not turn SERVING again while stopping.
        readiness.abort();
        if let Some(result) = ended_by_itself {
            stopper.stop();
            jobs.iter().for_each(tokio::task::JoinHandle::abort);
            return Ok(result??);
        }
        stop::stop(
            &health,
            &stopper,
            &mut server,
            jobs,
            (settings.drain_delay(), settings.shutdown_grace()),
        )
        .await?;
        if let Some(health_only) = health_only {
            health_only.abort();
        }
        db.close().await;
        tracing::info!("stopped");
        Ok(())
    }

    /// WatchCart's change listener (PostgreSQL) and the cache's follower,
    /// until the server stops accepting: WatchCart streams hear changes
    /// until, and end when, it does (as health's Watch streams do); once
    /// changes are no longer heard, GetCart reads the database.
    fn follow_changes(&self, end_watchers: impl Future<Output = ()> + Send + 'static) {
        let live = self.live.clone();
        let listen = self.db.is_postgres().then(|| {
            let url = self.settings.database.url.expose().to_owned();
            crate::live::listen::follow(url, live.clone())
        });
        let cache = self.cache.clone().map(|cache| {
            let follow = crate::cache::follow(cache.clone(), live.follow(), !self.db.is_postgres());
            (cache, follow)
        });
        tokio::spawn(async move {
            let follow_cache = async {
                match cache {
                    Some((cache, follow)) => {
                        follow.await;
                        cache.set_hearing(false);
                    }
                    None => std::future::pending().await,
                }
            };
            let listen = async {
                match listen {
                    Some(listen) => listen.await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = listen => {}
                () = follow_cache => {}
                () = end_watchers => {}
            }
            live.stop();
        });
    }

    /// The jobs beside the server, each told by `stopper` when to finish:
    /// maintenance and the demand count (when `jobs.enabled`), recovery
    /// (when `recovery.enabled`) and the admin listener.
    fn jobs(&mut self, stopper: &Stopper) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        if self.settings.jobs.enabled {
            let maintenance = self.maintenance.clone();
            tasks.push(tokio::spawn(
                maintenance.run_every_interval(stopper.listen()),
            ));
            let demand = self.demand.clone();
            tasks.push(tokio::spawn(demand.run_every_interval(stopper.listen())));
        }
        if let (true, Some(job)) = (self.settings.recovery.enabled, &self.recovery) {
            tasks.push(tokio::spawn(
                job.clone().run_every_interval(stopper.listen()),
            ));
        }
        if let Some((listener, addr)) = self.admin_listener.take() {
            tracing::info!(%addr, "serving /metrics");
            let stopping = stopper.listen();
            tasks.push(tokio::spawn(crate::admin::serve(
                listener,
                self.metrics.clone(),
                self.db.clone(),
                async move { stopping.stopped().await },
            )));
        }
        tasks
    }

    /// Starts the gRPC server: health, reflection and the cart API behind
    /// the observation, authentication and in-flight layers (outermost
    /// first), on the guarded listener.
    fn spawn_server(
        self,
        health_service: HealthServer<EndingHealth>,
        stopped: impl Future<Output = ()> + Send + 'static,
    ) -> Result<ServerTask, StartupError> {
        let reflection_v1 = reflection().build_v1()?;
        let reflection_v1alpha = reflection().build_v1alpha()?;
        let settings = &self.settings;
        let api = Api::new(self.service, self.session_writes, self.live.clone());
        let max = settings.server.max_request_bytes;
        let cart = pb::cart_service_server::CartServiceServer::new(CartApi(api.clone()))
            .max_decoding_message_size(max);
        let lists =
            pb::shopping_list_service_server::ShoppingListServiceServer::new(ListsApi(api.clone()))
                .max_decoding_message_size(max);
        let shares =
            pb::cart_share_service_server::CartShareServiceServer::new(SharesApi(api.clone()))
                .max_decoding_message_size(max);
        let recovery = pb::cart_recovery_service_server::CartRecoveryServiceServer::new(
            RecoveryApi(api.clone()),
        )
        .max_decoding_message_size(max);
        let admin = pb::cart_admin_service_server::CartAdminServiceServer::new(AdminApi(api))
            .max_decoding_message_size(max);
        let transport = &settings.transport;
        let mut builder = transport_limits(tonic::transport::Server::builder(), transport);
        if let Some(tls) = self.tls {
            builder = builder.tls_config(tls)?;
        }
        let router = builder
            .layer(ObserveLayer {
                metrics: self.metrics.clone(),
                log: settings.telemetry.access_log,
            })
            .layer(GateLayer(caller_tokens(settings)))
            .layer(GateLayer(InFlightCap::new(settings.limits.max_in_flight)))
            .add_service(health_service)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha)
            .add_service(cart)
            .add_service(lists)
            .add_service(shares)
            .add_service(recovery)
            .add_service(admin);
        let incoming = incoming(self.listener, transport.connection_limits());
        tracing::info!(addr = %self.addr, tls = settings.server.tls_cert_path.is_some(), "serving");
        Ok(tokio::spawn(
            router.serve_with_incoming_shutdown(incoming, stopped),
        ))
    }
}

/// The gRPC server's task.
type ServerTask = tokio::task::JoinHandle<Result<(), tonic::transport::Error>>;

/// `cart-service migrate`: brings the schema up to date and returns, for a
/// Kubernetes Job or init container (replicas then start with
/// `database.run_migrations = false` and stay NOT_SERVING until the schema is
/// current). Safe beside replicas migrating at start-up: one at a time.
///
/// # Errors
/// [`StartupError::Database`] when the database cannot be reached or migrated.
pub async fn migrate(settings: &Settings) -> Result<(), StartupError> {
    let db = Database::connect(&database_options(settings)).await?;
    db.migrate().await?;
    db.close().await;
    Ok(())
}
