//! RecoverCart: a cart found by a signed recovery link or by the device
//! becomes the shopper's — taken over by a guest session with no lines of
//! its own, linked to a signed-in customer without a cart, or merged into the
//! shopper's cart by the MERGE rules — in one transaction through the write
//! pipeline. UnsubscribeRecovery: an address stops getting recovery e-mail.

use super::idempotency::Scope;
use super::merge::{combine, link};
use super::output::{CartOutcome, CartWritten};
use super::own_cart::lock_active;
use super::prefetch::Touches;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, CartStatus, Line, Shopper, SignedIn};
use crate::domain::device::{DeviceSignals, similarity};
use crate::domain::event::{Event, RecoveredVia};
use crate::domain::ids::CartId;
use crate::domain::rules::{MergeStrategy, Rejection};
use crate::recovery::token::{Claim, Signer, TokenError};
use crate::storage::devices::{self, DeviceSearch};
use crate::storage::recovery;
use crate::storage::{carts, lines};

/// Which cart RecoverCart is asked for.
#[derive(Debug, Clone)]
pub enum RecoverySource {
    /// The token of a recovery link.
    Token(String),
    /// A guest cart of the caller's device.
    Device(DeviceSignals),
}

/// What RecoverCart did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryKind {
    /// The recovered cart became the shopper's cart.
    TakenOver,
    /// Its lines were merged into the shopper's cart.
    Merged,
    /// It was already the shopper's: nothing changed.
    AlreadyRecovered,
    /// By device: the shopper's own cart has lines; nothing was looked up.
    HasOwnCart,
    /// By device: no cart alike enough.
    NoMatch,
    /// By device: several carts alike enough; none taken.
    Ambiguous,
}

/// RecoverCart's answer beyond the cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recovery {
    /// What happened.
    pub kind: RecoveryKind,
    /// The recovered cart, when one was.
    pub recovered: Option<CartId>,
    /// AMBIGUOUS: how many carts reached the threshold.
    pub candidates: u32,
}

/// What RecoverCart leaves: the shopper's cart, and what it did.
pub type Recovered = (CartWritten, Recovery);

super::output::plain_outputs!(Recovery);

/// The cart to recover, as resolved before the transaction.
#[derive(Debug, Clone, Copy)]
enum Target {
    Cart(CartId),
    Nothing(RecoveryKind, u32),
}

impl CartService {
    /// Makes the cart of `source` the shopper's (see the module
    /// documentation and `RecoverCart` in the proto).
    ///
    /// # Errors
    /// `RecoveryDisabled`, `RecoveryTokenInvalid`, `RecoveryTokenExpired`,
    /// `CartNotFound`, `CartNotActive`, `CartExpired`, `SignInRequired`; the
    /// write pipeline's errors.
    #[tracing::instrument(skip_all)]
    pub async fn recover_cart(
        &self,
        shopper: &Shopper,
        source: RecoverySource,
        device: Option<&DeviceSignals>,
        opts: &WriteOptions<Recovered>,
    ) -> Result<Written<Recovered>, ServiceError> {
        let (target, via) = match &source {
            RecoverySource::Token(token) => (self.token_target(token)?, RecoveredVia::Token),
            RecoverySource::Device(device) => (
                self.device_target(shopper, device).await?,
                RecoveredVia::Device,
            ),
        };
        let mut touches = vec![Touches::ActiveCart(shopper)];
        if let Target::Cart(id) = target {
            touches.push(Touches::Cart(id));
        }
        let catalog = self.prefetch(touches);
        let step = Recover {
            shopper,
            target,
            via,
            device,
        };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }

    /// The token signer; `RecoveryDisabled` without keys.
    fn signer(&self) -> Result<&Signer, Rejection> {
        self.recovery
            .signer
            .as_ref()
            .ok_or(Rejection::RecoveryDisabled)
    }

    /// The cart a recovery token names.
    fn token_target(&self, token: &str) -> Result<Target, ServiceError> {
        match self.signer()?.verify(token, self.clock.now()) {
            Ok(Claim::Recover { cart_id, .. }) => Ok(Target::Cart(cart_id)),
            Ok(Claim::Unsubscribe { .. }) | Err(TokenError::Invalid) => {
                Err(Rejection::RecoveryTokenInvalid.into())
            }
            Err(TokenError::Expired) => Err(Rejection::RecoveryTokenExpired.into()),
        }
    }

