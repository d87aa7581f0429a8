//! What a write leaves, and how its caller's result is built from it: each
//! step of the pipeline declares its [`Output`], so a use case's result
//! holds what that use case did and nothing else (a list write builds no
//! cart view).

use super::CartService;
use crate::domain::adjustment::Adjustment;
use crate::domain::cart::{Cart, Line};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::demand::Demand;
use crate::domain::list::{self, ListItem, ListView, ShoppingList};
use crate::domain::view::{self, CartView, ViewSettings};

/// A cart write's result: the cart afterwards, and what was adjusted on the
/// shopper's behalf.
#[derive(Debug, Clone, PartialEq)]
pub struct CartWritten {
    /// The cart afterwards.
    pub view: CartView,
    /// Lines a rule changed or dropped on the shopper's behalf.
    pub adjustments: Vec<Adjustment>,
}

/// What a cart write's transaction leaves.
#[derive(Debug, Default)]
pub(super) struct CartOutcome {
    /// The cart afterwards (`None`: the shopper still has none).
    pub cart: Option<Cart>,
    /// Its lines.
    pub lines: Vec<Line>,
    /// Lines changed or dropped on the shopper's behalf.
    pub adjustments: Vec<Adjustment>,
}

impl CartOutcome {
    /// `cart` with `lines`, nothing adjusted.
    pub fn of(cart: Option<Cart>, lines: Vec<Line>) -> Self {
        Self {
            cart,
            lines,
            adjustments: Vec::new(),
        }
    }
}

/// A list write's outcome: the list written, with its items (`None`: none,
/// e.g. a list deleted).
#[derive(Debug, Default)]
pub(super) struct ListOutcome(pub Option<(ShoppingList, Vec<ListItem>)>);

/// What the result of an output is built from inside the transaction.
pub(super) struct Answering<'a> {
    pub snapshot: &'a CatalogSnapshot,
    pub settings: &'a ViewSettings,
    pub demand: &'a Demand,
}

/// What a step's transaction leaves, and how the caller's result is built
/// from it.
pub(super) trait Output: Sized {
    /// The caller's result.
    type Result;

    /// The result from what the catalog said before the transaction (inside
    /// it, to be remembered with a request id: no network call while a cart
    /// is locked).
    fn answer_now(self, answering: &Answering<'_>) -> Self::Result;

    /// The result after commit, asking the catalog about lines it was not
    /// asked about before.
    async fn answer_later(self, service: &CartService, snapshot: &CatalogSnapshot) -> Self::Result;
}

impl Output for CartOutcome {
    type Result = CartWritten;

    fn answer_now(self, a: &Answering<'_>) -> CartWritten {
        let view = view::build(self.cart, self.lines, a.snapshot, a.settings, a.demand);
        CartWritten {
            view,
            adjustments: self.adjustments,
        }
    }

    async fn answer_later(self, service: &CartService, snapshot: &CatalogSnapshot) -> CartWritten {
        let view = service
            .view_with(self.cart, self.lines, snapshot.clone())
            .await;
        CartWritten {
            view,
            adjustments: self.adjustments,
        }
    }
}

impl Output for ListOutcome {
    type Result = Option<ListView>;

    fn answer_now(self, a: &Answering<'_>) -> Option<ListView> {
        let (list, items) = self.0?;
        Some(list::view(Some(list), items, a.snapshot, a.settings))
    }

    async fn answer_later(self, s: &CartService, snapshot: &CatalogSnapshot) -> Option<ListView> {
        let (list, items) = self.0?;
        Some(list::view(Some(list), items, snapshot, &s.policy.view))
    }
}

/// Data a step returns as it is (what a merge or a recovery did).
macro_rules! plain_outputs {
    ($($plain:ty),* $(,)?) => {$(
        impl $crate::service::output::Output for $plain {
            type Result = Self;
            fn answer_now(self, _: &$crate::service::output::Answering<'_>) -> Self {
                self
            }
            async fn answer_later(
                self,
                _: &$crate::service::CartService,
                _: &$crate::domain::catalog::CatalogSnapshot,
            ) -> Self {
                self
            }
        }
    )*};
}
pub(super) use plain_outputs;

plain_outputs!((), bool, Vec<Adjustment>);

impl<A: Output, B: Output> Output for (A, B) {
    type Result = (A::Result, B::Result);

    fn answer_now(self, a: &Answering<'_>) -> Self::Result {
        (self.0.answer_now(a), self.1.answer_now(a))
    }

    async fn answer_later(self, s: &CartService, snapshot: &CatalogSnapshot) -> Self::Result {
        (
            self.0.answer_later(s, snapshot).await,
            self.1.answer_later(s, snapshot).await,
        )
    }
}
