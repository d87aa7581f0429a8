//! PostgreSQL's cart notifications into this replica's hub: one listening
//! connection per replica, reconnected when lost. Changes made while it was
//! not listening (before its first LISTEN, or while it was down) were not
//! heard, so every watcher is woken to read its cart again each time it
//! starts listening: no final state is ever missed.

use std::time::Duration;

use super::Hub;
use crate::storage::notify::{ChangeListener, Heard};

/// Wait between attempts to reach PostgreSQL.
const RETRY: Duration = Duration::from_secs(1);

/// Feeds `hub` from the notifications of the database at `url`, until the
/// task is dropped. A lost connection is replaced by a new listener, and
/// only once that one is listening does the hub hear that changes may have
/// been missed: a watcher that reads again then cannot miss the next one.
#[tracing::instrument(skip_all)]
pub async fn follow(url: String, hub: Hub) {
    loop {
        let mut listener = match ChangeListener::connect(&url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for cart changes; retrying");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        // Streams opened before the listener was listening (at start-up, or
        // while it was down) may have missed a change: they read again.
        hub.missed();
        loop {
            match listener.next().await {
                Ok(Heard::Change(change)) => hub.publish(&change.owners),
                Ok(Heard::Reconnected) => {
                    tracing::info!("cart change listener lost; listening again");
                    hub.deaf();
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, "cart change listener lost; connecting again");
                    hub.deaf();
                    tokio::time::sleep(RETRY).await;
                    break;
                }
            }
        }
    }
}
