//! TLS and mutual TLS, with certificates generated per test: the server speaks
//! only TLS when configured, mTLS refuses callers without a certificate from
//! the configured CA, the plaintext health port still answers probes, and the
//! catalog client reaches a catalog over (mutual) TLS.

use std::path::Path;
use std::sync::Arc;

use crate::db_test;
use crate::support::*;
use cart_client::proto::CartServiceClient;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use tonic::Code;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity, ServerTlsConfig};
use tonic_health::pb::health_check_response::ServingStatus;

/// A certificate authority and the files it issued, in a temporary folder.
struct Pki {
    dir: tempfile::TempDir,
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key, as PEM text and as files.
struct Leaf {
    cert_pem: String,
    key_pem: String,
    cert_path: String,
    key_path: String,
}

impl Pki {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} test CA"));
        let issuer =
            CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key")).expect("CA");
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            issuer,
        }
    }

    fn ca_pem(&self) -> String {
        self.issuer.pem()
    }

    fn ca_path(&self) -> String {
        self.write("ca.pem", &self.ca_pem())
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write PEM");
        path_string(&path)
    }

    /// A server certificate for localhost and 127.0.0.1.
    fn server(&self, name: &str) -> Leaf {
        self.leaf(
            name,
            vec!["localhost".into(), "127.0.0.1".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate.
    fn client(&self, name: &str) -> Leaf {
        self.leaf(name, Vec::new(), ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn leaf(&self, name: &str, names: Vec<String>, usage: ExtendedKeyUsagePurpose) -> Leaf {
        let mut params = CertificateParams::new(names).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.issuer).expect("leaf");
        let (cert_pem, key_pem) = (cert.pem(), key.serialize_pem());
        Leaf {
            cert_path: self.write(&format!("{name}.pem"), &cert_pem),
            key_path: self.write(&format!("{name}-key.pem"), &key_pem),
            cert_pem,
            key_pem,
        }
    }
}

fn path_string(path: &Path) -> String {
    path.to_str().expect("UTF-8 temp path").to_owned()
}

/// A cart client over TLS trusting `ca`, presenting `identity` if given.
fn tls_client(
    addr: std::net::SocketAddr,
    ca: &str,
    identity: Option<&Leaf>,
) -> CartServiceClient<Channel> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost");
    if let Some(leaf) = identity {
        tls = tls.identity(Identity::from_pem(&leaf.cert_pem, &leaf.key_pem));
    }
    let channel = Channel::from_shared(format!("https://{addr}"))
        .expect("url")
        .tls_config(tls)
        .expect("TLS config")
        .connect_lazy();
    CartServiceClient::new(channel)
}

db_test!(
    tls_serves_only_callers_that_speak_tls,
    |backend: Backend| {
        let pki = Pki::new("cart");
        let cert = pki.server("cart");
        let (cert_path, key_path) = (cert.cert_path.clone(), cert.key_path.clone());
        let Some(app) = spawn_app_with(backend, move |s| {
            s.server.tls_cert_path = Some(cert_path);
            s.server.tls_key_path = Some(key_path);
        })
        .await
        else {
            return;
        };

        let cart = tls_client(app.addr, &pki.ca_pem(), None)
            .add_item(add_tee_request("s1", 1))
            .await
            .expect("a TLS caller trusting the CA is served")
            .into_inner()
            .cart
            .expect("cart");
        assert_eq!(cart.items.len(), 1);
        let before = app.stored().await;

        // Plaintext against the TLS port: refused before any RPC runs.
        let plaintext = app.client.clone().add_item(add_tee_request("s2", 1)).await;
        assert!(plaintext.is_err(), "plaintext call served: {plaintext:?}");
        // A caller that does not trust the server's CA refuses the server.
        let stranger = Pki::new("other");
        let untrusted = tls_client(app.addr, &stranger.ca_pem(), None)
            .add_item(add_tee_request("s3", 1))
            .await;
        let status = untrusted.expect_err("untrusted server accepted");
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
        assert_eq!(app.stored().await, before, "a refused call wrote something");
    }
);

db_test!(
    mutual_tls_needs_a_client_certificate_from_the_ca,
    |backend: Backend| {
        let pki = Pki::new("cart");
        let cert = pki.server("cart");
        let (cert_path, key_path, ca_path) =
            (cert.cert_path.clone(), cert.key_path.clone(), pki.ca_path());
        let Some(app) = spawn_app_with(backend, move |s| {
            s.server.tls_cert_path = Some(cert_path);
            s.server.tls_key_path = Some(key_path);
            s.server.tls_client_ca_path = Some(ca_path);
            s.server.health_port = Some(0);
        })
        .await
        else {
            return;
        };

        // Probes use the plaintext health port, which serves nothing else.
        wait_for(&app, "shop.cart.v1.CartService", ServingStatus::Serving).await;
        let health_addr = app.health_addr.expect("health port bound");
        let health_only = CartServiceClient::new(
            Channel::from_shared(format!("http://{health_addr}"))
                .expect("url")
                .connect_lazy(),
        )
        .add_item(add_tee_request("s0", 1))
        .await;
        assert_eq!(
            health_only
                .expect_err("the health port served the cart API")
                .code(),
            Code::Unimplemented
        );

        let bff = pki.client("bff");
        let cart = tls_client(app.addr, &pki.ca_pem(), Some(&bff))
            .add_item(add_tee_request("s1", 1))
            .await
            .expect("a caller with a certificate from the CA is served")
            .into_inner()
            .cart
            .expect("cart");
        assert_eq!(cart.items.len(), 1);
        let before = app.stored().await;

        let anonymous = tls_client(app.addr, &pki.ca_pem(), None)
            .add_item(add_tee_request("s2", 1))
            .await;
        assert!(anonymous.is_err(), "caller without certificate served");
        let stranger = Pki::new("other").client("intruder");
        let foreign = tls_client(app.addr, &pki.ca_pem(), Some(&stranger))
            .add_item(add_tee_request("s3", 1))
            .await;
        assert!(foreign.is_err(), "certificate from another CA accepted");
        assert_eq!(
            app.stored().await,
            before,
            "a refused caller wrote something"
        );

        // The plaintext health port answers liveness too.
        assert_eq!(status_of(&app, "").await, ServingStatus::Serving);
    }
);

db_test!(
    the_catalog_is_reached_over_mutual_tls,
    |backend: Backend| {
        // A catalog that requires client certificates from the cart's CA.
        let pki = Pki::new("catalog");
        let catalog_cert = pki.server("catalog");
        let tls = ServerTlsConfig::new()
            .identity(Identity::from_pem(
                &catalog_cert.cert_pem,
                &catalog_cert.key_pem,
            ))
            .client_ca_root(Certificate::from_pem(pki.ca_pem()));
        let catalog = Arc::new(FaultyCatalog::new(demo_catalog()));
        let mut catalog_server = CatalogServer::start(catalog.clone(), None, Some(tls)).await;
        let catalog_addr = catalog_server.addr;

        let cart_identity = pki.client("cart-service");
        let ca_path = pki.ca_path();
        let (cert_path, key_path) = (
            cart_identity.cert_path.clone(),
            cart_identity.key_path.clone(),
        );
        let Some(app) = spawn_app_with(backend, move |s| {
            s.catalog.url = Some(format!("https://{catalog_addr}"));
            s.catalog.tls_ca_path = Some(ca_path);
            s.catalog.tls_cert_path = Some(cert_path);
            s.catalog.tls_key_path = Some(key_path);
        })
        .await
        else {
            return;
        };
        let cart = app
            .client
            .clone()
            .add_item(add_tee_request("s1", 1))
            .await
            .expect("priced through the TLS catalog")
            .into_inner()
            .cart
            .expect("cart");
        assert_eq!(cart.items.len(), 1);
        assert!(catalog.served() >= 1, "the TLS catalog was not asked");

        // Without a client certificate the catalog refuses the cart service,
        // which reports the catalog unavailable and writes nothing.
        let ca_path = pki.ca_path();
        let Some(refused) = spawn_app_with(backend, move |s| {
            s.catalog.url = Some(format!("https://{catalog_addr}"));
            s.catalog.tls_ca_path = Some(ca_path);
            s.catalog.retries = 0;
        })
        .await
        else {
            return;
        };
        let before = refused.stored().await;
        let status = refused
            .client
            .clone()
            .add_item(add_tee_request("s1", 1))
            .await
            .expect_err("the catalog accepted a caller without a certificate");
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
        assert_eq!(refused.stored().await, before);
        catalog_server.stop().await;
    }
);

#[test]
fn tls_settings_go_in_pairs() {
    let mut settings = cart_service::config::Settings::default();
    settings.server.tls_cert_path = Some("cert.pem".into());
    let error = settings.validate().expect_err("cert without key");
    assert!(error.to_string().contains("server.tls_key_path"), "{error}");

    let mut settings = cart_service::config::Settings::default();
    settings.server.tls_client_ca_path = Some("ca.pem".into());
    let error = settings.validate().expect_err("mTLS without a certificate");
    assert!(
        error.to_string().contains("server.tls_client_ca_path"),
        "{error}"
    );

    let mut settings = cart_service::config::Settings::default();
    settings.server.tls_cert_path = Some("/nonexistent/cert.pem".into());
    settings.server.tls_key_path = Some("/nonexistent/key.pem".into());
    let error = cart_service::tls::server(&settings.server, std::time::Duration::from_secs(10))
        .expect_err("missing file");
    assert!(
        error.to_string().contains("server.tls_cert_path"),
        "{error}"
    );
}
