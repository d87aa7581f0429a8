//! Why start-up failed or the server stopped with an error.

use crate::storage::StorageError;

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting could not be used.
    #[error("invalid setting {setting}: {reason}")]
    Setting {
        /// The setting.
        setting: &'static str,
        /// Why.
        reason: String,
    },
    /// A TLS file named by a setting could not be read.
    #[error(transparent)]
    TlsFile(#[from] crate::tls::TlsFileError),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] StorageError),
    /// A listener could not be bound (found before any migration runs).
    #[error("cannot listen on {addr} ({setting}): {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The setting that chose its port.
        setting: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// Reflection could not be built from the descriptors.
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The gRPC server failed.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The server task panicked or was cancelled.
    #[error("gRPC server task: {0}")]
    Task(#[from] tokio::task::JoinError),
}
