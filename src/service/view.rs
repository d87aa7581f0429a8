//! Cart views as the use cases build them: the catalog asked with one batched
//! lookup (never once per line), and a view built from what it said.

use std::collections::BTreeSet;

use super::{CartService, ServiceError};
use crate::domain::cart::{Cart, Line};
use crate::domain::catalog::CatalogSnapshot;
use crate::domain::ids::VariantId;
use crate::domain::view::{self, CartView};
use crate::storage::lines;

impl CartService {
    /// Asks the catalog about `ids`, once; an unanswered lookup becomes
    /// [`CatalogSnapshot::Unavailable`] (logged), for the rules and the view to
    /// handle.
    pub(super) async fn lookup<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a VariantId>,
    ) -> CatalogSnapshot {
        let ids: Vec<VariantId> = ids
            .into_iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if ids.is_empty() {
            return CatalogSnapshot::Answered(Default::default());
        }
        match self.catalog.variants(&ids).await {
            Ok(mut found) => CatalogSnapshot::Answered(
                ids.into_iter()
                    .map(|id| {
                        let variant = found.remove(&id);
                        (id, variant)
                    })
                    .collect(),
            ),
            Err(error) => {
                // Reads then show the stored snapshots; writes that need fresh
                // data fail with CATALOG_UNAVAILABLE. The caller decides.
                tracing::warn!(%error, "catalog lookup failed");
                CatalogSnapshot::Unavailable
            }
        }
    }

    /// The view of `cart` (or the empty view), its lines read and the catalog
    /// asked once.
    pub(super) async fn view_of(&self, cart: Option<Cart>) -> Result<CartView, ServiceError> {
        let lines = match &cart {
            Some(cart) => lines::of_cart(self.db.conn(), cart).await?,
            None => Vec::new(),
        };
        Ok(self.view_of_lines(cart, lines).await)
    }

    /// The view of `cart` with `lines`, the catalog asked once about all of
    /// them.
    pub(super) async fn view_of_lines(&self, cart: Option<Cart>, lines: Vec<Line>) -> CartView {
        let snapshot = self.lookup(lines.iter().map(|l| &l.variant_id)).await;
        view::build(
            cart,
            lines,
            &snapshot,
            &self.policy.view,
            &self.demand.current(),
        )
    }

    /// The view of `cart` with `lines`, asking the catalog only about variants
    /// `snapshot` does not cover (lines another call added meanwhile).
    pub(super) async fn view_with(
        &self,
        cart: Option<Cart>,
        lines: Vec<Line>,
        mut snapshot: CatalogSnapshot,
    ) -> CartView {
        let unknown = snapshot.not_asked(lines.iter().map(|l| &l.variant_id));
        if !unknown.is_empty() {
            snapshot.extend(self.lookup(&unknown).await);
        }
        view::build(
            cart,
            lines,
            &snapshot,
            &self.policy.view,
            &self.demand.current(),
        )
    }
}
