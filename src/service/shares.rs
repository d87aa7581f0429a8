//! Shared carts: CreateCartShare, RevokeCartShare, GetSharedCart and
//! CopySharedCart.
//!
//! A share names one of the shopper's carts by an unguessable token (see
//! [`crate::domain::share`]); it works while it is neither revoked nor
//! expired and its cart is active. The shared view carries no personal
//! data: no ids of the owner, no e-mail, and no line metadata (it may hold a
//! gift message), and a copy leaves the metadata behind too.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};

use super::idempotency::Scope;
use super::output::{CartOutcome, CartWritten};
use super::own_cart::{lock_active, own_or_new};
use super::prefetch::Touches;
use super::write::{Ctx, Step, WriteOptions, Written};
use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, CartStatus, Line, Shopper};
use crate::domain::event::Event;
use crate::domain::ids::ShareId;
use crate::domain::rules::{self, Rejection};
use crate::domain::share::{Share, ShareToken};
use crate::domain::view::CartView;
use crate::storage::{Executor, carts, lines, shares};

/// Most shares ListCartShares returns.
const MAX_LISTED_SHARES: u64 = 100;

impl CartService {
    /// Makes a share link of the shopper's active cart, expiring after
    /// `ttl` when given. The token is returned once and stored only hashed.
    ///
    /// # Errors
    /// `NothingToShare` without a cart or lines; storage failures.
    pub async fn create_share(
        &self,
        shopper: &Shopper,
        ttl: Option<Duration>,
    ) -> Result<(Share, ShareToken), ServiceError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let cart = carts::find_active(&tx, shopper, true)
            .await?
            .filter(|c| !c.is_expired(now))
            .ok_or(Rejection::NothingToShare)?;
        if lines::of_cart(&tx, &cart).await?.is_empty() {
            return Err(Rejection::NothingToShare.into());
        }
        let token = ShareToken::new();
        let share = Share::new(cart.id, ttl, now);
        shares::insert(&tx, &share, &token).await?;
        let created = Event::ShareCreated {
            share_id: share.id,
            expires_at: share.expires_at,
        };
        carts::record(&tx, cart.id, &[created], now).await?;
        tx.commit().await?;
        Ok((share, token))
    }

    /// The newest shares (at most 100) of the shopper's active cart.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn list_shares(&self, shopper: &Shopper) -> Result<Vec<Share>, ServiceError> {
        let conn = self.db.conn();
        let now = self.clock.now();
        let Some(cart) = carts::find_active(conn, shopper, false)
            .await?
            .filter(|c| !c.is_expired(now))
        else {
            return Ok(Vec::new());
        };
        Ok(shares::of_cart(conn, cart.id, MAX_LISTED_SHARES).await?)
    }

    /// Revokes share `id` of one of the shopper's carts; revoking a revoked
    /// share changes nothing.
    ///
    /// # Errors
    /// `ShareIdNotFound` unless it shares one of the shopper's carts.
    pub async fn revoke_share(&self, shopper: &Shopper, id: ShareId) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let share = shares::find(&tx, id)
            .await?
            .ok_or(Rejection::ShareIdNotFound(id))?;
        let cart = carts::find_by_id(&tx, share.cart_id, true).await?;
        if !cart.is_some_and(|c| c.is_owned_by(shopper)) {
            return Err(Rejection::ShareIdNotFound(id).into());
        }
        if shares::revoke(&tx, id, now).await? {
            let revoked = Event::ShareRevoked { share_id: id };
            carts::record(&tx, share.cart_id, &[revoked], now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The cart `token` shares, as anyone with the link sees it: today's
    /// catalog data, without the owner's data (the caller strips the
    /// header) and without line metadata.
    ///
    /// # Errors
    /// `ShareNotFound`; storage failures.
    pub async fn get_shared_cart(
        &self,
        token: &ShareToken,
    ) -> Result<(Share, CartView), ServiceError> {
        let conn = self.db.conn();
        let (share, cart) = live_share(conn, token, self.clock.now(), false).await?;
        let lines = shared_lines(conn, &cart).await?;
        let view = self.view_of_lines(Some(cart), lines).await;
        Ok((share, view))
    }

    /// Copies the lines of the cart `token` shares into the shopper's cart
    /// (made if needed) at today's prices, by the MERGE rules.
    ///
    /// # Errors
    /// `ShareNotFound`, `ShareOfOwnCart`, `CatalogUnavailable`; the
    /// pipeline's.
    pub async fn copy_shared_cart(
        &self,
        shopper: &Shopper,
        token: ShareToken,
        opts: &WriteOptions<CartWritten>,
    ) -> Result<Written<CartWritten>, ServiceError> {
        // The shared lines are read once, before the transaction, with the
        // catalog lookup that prices them: the copy is of the cart as its
        // owner had committed it then (a line added after has no price yet).
        let shared = OnceLock::new();
        let catalog = async {
            let conn = self.db.conn();
            let (_, from) = live_share(conn, &token, self.clock.now(), false).await?;
            let lines = shared_lines(conn, &from).await?;
            if lines.is_empty() {
                return Err(Rejection::SharedCartEmpty.into());
            }
            let variants = lines.iter().map(|l| l.variant_id.clone()).collect();
            let _ = shared.set(lines);
            (self.prefetch(vec![
                Touches::ActiveCart(shopper),
                Touches::Variants(variants),
            ]))
            .await
        };
        let step = Copy {
            shopper,
            token: &token,
            shared: &shared,
        };
        self.write(Scope::shopper(shopper), opts, catalog, step)
            .await
    }
}

/// The live share `token` names and its active cart.
///
/// # Errors
/// `ShareNotFound` for an unknown, revoked or expired token, or a cart that
/// is no longer active: one answer for all.
async fn live_share(
    conn: &impl Executor,
    token: &ShareToken,
    now: DateTime<Utc>,
    hold: bool,
) -> Result<(Share, Cart), ServiceError> {
    let share = shares::by_token(conn, token, hold)
        .await?
        .filter(|s| s.is_live(now))
        .ok_or(Rejection::ShareNotFound)?;
    let cart = carts::find_by_id(conn, share.cart_id, false)
        .await?
        .filter(|c| c.status == CartStatus::Active && !c.is_expired(now))
        .ok_or(Rejection::ShareNotFound)?;
    Ok((share, cart))
}

/// `cart`'s lines as a share shows them: without their metadata.
async fn shared_lines(conn: &impl Executor, cart: &Cart) -> Result<Vec<Line>, ServiceError> {
    let lines = lines::of_cart(conn, cart).await?;
    Ok(lines
        .into_iter()
        .map(|line| Line {
            metadata: None,
            ..line
        })
        .collect())
}

/// The transaction of CopySharedCart.
struct Copy<'a> {
    shopper: &'a Shopper,
    token: &'a ShareToken,
    /// The shared cart's lines, read with the catalog lookup.
    shared: &'a OnceLock<Vec<Line>>,
}

