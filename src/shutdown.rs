//! Word that the service is stopping, as a value handed to background work.
//!
//! A task holding a [`Shutdown`] is never aborted in the middle of its work:
//! it looks at [`Shutdown::is_stopping`] between units (a batch, a message)
//! and returns once the unit in hand is done, and it waits on
//! [`Shutdown::stopped`] where it would otherwise sleep. The [`Stopper`]
//! says it once, to every copy.

use tokio::sync::watch;

/// Sends the word (once; later calls change nothing).
#[derive(Debug)]
pub struct Stopper(watch::Sender<bool>);

/// Hears the word. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
    /// The sender of [`Shutdown::never`], kept so that it never hangs up.
    _never: Option<std::sync::Arc<watch::Sender<bool>>>,
}

impl Stopper {
    /// A stopper and the first of its listeners.
    pub fn new() -> (Self, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (Self(tx), Shutdown { rx, _never: None })
    }

    /// Tells every listener, now and later, that the service stops.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }

    /// Another listener.
    pub fn listen(&self) -> Shutdown {
        Shutdown {
            rx: self.0.subscribe(),
            _never: None,
        }
    }
}

impl Shutdown {
    /// A listener that never hears the word (a job run by hand).
    pub fn never() -> Self {
        let (tx, rx) = watch::channel(false);
        Self {
            rx,
            _never: Some(std::sync::Arc::new(tx)),
        }
    }

    /// Whether the word was said.
    pub fn is_stopping(&self) -> bool {
        *self.rx.borrow()
    }

    /// Completes once the word is said, or once its [`Stopper`] is gone
    /// (the service is gone too); never for [`Shutdown::never`].
    pub async fn stopped(&self) {
        let mut rx = self.rx.clone();
        let _ = rx.wait_for(|stop| *stop).await;
    }
}
