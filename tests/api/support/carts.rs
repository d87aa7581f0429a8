//! Carts tests start from, each arrangement written once where several test
//! files need it: a customer's cart and a guest's before they merge, a cart
//! gone stale against the catalog, and a cart whose catalog is down.

use cart_client::proto as pb;
use cart_service::domain::ids::VariantId;
use rust_decimal::Decimal;

use super::client::{customer, shopper};
use super::harness::TestApp;

impl TestApp {
    /// Customer `customer_id`'s cart, filled from another device (session
    /// "phone") with `lines`: each `(variant, quantity)` added in order.
    /// Returns the cart as the last add left it.
    ///
    /// # Panics
    /// When `lines` is empty or an add fails.
    pub async fn customer_adds(&self, customer_id: &str, lines: &[(&str, i32)]) -> pb::Cart {
        let mut cart = None;
        for &(variant, quantity) in lines {
            let who = customer("phone", customer_id);
            cart = Some(self.add(who, variant, quantity).await.expect("customer"));
        }
        cart.expect("at least one line")
    }

    /// Guest `session`'s cart, filled with `lines`: each `(variant,
    /// quantity)` added in order. Returns the cart as the last add left it.
    ///
    /// # Panics
    /// When `lines` is empty or an add fails.
    pub async fn guest_adds(&self, session: &str, lines: &[(&str, i32)]) -> pb::Cart {
        let mut cart = None;
        for &(variant, quantity) in lines {
            let who = shopper(session);
            cart = Some(self.add(who, variant, quantity).await.expect("guest"));
        }
        cart.expect("at least one line")
    }

    /// Signs guest `session` in as customer `customer_id` and merges the
    /// session's cart into the customer's with `strategy`.
    ///
    /// # Panics
    /// When the merge fails.
    pub async fn merge_guest(
        &self,
        session: &str,
        customer_id: &str,
        strategy: pb::MergeStrategy,
    ) -> pb::MergeGuestCartResponse {
        let who = customer(session, customer_id);
        self.merge(who, "", strategy).await.expect("merged")
    }

    /// Guest `session`'s cart with an e-mail, so that only the catalog
    /// stands between it and checkout, gone stale in the three ways the
    /// catalog can make it: two Classic Tees M whose price then drops from
    /// 19.99 to 17.99; `quantity` of `short` whose stock then falls to
    /// `available`; and a socks 3-pack whose variant then leaves the catalog.
    ///
    /// # Panics
    /// When a write fails.
    pub async fn stale_cart(&self, session: &str, short: &str, quantity: i32, available: i64) {
        self.add(shopper(session), "var-classic-tee-m", 2)
            .await
            .expect("tee");
        self.add(shopper(session), short, quantity)
            .await
            .expect("short of stock");
        self.add(shopper(session), "var-socks-3pack", 1)
            .await
            .expect("socks");
        self.set_email(shopper(session), "ada@example.com")
            .await
            .expect("email");
        self.catalog
            .update(&VariantId::parse("var-classic-tee-m").unwrap(), |v| {
                v.price.amount = Decimal::new(1799, 2)
            });
        let short = VariantId::parse(short).unwrap();
        self.catalog
            .update(&short, |v| v.inventory.available = available);
        self.catalog
            .remove(&VariantId::parse("var-socks-3pack").unwrap());
    }

    /// Guest `session`'s cart of two Classic Tees M, then the catalog server
    /// stopped: a cart to serve while the catalog is down.
    ///
    /// # Panics
    /// When the add fails.
    pub async fn cart_with_the_catalog_down(&mut self, session: &str) {
        self.add(shopper(session), "var-classic-tee-m", 2)
            .await
            .expect("added");
        self.stop_catalog().await;
    }
}