    /// The one guest cart of the last window alike enough to `device`, if
    /// exactly one is and the shopper has no lines of their own.
    async fn device_target(
        &self,
        shopper: &Shopper,
        device: &DeviceSignals,
    ) -> Result<Target, ServiceError> {
        let conn = self.db.conn();
        if !carts::active_variant_ids(conn, shopper).await?.is_empty() {
            return Ok(Target::Nothing(RecoveryKind::HasOwnCart, 0));
        }
        let Some(hasher) = &self.recovery.hasher else {
            return Ok(Target::Nothing(RecoveryKind::NoMatch, 0));
        };
        let hashes = hasher.device(device);
        let threshold = self.recovery.fingerprint_threshold;
        let search = DeviceSearch {
            device: &hashes,
            changed_after: self.clock.now() - self.recovery.fingerprint_window,
            not_session: &shopper.session_id,
            threshold,
        };
        let alike: Vec<CartId> = devices::device_candidates(conn, &search)
            .await?
            .into_iter()
            .filter(|(_, stored)| similarity(&hashes, stored) >= threshold)
            .map(|(id, _)| id)
            .collect();
        Ok(match alike.as_slice() {
            [] => Target::Nothing(RecoveryKind::NoMatch, 0),
            [one] => Target::Cart(*one),
            many => Target::Nothing(
                RecoveryKind::Ambiguous,
                u32::try_from(many.len()).unwrap_or(u32::MAX),
            ),
        })
    }

    /// Stops recovery e-mail to the address of an unsubscribe token.
    /// Repeating it succeeds.
    ///
    /// # Errors
    /// `RecoveryDisabled`, `RecoveryTokenInvalid`; storage failures.
    #[tracing::instrument(skip_all)]
    pub async fn unsubscribe_recovery(&self, token: &str) -> Result<(), ServiceError> {
        match self.signer()?.verify(token, self.clock.now()) {
            Ok(Claim::Unsubscribe { address_hash }) => {
                let new =
                    recovery::unsubscribe(self.db.conn(), &address_hash, self.clock.now()).await?;
                tracing::info!(new, "recovery e-mail unsubscribed");
                Ok(())
            }
            Ok(Claim::Recover { .. }) | Err(_) => Err(Rejection::RecoveryTokenInvalid.into()),
        }
    }
}

/// The transaction of a recovery.
struct Recover<'a> {
    shopper: &'a Shopper,
    target: Target,
    via: RecoveredVia,
    /// Stored on the guest cart the recovery leaves.
    device: Option<&'a DeviceSignals>,
}

impl Step for Recover<'_> {
    /// The recovered cart (by id, any status) and the shopper's active cart.
    type Locked = (Option<Cart>, Option<Cart>);
    type Output = (CartOutcome, Recovery);

    /// Locks the recovered cart, then the shopper's. The caller's
    /// `expected_version` is the shopper's cart's.
    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let recovered = match self.target {
            Target::Cart(id) => carts::find_by_id(ctx.tx(), id, true).await?,
            Target::Nothing(..) => None,
        };
        let own = lock_active(ctx, self.shopper).await?;
        let version = own.as_ref().map_or(0, |c| c.version);
        Ok(((recovered, own), version))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<Self::Output, ServiceError> {
        let outcome = self.recover(ctx, locked).await?;
        ctx.keep_device(outcome.0.cart.as_ref(), self.device)
            .await?;
        Ok(outcome)
    }
}

