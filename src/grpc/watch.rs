//! WatchCart: one task per stream. It sends the shopper's view, then waits
//! for a wake-up from the hub ([`crate::live`]), reads the view again and
//! sends it when its version moved; it ends with `ended` when the cart stops
//! being the shopper's, after `watch.max_stream_secs`, when the client goes
//! away, or with UNAVAILABLE when the replica stops. Between changes it sends
//! keepalives.

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::status::{replica_stopping, too_many_watchers};
use super::{fail, wire};
use crate::domain::cart::Shopper;
use crate::domain::ids::CartId;
use crate::live::{Hub, Subscription, WatchLimits};
use crate::proto::shop::cart::v1 as pb;
use crate::service::CartService;

/// The messages of one WatchCart stream.
pub type WatchStream = ReceiverStream<Result<pb::WatchCartResponse, Status>>;

/// Opens a stream for `shopper` from `after_version`.
///
/// # Errors
/// RESOURCE_EXHAUSTED past the watcher caps; UNAVAILABLE while stopping.
pub(super) fn start(
    service: CartService,
    hub: &Hub,
    shopper: Shopper,
    after_version: i64,
) -> Result<WatchStream, Status> {
    let subscription = hub.subscribe(&shopper).map_err(too_many_watchers)?;
    if *subscription.stopping.borrow() {
        return Err(replica_stopping());
    }
    let (tx, rx) = mpsc::channel(4);
    let watched = Watched {
        service,
        shopper,
        cart: None,
        version: after_version,
        first: true,
    };
    tokio::spawn(run(watched, subscription, hub.limits(), tx));
    Ok(ReceiverStream::new(rx))
}

type Sender = mpsc::Sender<Result<pb::WatchCartResponse, Status>>;

fn message(update: pb::watch_cart_response::Update) -> Result<pb::WatchCartResponse, Status> {
    Ok(pb::WatchCartResponse {
        update: Some(update),
    })
}

/// The stream's loop: read, send if it moved, wait; until an end.
async fn run(mut watched: Watched, mut sub: Subscription, limits: WatchLimits, tx: Sender) {
    use pb::watch_cart_response::Update;
    let deadline = tokio::time::Instant::now() + limits.max_stream;
    loop {
        // Seen before the read: a change during the read wakes us again.
        sub.changes.borrow_and_update();
        let (update, last) = match watched.next().await {
            Ok(Next::Send(update)) => (Some(update), false),
            Ok(Next::Quiet) => (None, false),
            Ok(Next::End(update)) => (Some(update), true),
            Err(status) => {
                let _ = tx.send(Err(status)).await;
                return;
            }
        };
        if let Some(update) = update
            && tx.send(message(update)).await.is_err()
        {
            return;
        }
        if last {
            return;
        }
        loop {
            tokio::select! {
                changed = sub.changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    break;
                }
                // The stop flag only ever turns true.
                _ = sub.stopping.changed() => {
                    let _ = tx.send(Err(replica_stopping())).await;
                    return;
                }
                () = tokio::time::sleep(limits.keepalive) => {
                    if tx.send(message(Update::Keepalive(true))).await.is_err() {
                        return;
                    }
                }
                () = tokio::time::sleep_until(deadline) => return,
                () = tx.closed() => return,
            }
        }
    }
}

/// What a stream has sent so far.
struct Watched {
    service: CartService,
    shopper: Shopper,
    /// The cart watched, once there is one.
    cart: Option<CartId>,
    /// The last version sent (or the client's `after_version`).
    version: i64,
    first: bool,
}

enum Next {
    Send(pb::watch_cart_response::Update),
    Quiet,
    End(pb::watch_cart_response::Update),
}

impl Watched {
    /// What to send after reading the shopper's view again.
    async fn next(&mut self) -> Result<Next, Status> {
        use pb::watch_cart_response::Update;
        let view = self.service.get_cart(&self.shopper).await.map_err(fail)?;
        let id = view.cart.as_ref().map(|c| c.id);
        let version = view.cart.as_ref().map_or(0, |c| c.version);
        if let Some(watched) = self.cart
            && id != Some(watched)
        {
            return Ok(Next::End(Update::Ended(self.ended(watched).await?)));
        }
        let send = if self.first {
            // `after_version` current: the first message is the next change.
            !(self.version > 0 && version == self.version)
        } else {
            version > self.version
        };
        self.first = false;
        self.cart = self.cart.or(id);
        if !send {
            return Ok(Next::Quiet);
        }
        self.version = version;
        Ok(Next::Send(Update::Cart(wire::cart(&view))))
    }

    /// What became of cart `id`, which is no longer the shopper's.
    async fn ended(&self, id: CartId) -> Result<pb::CartEnded, Status> {
        use crate::domain::cart::CartStatus;
        let view = self.service.get_cart_by_id(id).await;
        let cart = match view {
            Ok(view) => view.cart,
            // Deleted meanwhile: nothing to follow.
            Err(_) => None,
        };
        let (status, into) = match &cart {
            Some(c) if c.status == CartStatus::Active => (CartStatus::Active, Some(c.id)),
            Some(c) => (c.status, c.merged_into),
            None => (CartStatus::Abandoned, None),
        };
        Ok(pb::CartEnded {
            cart_id: id.to_string(),
            status: wire::status(status).into(),
            into_cart_id: into.map(|i| i.to_string()).unwrap_or_default(),
        })
    }
}
