//! Request ids (AIP-155): what identifies a request, whose keys are whose,
//! and the hold a running keyed write has on its id in this process.
//!
//! A retry with the same request id and the same request gets the first
//! response back, byte for byte, and changes nothing; the same id with another
//! request is refused. The response is remembered in the write's own
//! transaction (see [`super::write`]), so it exists exactly when the change
//! does.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::ServiceError;
use crate::domain::cart::Shopper;
use crate::domain::ids::{CartId, CustomerId, RequestId};
use crate::storage::idempotency::Record;
use crate::storage::{Executor, Tx, idempotency};

/// A write's request id and the fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    id: RequestId,
    fingerprint: String,
}

impl RequestKey {
    /// The key of `request`, the encoded request of RPC `method` with its
    /// request id cleared: a retry must send the same bytes to the same RPC.
    pub fn new(id: RequestId, method: &str, request: &[u8]) -> Self {
        let mut digest = Sha256::new();
        digest.update(method.as_bytes());
        digest.update([0]);
        digest.update(request);
        let fingerprint = digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self { id, fingerprint }
    }

    /// The fingerprint: a digest of the RPC and its request.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// Whose request ids a write's belong to: a shopper's (session and
/// customer) for the shopper RPCs, a cart's for the service RPCs. The same id
/// in two scopes is two keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope(String);

impl Scope {
    /// The scope of `shopper`'s writes.
    pub fn shopper(shopper: &Shopper) -> Self {
        Self(format!(
            "shopper:{}:{}",
            shopper.session_id,
            shopper
                .customer_id
                .as_ref()
                .map(CustomerId::as_str)
                .unwrap_or_default()
        ))
    }

    /// The scope of writes to cart `id` by other services.
    pub fn cart(id: CartId) -> Self {
        Self(format!("cart:{id}"))
    }
}

/// A keyed write: its scope and key.
#[derive(Debug, Clone, Copy)]
pub(super) struct Keyed<'a> {
    pub scope: &'a Scope,
    pub key: &'a RequestKey,
}

impl Keyed<'_> {
    /// The remembered response, when this key was seen with this request.
    ///
    /// # Errors
    /// `RequestIdReused` when it was seen with another request.
    pub async fn replayed(
        self,
        conn: &impl Executor,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        match idempotency::find(conn, &self.scope.0, self.key.id.as_str(), now).await? {
            None => Ok(None),
            Some(seen) if seen.fingerprint == self.key.fingerprint => Ok(Some(seen.response)),
            Some(_) => Err(ServiceError::RequestIdReused),
        }
    }

    /// Claims the key for the rest of `tx` (PostgreSQL: an advisory lock), so
    /// a duplicate running on another replica is refused instead of waiting on
    /// the cart's lock.
    ///
    /// # Errors
    /// `RequestInProgress` when another transaction holds it.
    pub async fn claim(self, tx: &Tx) -> Result<(), ServiceError> {
        if idempotency::try_claim(tx, &self.scope.0, self.key.id.as_str()).await? {
            Ok(())
        } else {
            Err(ServiceError::RequestInProgress)
        }
    }

    /// The record of `response` for the key, until `until`.
    pub fn record<'r>(&'r self, response: &'r [u8], until: DateTime<Utc>) -> Record<'r> {
        Record {
            scope: &self.scope.0,
            request_id: self.key.id.as_str(),
            fingerprint: &self.key.fingerprint,
            response,
            expires_at: until,
        }
    }

    /// Remembers `response` for the key, in `tx`, until `until`.
    pub async fn remember(
        self,
        tx: &Tx,
        response: Vec<u8>,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        idempotency::remember(tx, self.record(&response, until), now).await?;
        Ok(())
    }
}

/// The keyed writes running in this process.
#[derive(Debug, Clone, Default)]
pub(super) struct InFlight(Arc<Mutex<HashSet<(Scope, RequestId)>>>);

/// A keyed write's hold on its key while it runs; released on drop.
#[derive(Debug)]
pub(super) struct Running {
    key: (Scope, RequestId),
    in_flight: InFlight,
}

impl InFlight {
    /// Marks `keyed` as running here until the hold is dropped.
    ///
    /// # Errors
    /// `RequestInProgress` when it already runs here.
    pub fn hold(&self, keyed: Keyed<'_>) -> Result<Running, ServiceError> {
        let key = (keyed.scope.clone(), keyed.key.id.clone());
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !running.insert(key.clone()) {
            return Err(ServiceError::RequestInProgress);
        }
        Ok(Running {
            key,
            in_flight: self.clone(),
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.in_flight
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
    }
}
