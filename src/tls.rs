//! TLS from PEM files: the gRPC server's certificate, optionally requiring
//! client certificates (mTLS), and the catalog client's trust roots and
//! optional client certificate. Files are read once at start-up; a missing or
//! unreadable file stops start-up naming its setting.

use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

use crate::config::{CatalogSettings, ServerSettings};

/// A TLS file named by a setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {setting}: cannot read {path}: {source}")]
pub struct TlsFileError {
    /// The setting naming the file.
    pub setting: &'static str,
    /// The file.
    pub path: String,
    /// Why it could not be read.
    pub source: std::io::Error,
}

/// Makes ring the process's TLS crypto provider (as tonic's `tls-ring` and
/// lettre's `ring` features already use), so a second provider anywhere in
/// the dependency graph never leaves rustls unable to choose. Idempotent.
pub fn install_crypto_provider() {
    // Err only when a provider is installed already: nothing to do.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn read(setting: &'static str, path: &str) -> Result<Vec<u8>, TlsFileError> {
    std::fs::read(path).map_err(|source| TlsFileError {
        setting,
        path: path.to_owned(),
        source,
    })
}

fn identity(
    cert: (&'static str, &str),
    key: (&'static str, &str),
) -> Result<Identity, TlsFileError> {
    Ok(Identity::from_pem(
        read(cert.0, cert.1)?,
        read(key.0, key.1)?,
    ))
}

/// The server's TLS configuration; `None` serves plaintext. A TLS handshake
/// not done within `handshake_timeout` is dropped (the accept loop's timer
/// stops at the first bytes, which a stalled ClientHello also sends).
///
/// # Errors
/// [`TlsFileError`] when a file cannot be read.
pub fn server(
    settings: &ServerSettings,
    handshake_timeout: std::time::Duration,
) -> Result<Option<ServerTlsConfig>, TlsFileError> {
    let (Some(cert), Some(key)) = (&settings.tls_cert_path, &settings.tls_key_path) else {
        return Ok(None);
    };
    let mut config = ServerTlsConfig::new()
        .identity(identity(
            ("server.tls_cert_path", cert),
            ("server.tls_key_path", key),
        )?)
        .timeout(handshake_timeout);
    if let Some(ca) = &settings.tls_client_ca_path {
        config = config.client_ca_root(Certificate::from_pem(read(
            "server.tls_client_ca_path",
            ca,
        )?));
    }
    Ok(Some(config))
}

/// The catalog client's TLS configuration for an `https://` catalog URL:
/// the system's roots plus `catalog.tls_ca_path`, and a client certificate
/// when the catalog requires one. `None` for `http://`.
///
/// # Errors
/// [`TlsFileError`] when a file cannot be read.
pub fn catalog_client(settings: &CatalogSettings) -> Result<Option<ClientTlsConfig>, TlsFileError> {
    if !settings
        .url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"))
    {
        return Ok(None);
    }
    let mut config = ClientTlsConfig::new().with_native_roots();
    if let Some(ca) = &settings.tls_ca_path {
        config = config.ca_certificate(Certificate::from_pem(read("catalog.tls_ca_path", ca)?));
    }
    if let (Some(cert), Some(key)) = (&settings.tls_cert_path, &settings.tls_key_path) {
        config = config.identity(identity(
            ("catalog.tls_cert_path", cert),
            ("catalog.tls_key_path", key),
        )?);
    }
    Ok(Some(config))
}
