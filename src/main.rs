//! `cart-service`: settings → telemetry → build → serve until SIGTERM/SIGINT.
//!
//! ```text
//! cart-service               serve (migrating first unless database.run_migrations = false)
//! cart-service migrate       bring the schema up to date and exit (a Kubernetes Job)
//! cart-service healthcheck   exit 0 when the local service is ready (container HEALTHCHECK)
//! ```

use std::process::ExitCode;

use cart_service::config::Settings;
use cart_service::startup::Application;
use cart_service::{healthcheck, startup, telemetry};

const USAGE: &str = "usage: cart-service [migrate | healthcheck]";

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    if matches!(command.as_deref(), Some("-h" | "--help")) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("cart-service: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    if command.as_deref() == Some("healthcheck") {
        return match healthcheck::check(&settings).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(reason) => {
                eprintln!("cart-service healthcheck: {reason}");
                ExitCode::FAILURE
            }
        };
    }
    let _telemetry = match telemetry::init(&settings.telemetry) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("cart-service: {error}");
            return ExitCode::from(2);
        }
    };
    match command.as_deref() {
        None => serve(settings).await,
        Some("migrate") => match startup::migrate(&settings).await {
            Ok(()) => {
                tracing::info!("schema up to date");
                ExitCode::SUCCESS
            }
            Err(error) => {
                tracing::error!(%error, "migration failed");
                ExitCode::FAILURE
            }
        },
        Some(other) => {
            eprintln!("cart-service: unknown command {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn serve(settings: Settings) -> ExitCode {
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "start-up failed");
            return ExitCode::FAILURE;
        }
    };
    // The first signal starts the orderly stop; a second one ends the
    // process at once. Both are listened for from here on, so a second
    // signal is never missed.
    let mut signals = Signals::new();
    let first = async move {
        signals.next().await;
        tokio::spawn(async move {
            signals.next().await;
            tracing::warn!("second signal: stopping at once");
            std::process::exit(1);
        });
    };
    match app.run_until_stopped(first).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT (Ctrl-C) and SIGTERM (Kubernetes), listened for from creation.
struct Signals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(signal) => Some(signal),
            Err(error) => {
                tracing::error!(%error, "cannot listen for {name}");
                None
            }
        };
        Self {
            terminate: listen(SignalKind::terminate(), "SIGTERM"),
            interrupt: listen(SignalKind::interrupt(), "SIGINT"),
        }
    }

    #[cfg(not(unix))]
    fn new() -> Self {
        Self {}
    }

    /// Completes at the next signal.
    #[cfg(unix)]
    async fn next(&mut self) {
        async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) {
            match signal {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = recv(&mut self.terminate) => {},
            () = recv(&mut self.interrupt) => {},
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}
