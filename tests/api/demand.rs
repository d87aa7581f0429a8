//! HIGH_DEMAND: a line warns when other carts hold as many units as the
//! catalog has left, by the demand job's count (never a count per read).

use cart_client::proto as pb;

use crate::db_test;
use crate::support::*;

/// One tick of the demand job a minute later (a replica recounts a count
/// older than half an interval).
async fn count(app: &TestApp) -> usize {
    app.clock.advance(chrono::Duration::minutes(1));
    app.demand.run_once().await.expect("counted")
}

fn high_demand(cart: &pb::Cart) -> Vec<String> {
    cart.warnings
        .iter()
        .filter(|w| w.r#type() == pb::CartWarningType::HighDemand)
        .map(|w| w.message.clone())
        .collect()
}

db_test!(
    high_demand_appears_and_clears_as_other_carts_change,
    |app| {
        // Two espresso machines in stock.
        let ada = shopper("ada");
        let bob = shopper("bob");
        app.add(ada.clone(), "var-espresso-machine-std", 1)
            .await
            .unwrap();
        let bobs = app
            .add(bob.clone(), "var-espresso-machine-std", 2)
            .await
            .unwrap();
        assert!(
            high_demand(&app.get(ada.clone()).await).is_empty(),
            "not counted yet"
        );

        assert_eq!(count(&app).await, 1);
        // A second tick within half an interval loads the same count.
        assert_eq!(app.demand.run_once().await.expect("loaded"), 1);
        let warned = high_demand(&app.get(ada.clone()).await);
        assert_eq!(
            warned,
            ["high demand: other shoppers' carts hold 2 of the 2 Espresso Machine left"],
        );
        // Bob's own two are not demand by others: Ada's one is fewer than two.
        assert!(high_demand(&app.get(bob.clone()).await).is_empty());

        app.cart
            .remove_item(pb::RemoveItemRequest {
                shopper: bob,
                item_id: bobs.items[0].id.clone(),
                ..Default::default()
            })
            .await
            .expect("removed");
        count(&app).await;
        assert!(
            high_demand(&app.get(ada.clone()).await).is_empty(),
            "cleared"
        );

        // Cy's two warn Ada until Cy's cart expires (Ada keeps hers alive).
        app.add(shopper("cy"), "var-espresso-machine-std", 2)
            .await
            .unwrap();
        count(&app).await;
        assert_eq!(high_demand(&app.get(ada.clone()).await).len(), 1);
        app.clock.advance(chrono::Duration::days(29));
        app.add(ada.clone(), "var-socks-3pack", 1).await.unwrap();
        app.clock.advance(chrono::Duration::days(2));
        count(&app).await;
        assert!(
            high_demand(&app.get(ada).await).is_empty(),
            "an expired cart holds nothing"
        );
    }
);
