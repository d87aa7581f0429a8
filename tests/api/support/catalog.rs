//! The catalog the cart service talks to in tests: the library's fixture
//! catalog service on a real gRPC server, behind faults a test can inject (a
//! delay, UNAVAILABLE) and a count of the lookups it received. The faults
//! live here, not in the library: only tests need them.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use cart_service::catalog::FixtureCatalog;
use cart_service::catalog_server::FixtureCatalogService;
use cart_service::proto::shop::catalog::v1 as pb;
use cart_service::proto::shop::catalog::v1::catalog_service_server::{
    CatalogService, CatalogServiceServer,
};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tonic::transport::{Server, ServerTlsConfig};
use tonic::{Request, Response, Status};

/// The demo catalog (`demo/catalog.json`), fresh for each caller.
pub fn demo_catalog() -> Arc<FixtureCatalog> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalog.json");
    Arc::new(FixtureCatalog::from_file(&fixture).expect("demo fixture"))
}

/// Faults the test catalog can be told to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Every answer waits this long first.
    pub delay: Duration,
    /// Every call fails with UNAVAILABLE.
    pub failing: bool,
}

/// The library's fixture catalog service behind injected [`Faults`],
/// counting the lookups it receives. Shared between its server, which a test
/// may stop and start again, and the test, which sets the faults and reads
/// the count.
pub struct FaultyCatalog {
    fixture: FixtureCatalogService,
    faults: RwLock<Faults>,
    served: watch::Sender<u64>,
}

impl FaultyCatalog {
    /// The fixture service over `catalog`, showing no faults yet.
    pub fn new(catalog: Arc<FixtureCatalog>) -> Self {
        Self {
            fixture: FixtureCatalogService::new(catalog),
            faults: RwLock::default(),
            served: watch::Sender::new(0),
        }
    }

    /// Shows `faults` from the next call on.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// How many lookups the service has received.
    pub fn served(&self) -> u64 {
        *self.served.borrow()
    }

    /// Waits until the service has received at least `count` lookups.
    pub async fn wait_until_served(&self, count: u64) {
        let mut served = self.served.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = served.wait_for(|n| *n >= count).await;
    }

    fn faults(&self) -> Faults {
        *self.faults.read().unwrap_or_else(|e| e.into_inner())
    }
}

#[tonic::async_trait]
impl CatalogService for FaultyCatalog {
    /// Counts the call and shows the faults; then answers as the fixture does.
    async fn batch_get_variants(
        &self,
        request: Request<pb::BatchGetVariantsRequest>,
    ) -> Result<Response<pb::BatchGetVariantsResponse>, Status> {
        self.served.send_modify(|n| *n += 1);
        let faults = self.faults();
        if !faults.delay.is_zero() {
            tokio::time::sleep(faults.delay).await;
        }
        if faults.failing {
            return Err(Status::unavailable("catalog failing (injected fault)"));
        }
        self.fixture.batch_get_variants(request).await
    }
}

/// A catalog server on a local port, serving a [`FaultyCatalog`] until
/// stopped or dropped.
pub struct CatalogServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl CatalogServer {
    /// Serves `catalog` on `addr` (a free port when `None`), over TLS when
    /// `tls` is given.
    pub async fn start(
        catalog: Arc<FaultyCatalog>,
        addr: Option<SocketAddr>,
        tls: Option<ServerTlsConfig>,
    ) -> Self {
        let addr = addr.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap());
        let listener = TcpListener::bind(addr).await.expect("bind catalog");
        let addr = listener.local_addr().expect("catalog addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, catalog, tls, async {
                let _ = stopped.await;
            })
            .await
            .expect("catalog serves");
        });
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server and waits until it has stopped.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Serves `catalog` on `listener` (over TLS when `tls` is given) until
/// `shutdown` completes.
///
/// # Errors
/// The transport error when the TLS configuration is refused or serving
/// fails.
async fn serve(
    listener: TcpListener,
    catalog: Arc<FaultyCatalog>,
    tls: Option<ServerTlsConfig>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), tonic::transport::Error> {
    let mut builder = Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    builder
        .add_service(CatalogServiceServer::from_arc(catalog))
        .serve_with_incoming_shutdown(
            cart_service::net::incoming(listener, Default::default()),
            shutdown,
        )
        .await
}
