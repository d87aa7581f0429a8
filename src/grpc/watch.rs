//! WatchCart: one task per stream. It sends the shopper's view, then waits
//! for a wake-up from the hub ([`crate::live`]), reads the view again and
//! sends it when it moved; it ends with `ended` when the cart stops being
//! the shopper's, after `watch.max_stream_secs`, when the client goes away,
//! or with UNAVAILABLE when the replica stops. Between changes it sends
//! keepalives. Every send is raced against the stop, the lifetime and the
//! client leaving: a client that stops reading never pins its stream.

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::status::{replica_stopping, too_many_watchers};
use super::{fail, wire};
use crate::domain::cart::Shopper;
use crate::domain::ids::CartId;
use crate::live::{Hub, Subscription};
use crate::proto::shop::cart::v1 as pb;
use crate::service::CartService;
use pb::watch_cart_response::Update;

/// The messages of one WatchCart stream.
pub type WatchStream = ReceiverStream<Result<pb::WatchCartResponse, Status>>;

/// Where the client says it is.
pub(super) struct Resume {
    /// The cart it has (`None`: none).
    pub cart: Option<CartId>,
    /// Its version (0: none).
    pub version: i64,
}

/// Opens a stream for `shopper`, resuming from `resume`.
///
/// # Errors
/// RESOURCE_EXHAUSTED past the watcher caps; UNAVAILABLE while stopping.
pub(super) fn start(
    service: CartService,
    hub: &Hub,
    shopper: Shopper,
    resume: Resume,
) -> Result<WatchStream, Status> {
    let subscription = hub.subscribe(&shopper).map_err(too_many_watchers)?;
    if *subscription.stopping.borrow() {
        return Err(replica_stopping());
    }
    let (tx, rx) = mpsc::channel(4);
    let stream = Stream {
        watched: Watched {
            service,
            shopper,
            cart: None,
            version: 0,
            resume: Some(resume),
        },
        sub: subscription,
        hub: hub.clone(),
        deadline: Instant::now() + hub.limits().max_stream,
        tx,
    };
    tokio::spawn(stream.run());
    Ok(ReceiverStream::new(rx))
}

/// How a wait ended.
enum Woken {
    Changed,
    Over,
}

/// One stream's task.
struct Stream {
    watched: Watched,
    sub: Subscription,
    hub: Hub,
    deadline: Instant,
    tx: mpsc::Sender<Result<pb::WatchCartResponse, Status>>,
}

impl Stream {
    /// Read, send if it moved, wait; until an end.
    async fn run(mut self) {
        loop {
            // Seen before the read: a change during the read wakes us again.
            self.sub.changes.borrow_and_update();
            let next = {
                // At most a few re-reads at once: waking every watcher (a
                // listener that reconnected) must not drain the pool.
                let _turn = self.hub.read_turn().await;
                self.watched.next().await
            };
            let (update, last) = match next {
                Ok(Next::Send(update)) => (Some(update), false),
                Ok(Next::Quiet) => (None, false),
                Ok(Next::End(update)) => (Some(update), true),
                Err(status) => {
                    self.send(Err(status)).await;
                    return;
                }
            };
            if let Some(update) = update
                && !self.send(message(update)).await
            {
                return;
            }
            if last {
                return;
            }
            if let Woken::Over = self.wait().await {
                return;
            }
        }
    }

    /// Waits for a change, sending keepalives; `Over` when the stream ends.
    async fn wait(&mut self) -> Woken {
        let keepalive = self.hub.limits().keepalive;
        loop {
            tokio::select! {
                changed = self.sub.changes.changed() => {
                    return if changed.is_ok() { Woken::Changed } else { Woken::Over };
                }
                () = tokio::time::sleep(keepalive) => {
                    if !self.send(message(Update::Keepalive(true))).await {
                        return Woken::Over;
                    }
                }
                // Checked by `send` too: a stop or the end of the lifetime
                // while idle ends the stream here.
                _ = self.sub.stopping.changed() => {
                    let _ = self.tx.try_send(Err(replica_stopping()));
                    return Woken::Over;
                }
                () = tokio::time::sleep_until(self.deadline) => return Woken::Over,
                () = self.tx.closed() => return Woken::Over,
            }
        }
    }

    /// Sends `item` unless the stream must end first (the replica stops, the
    /// lifetime is over, the client left); whether the stream goes on.
    async fn send(&mut self, item: Result<pb::WatchCartResponse, Status>) -> bool {
        let deadline = self.deadline;
        tokio::select! {
            sent = self.tx.send(item) => sent.is_ok(),
            _ = self.sub.stopping.changed() => {
                let _ = self.tx.try_send(Err(replica_stopping()));
                false
            }
            () = tokio::time::sleep_until(deadline) => false,
        }
    }
}

fn message(update: Update) -> Result<pb::WatchCartResponse, Status> {
    Ok(pb::WatchCartResponse {
        update: Some(update),
    })
}

/// What a stream has sent so far.
struct Watched {
    service: CartService,
    shopper: Shopper,
    /// The cart watched, once there is one.
    cart: Option<CartId>,
    /// The last version sent.
    version: i64,
    /// Where the client said it was, until the first view is read.
    resume: Option<Resume>,
}

enum Next {
    Send(Update),
    Quiet,
    End(Update),
}

impl Watched {
    /// What to send after reading the shopper's view again.
    async fn next(&mut self) -> Result<Next, Status> {
        let view = self.service.get_cart(&self.shopper).await.map_err(fail)?;
        let id = view.cart.as_ref().map(|c| c.id);
        let version = view.cart.as_ref().map_or(0, |c| c.version);
        if let Some(watched) = self.cart
            && id != Some(watched)
        {
            return Ok(Next::End(Update::Ended(self.ended(watched).await?)));
        }
        let send = match self.resume.take() {
            // The first view: unless the client has exactly it.
            Some(resume) => !(resume.cart == id && resume.version == version && id.is_some()),
            None => version > self.version,
        };
        self.cart = self.cart.or(id);
        if !send {
            self.version = self.version.max(version);
            return Ok(Next::Quiet);
        }
        self.version = version;
        Ok(Next::Send(Update::Cart(wire::cart(&view))))
    }

    /// What became of cart `id`, which is no longer the shopper's.
    async fn ended(&self, id: CartId) -> Result<pb::CartEnded, Status> {
        let (status, into) = self.service.whereabouts(id).await.map_err(fail)?;
        Ok(pb::CartEnded {
            cart_id: id.to_string(),
            status: wire::status(status).into(),
            into_cart_id: into.map(|i| i.to_string()).unwrap_or_default(),
        })
    }
}
