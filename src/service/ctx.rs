//! What a step sees during its attempt ([`Ctx`]): the attempt's connection
//! and time, the catalog's answer and the policy, and the one way a step
//! writes a cart change ([`Ctx::write_cart`]). What the attempt wrote is
//! recorded here and acted on by the pipeline (`write.rs`) once it commits.

use chrono::{DateTime, Utc};

use super::{CartService, Policy, ServiceError};
use crate::domain::cart::{Cart, CartStatus, LineChange, Shopper};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::device::DeviceSignals;
use crate::domain::event::Event;
use crate::live::Owner;
use crate::storage::cart_write::{self, CartChange, Header, Wrote};
use crate::storage::idempotency::Record;
use crate::storage::{Conn, StorageError, devices};

/// What a step sees during its attempt.
pub(super) struct Ctx<'a> {
    /// What the attempt runs on: its transaction, or (optimistic) the pool.
    conn: Conn<'a>,
    /// The time of this attempt.
    pub now: DateTime<Utc>,
    /// What the catalog said before the attempt.
    pub snapshot: &'a CatalogSnapshot,
    /// The cart rules' knobs.
    pub policy: &'a Policy,
    /// The events this attempt wrote, counted once it commits.
    recorded: Recorded,
    /// Set on an optimistic keyed attempt: the step's cart change is held
    /// back, to be written in one statement with the response it leads to
    /// ([`Ctx::write_held`]).
    holds_back: bool,
    held: std::sync::Mutex<Option<Held>>,
    service: &'a CartService,
}