impl Step for Copy<'_> {
    /// The share (still live), its cart (not locked: its owner keeps
    /// editing), and the shopper's cart, locked.
    type Locked = (Share, Cart, Option<Cart>);
    type Output = CartOutcome;

    async fn lock(&self, ctx: &Ctx<'_>) -> Result<(Self::Locked, i64), ServiceError> {
        let (share, from) = live_share(ctx.tx(), self.token, ctx.now, true).await?;
        if from.is_owned_by(self.shopper) {
            return Err(Rejection::ShareOfOwnCart.into());
        }
        let own = lock_active(ctx, self.shopper).await?;
        let version = own.as_ref().map_or(0, |c| c.version);
        Ok(((share, from, own), version))
    }

    async fn apply(
        &self,
        ctx: &Ctx<'_>,
        locked: Self::Locked,
    ) -> Result<CartOutcome, ServiceError> {
        let (share, from, own) = locked;
        let (mut cart, mut lines, new) = own_or_new(ctx, self.shopper, own).await?;
        let shared = self.shared.get().map_or(&[][..], Vec::as_slice);
        let change = rules::reorder(
            &cart,
            &mut lines,
            shared,
            ctx.snapshot,
            ctx.policy.limits,
            ctx.now,
        )?;
        let mut events = vec![Event::SharedCartCopied {
            share_id: share.id,
            from_cart_id: from.id,
            adjustments: change.adjustments.clone(),
        }];
        events.extend(change.events);
        ctx.write_cart(&mut cart, new, &change.lines, events)
            .await?;
        Ok(CartOutcome {
            adjustments: change.adjustments,
            ..CartOutcome::of(Some(cart), lines)
        })
    }
}
