//! The cache's side of the hub: every change announced invalidates the
//! shoppers it touched, and word of missed changes (or of Redis failing)
//! makes the cache flush before it is used again.

use std::time::Duration;

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::CartCache;
use crate::live::{Announcement, owner_keys};

/// Wait between attempts to flush an untrusted cache.
const RETRY: Duration = Duration::from_secs(1);

/// Changes invalidated in one call at most.
const BATCH: usize = 256;

/// Keeps `cache` in step with `announcements` until the hub is gone.
/// `hearing` says whether changes are heard from the start (SQLite: this
/// process's own commits) or only once a listener says so (PostgreSQL).
#[tracing::instrument(skip_all)]
pub async fn follow(cache: CartCache, mut announcements: Receiver<Announcement>, hearing: bool) {
    cache.set_hearing(hearing);
    let mut hearing = hearing;
    loop {
        let next = if hearing && !cache.trusted() && !cache.flush().await {
            match tokio::time::timeout(RETRY, announcements.recv()).await {
                Ok(next) => next,
                Err(_) => continue,
            }
        } else {
            announcements.recv().await
        };
        let mut keys = Vec::new();
        match next {
            Ok(announcement) => act(&cache, announcement, &mut hearing, &mut keys),
            Err(RecvError::Lagged(_)) => cache.untrust(),
            Err(RecvError::Closed) => return,
        }
        // The changes already waiting go in the same call.
        while keys.len() < BATCH {
            match announcements.try_recv() {
                Ok(announcement) => act(&cache, announcement, &mut hearing, &mut keys),
                Err(TryRecvError::Lagged(_)) => cache.untrust(),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        // Untrusted, this does nothing: the flush owed covers these too.
        cache.invalidate(&keys).await;
    }
}

/// Acts on one announcement: a change's shopper keys join `keys`.
fn act(cache: &CartCache, announcement: Announcement, hearing: &mut bool, keys: &mut Vec<String>) {
    match announcement {
        Announcement::Changed(owners) => keys.extend(owner_keys(&owners)),
        Announcement::Missed => {
            *hearing = true;
            cache.untrust();
            cache.set_hearing(true);
        }
        Announcement::Deaf => {
            *hearing = false;
            cache.set_hearing(false);
        }
    }
}