/// A cart change held back by an optimistic keyed attempt.
struct Held {
    cart: Cart,
    read: i64,
    new: bool,
    lines: Vec<LineChange>,
    events: Vec<Event>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        service: &'a CartService,
        conn: Conn<'a>,
        snapshot: &'a CatalogSnapshot,
    ) -> Self {
        Ctx {
            conn,
            now: service.clock.now(),
            snapshot,
            policy: &service.policy,
            recorded: Recorded::default(),
            holds_back: false,
            held: std::sync::Mutex::default(),
            service,
        }
    }

    /// Holds the step's cart change back, when `hold`, for
    /// [`Ctx::write_held`] (an optimistic keyed attempt).
    pub(super) fn hold_back(&mut self, hold: bool) {
        self.holds_back = hold;
    }

    /// What the attempt wrote, for the pipeline to act on after commit.
    pub(super) fn take_recorded(&self) -> (Vec<Event>, Vec<Owner>) {
        self.recorded.take()
    }

    /// The attempt's connection, for the repositories.
    pub fn tx(&self) -> &Conn<'_> {
        &self.conn
    }

    /// A new cart of `shopper`'s, not yet stored: [`Self::write_cart`]
    /// with `new` inserts it.
    pub fn new_cart(&self, shopper: &Shopper) -> Cart {
        let currency = self.policy.view.default_currency.clone();
        Cart::new(shopper, currency, self.now, self.policy.ttl)
    }

    /// Writes one change of `cart`: its version and times moved on, its
    /// header stored (inserted when `new`, with its `created` event first),
    /// `lines` and `events` — one statement on PostgreSQL where it can be.
    ///
    /// # Errors
    /// `Conflict` when a new cart lost the race to another (the retry finds
    /// it), or when an optimistic attempt cannot write (it falls back to
    /// locking); storage failures.
    pub async fn write_cart(
        &self,
        cart: &mut Cart,
        new: bool,
        lines: &[LineChange],
        events: Vec<Event>,
    ) -> Result<(), ServiceError> {
        let read = cart.version;
        cart.touch(self.now, self.policy.ttl);
        self.store(cart, read, new, lines, events).await
    }

    /// Stores `cart` as it is, changed from version `read`: the one write
    /// of a cart's header, lines and events (held back on an optimistic
    /// keyed attempt, which writes one change at most).
    pub(super) async fn store(
        &self,
        cart: &Cart,
        read: i64,
        new: bool,
        lines: &[LineChange],
        mut events: Vec<Event>,
    ) -> Result<(), ServiceError> {
        if new {
            events.insert(0, created(cart));
        }
        if self.holds_back {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            if held.is_some() {
                return Err(raced("a second change"));
            }
            let (cart, lines) = (cart.clone(), lines.to_vec());
            *held = Some(Held {
                cart,
                read,
                new,
                lines,
                events,
            });
            return Ok(());
        }
        self.write_change(cart, (read, new), lines, events, None)
            .await
    }

    /// Writes the change held back with `record` of its response, in one
    /// statement. A step that changed nothing has no statement to claim its
    /// key in: the locking attempt, which claims it, remembers its response.
    ///
    /// # Errors
    /// `Conflict` when the cart moved or the request id has a record
    /// already (the locking attempt then runs, and replays); storage
    /// failures.
    pub(super) async fn write_held(&self, record: Record<'_>) -> Result<(), ServiceError> {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner()).take();
        match held {
            Some(h) => {
                self.write_change(&h.cart, (h.read, h.new), &h.lines, h.events, Some(record))
                    .await
            }
            None => Err(raced("nothing to write with the record")),
        }
    }

    async fn write_change(
        &self,
        cart: &Cart,
        (read, new): (i64, bool),
        lines: &[LineChange],
        events: Vec<Event>,
        remember: Option<Record<'_>>,
    ) -> Result<(), ServiceError> {
        let locking = self.conn.in_transaction();
        let header = if new {
            Header::New(cart)
        } else {
            let read = (!locking).then_some(read);
            Header::Stored { cart, read }
        };
        let change = CartChange {
            header,
            lines,
            events: &events,
            remember,
        };
        match cart_write::write(&self.conn, change, self.now, locking).await? {
            Wrote::All => {
                self.recorded.push(&events);
                self.recorded.owner(cart);
                Ok(())
            }
            Wrote::Nothing if new => Err(raced("a cart was created")),
            Wrote::Nothing | Wrote::NeedsTransaction => Err(raced("the cart moved")),
        }
    }

    /// Wakes the watchers of `cart`'s owner as it is now, once the attempt
    /// commits (a cart that changes owner tells the one it leaves).
    pub fn announce(&self, cart: &Cart) {
        self.recorded.owner(cart);
    }

    /// Stores `device`'s signals, hashed, on `cart` when it is an active
    /// guest cart and hashing is configured (recovery by device).
    pub async fn keep_device(
        &self,
        cart: Option<&Cart>,
        device: Option<&DeviceSignals>,
    ) -> Result<(), ServiceError> {
        let (Some(device), Some(hasher), Some(cart)) =
            (device, &self.service.recovery.hasher, cart)
        else {
            return Ok(());
        };
        if cart.customer_id.is_none() && cart.status == CartStatus::Active {
            let hashes = hasher.device(device);
            devices::save_device(&self.conn, cart.id, &hashes, self.now).await?;
        }
        Ok(())
    }
}

/// A race this attempt lost: the locking attempt, or its retry, converges.
pub(super) fn raced(what: &str) -> ServiceError {
    ServiceError::Conflict(StorageError::raced(what))
}

/// What an attempt wrote, acted on after its commit (so a rolled-back
/// attempt counts and announces nothing): its events, for the business
/// metrics, and the owners of the carts it changed, whose watchers are woken
/// (in-process on SQLite; PostgreSQL's trigger notifies every replica).
#[derive(Default)]
struct Recorded(std::sync::Mutex<(Vec<Event>, Vec<Owner>)>);

impl Recorded {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Event>, Vec<Owner>)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes `events` as written.
    fn push(&self, events: &[Event]) {
        self.lock().0.extend_from_slice(events);
    }

    /// Notes a change of a cart owned by `cart`'s owner as it is now.
    fn owner(&self, cart: &Cart) {
        let owner = (
            cart.session_id.as_str().to_owned(),
            cart.customer_id.as_ref().map(|c| c.as_str().to_owned()),
        );
        self.lock().1.push(owner);
    }

    fn take(&self) -> (Vec<Event>, Vec<Owner>) {
        std::mem::take(&mut *self.lock())
    }
}

/// The event of `cart`'s creation.
fn created(cart: &Cart) -> Event {
    Event::Created {
        session_id: cart.session_id.clone(),
        customer_id: cart.customer_id.clone(),
        currency: cart.currency.clone(),
    }
}