impl Recover<'_> {
    async fn recover(
        &self,
        ctx: &Ctx<'_>,
        locked: (Option<Cart>, Option<Cart>),
    ) -> Result<(CartOutcome, Recovery), ServiceError> {
        let (recovered, own) = locked;
        let own_lines = match &own {
            Some(cart) => lines::of_cart(ctx.tx(), cart).await?,
            None => Vec::new(),
        };
        let id = match self.target {
            Target::Cart(id) => id,
            Target::Nothing(kind, candidates) => {
                return Ok(answer(own, own_lines, kind, None, candidates));
            }
        };
        let cart = recovered.ok_or(Rejection::CartNotFound(id))?;
        let own_id = own.as_ref().map(|c| c.id);
        let already = own_id == Some(cart.id)
            || (cart.status == CartStatus::Merged
                && own_id.is_some()
                && cart.merged_into == own_id);
        if already {
            return Ok(answer(
                own,
                own_lines,
                RecoveryKind::AlreadyRecovered,
                Some(id),
                0,
            ));
        }
        refuse_unrecoverable(&cart, self.shopper, ctx)?;
        let from_session_id = cart.session_id.clone();
        let recovered_event = |into_cart_id| Event::Recovered {
            from_session_id: from_session_id.clone(),
            to_session_id: self.shopper.session_id.clone(),
            via: self.via,
            into_cart_id,
        };
        let signed_in = SignedIn::new(self.shopper.clone());
        let outcome = match (signed_in, own) {
            (_, Some(own)) if !own_lines.is_empty() || own.customer_id.is_some() => {
                let into = Some(own.id);
                let merged = combine(
                    ctx,
                    cart,
                    own,
                    MergeStrategy::Merge,
                    vec![recovered_event(into)],
                )
                .await?;
                with_kind(merged, RecoveryKind::Merged, id)
            }
            (Some(customer), _) => {
                let mut cart = cart;
                ctx.announce(&cart);
                cart.session_id = self.shopper.session_id.clone();
                let linked = link(ctx, cart, &customer, vec![recovered_event(None)]).await?;
                with_kind(linked, RecoveryKind::TakenOver, id)
            }
            (None, own) => {
                let event = recovered_event(None);
                let taken = take_over(ctx, cart, own, self.shopper, event).await?;
                with_kind(taken, RecoveryKind::TakenOver, id)
            }
        };
        Ok(outcome)
    }
}

/// Refuses a cart that can no longer be recovered by this shopper.
fn refuse_unrecoverable(cart: &Cart, shopper: &Shopper, ctx: &Ctx<'_>) -> Result<(), Rejection> {
    if cart.status != CartStatus::Active {
        return Err(Rejection::CartNotActive {
            cart_id: cart.id,
            status: cart.status,
        });
    }
    if cart.is_expired(ctx.now) {
        return Err(Rejection::CartExpired(cart.id));
    }
    // A customer's active cart is the shopper's own when they are that
    // customer (answered above): anyone else must sign in as them.
    if cart.customer_id.is_some() && cart.customer_id != shopper.customer_id {
        return Err(Rejection::SignInRequired(cart.id));
    }
    Ok(())
}

/// A guest session whose cart has no lines takes `cart` as its own; its
/// empty cart ends merged into it.
async fn take_over(
    ctx: &Ctx<'_>,
    mut cart: Cart,
    own: Option<Cart>,
    shopper: &Shopper,
    recovered: Event,
) -> Result<CartOutcome, ServiceError> {
    if let Some(mut empty) = own {
        empty.status = CartStatus::Merged;
        empty.merged_into = Some(cart.id);
        let merged_into = Event::MergedInto {
            into_cart_id: cart.id,
            strategy: MergeStrategy::Merge,
        };
        ctx.write_cart(&mut empty, false, &[], vec![merged_into])
            .await?;
    }
    // The session that had the cart is told it left.
    ctx.announce(&cart);
    cart.session_id = shopper.session_id.clone();
    ctx.write_cart(&mut cart, false, &[], vec![recovered])
        .await?;
    let lines = lines::of_cart(ctx.tx(), &cart).await?;
    Ok(CartOutcome::of(Some(cart), lines))
}

fn answer(
    cart: Option<Cart>,
    lines: Vec<Line>,
    kind: RecoveryKind,
    recovered: Option<CartId>,
    candidates: u32,
) -> (CartOutcome, Recovery) {
    let recovery = Recovery {
        kind,
        recovered,
        candidates,
    };
    (CartOutcome::of(cart, lines), recovery)
}

fn with_kind(
    outcome: CartOutcome,
    kind: RecoveryKind,
    recovered: CartId,
) -> (CartOutcome, Recovery) {
    let recovery = Recovery {
        kind,
        recovered: Some(recovered),
        candidates: 0,
    };
    (outcome, recovery)
}
