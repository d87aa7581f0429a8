//! Lists: saved for later and wish lists, lines moved between cart and list
//! atomically, the guest's list merged at sign-in; every refusal changes
//! nothing.

use cart_client::proto::{self as pb, ErrorReason};
use cart_service::domain::ids::VariantId;
use rust_decimal::Decimal;
use tonic::Code;

use crate::db_test;
use crate::support::*;

fn to_list(who: Option<pb::Shopper>, item: &str, list: &str) -> pb::MoveItemToListRequest {
    pb::MoveItemToListRequest {
        shopper: who,
        item_id: item.into(),
        list_id: list.into(),
        ..Default::default()
    }
}

fn to_cart(who: Option<pb::Shopper>, item: &str) -> pb::MoveListItemToCartRequest {
    pb::MoveListItemToCartRequest {
        shopper: who,
        list_item_id: item.into(),
        ..Default::default()
    }
}

fn save(
    app: &TestApp,
    who: Option<pb::Shopper>,
    list: &str,
    variant: &str,
    quantity: i32,
) -> pb::AddListItemRequest {
    pb::AddListItemRequest {
        shopper: who,
        list_id: list.into(),
        product_id: app.product_of(variant),
        variant_id: variant.into(),
        quantity,
        ..Default::default()
    }
}

/// The shopper's lists.
async fn lists(app: &TestApp, who: Option<pb::Shopper>) -> Vec<pb::ShoppingList> {
    let request = pb::GetListsRequest { shopper: who };
    app.cart.get_lists(request).await.expect("lists").lists
}

/// The one item of the shopper's saved-for-later list.
async fn saved_item(app: &TestApp, who: Option<pb::Shopper>) -> pb::CartItem {
    let saved = lists(app, who).await.remove(0);
    assert_eq!(saved.r#type(), pb::ShoppingListType::SavedForLater);
    assert_eq!(saved.items.len(), 1, "{saved:?}");
    saved.items[0].item.clone().expect("item")
}

/// The event types of a list's log, in order.
async fn list_events(app: &TestApp, list_id: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = app.db.get_database_backend();
    let param = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let id = uuid::Uuid::parse_str(list_id).expect("list id");
    let sql = format!("SELECT event_type FROM list_events WHERE list_id = {param} ORDER BY seq");
    let rows = app
        .db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await
        .expect("list events");
    rows.iter()
        .map(|r| r.try_get::<String>("", "event_type").expect("type"))
        .collect()
}

fn variant(id: &str) -> VariantId {
    VariantId::parse(id).expect("id")
}

db_test!(a_line_saved_for_later_comes_back_at_todays_price, |app| {
    let who = shopper("s1");
    let cart = app.add(who.clone(), "var-classic-tee-m", 2).await.unwrap();
    let line = cart.items[0].id.clone();
    let moved = app
        .cart
        .move_item_to_list(to_list(who.clone(), &line, ""))
        .await
        .expect("saved for later");
    let after = moved.cart.expect("cart");
    assert!(after.items.is_empty(), "the line left the cart");
    assert_eq!(after.version, cart.version + 1);
    let list = moved.list.expect("list");
    assert_eq!(list.r#type(), pb::ShoppingListType::SavedForLater);
    let item = list.items[0].item.clone().expect("item");
    assert_eq!(
        (item.variant_id.as_str(), item.quantity),
        ("var-classic-tee-m", 2)
    );
    assert_eq!(amount(&item.unit_price), "19.99", "the price when saved");

    app.catalog.update(&variant("var-classic-tee-m"), |v| {
        v.price.amount = Decimal::new(1799, 2);
    });
    let shown = saved_item(&app, who.clone()).await;
    assert_eq!(amount(&shown.current_price), "17.99");
    assert!(shown.price_changed);

    let back = app
        .cart
        .move_list_item_to_cart(to_cart(who.clone(), &item.id))
        .await
        .expect("back in the cart");
    let cart = back.cart.expect("cart");
    assert_eq!(cart.items.len(), 1);
    assert_eq!(cart.items[0].quantity, 2);
    assert_eq!(amount(&cart.items[0].unit_price), "17.99", "today's price");
    let repriced = &back.adjustments[0];
    assert_eq!(repriced.r#type(), pb::CartAdjustmentType::PriceUpdated);
    assert_eq!(
        (amount(&repriced.old_price), amount(&repriced.new_price)),
        ("19.99".to_owned(), "17.99".to_owned())
    );
    assert!(back.list.expect("list").items.is_empty());

    let kinds: Vec<String> = app
        .events(&cart.id)
        .await
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert!(
        kinds.contains(&"item_moved_to_list".to_owned()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"item_moved_from_list".to_owned()),
        "{kinds:?}"
    );
    assert_eq!(
        list_events(&app, &list.id).await,
        ["list_created", "list_item_saved", "list_item_removed"]
    );
});

db_test!(
    an_item_moved_to_the_cart_is_clamped_to_stock_and_refused_when_none_fits,
    |app| {
        let who = shopper("s1");
        // Five Large tees saved; three in stock.
        app.cart
            .add_list_item(save(&app, who.clone(), "", "var-classic-tee-l", 5))
            .await
            .expect("saved");
        let item = saved_item(&app, who.clone()).await;
        let back = app
            .cart
            .move_list_item_to_cart(to_cart(who.clone(), &item.id))
            .await
            .expect("moved");
        let cart = back.cart.expect("cart");
        assert_eq!(cart.items[0].quantity, 3);
        let clamp = &back.adjustments[0];
        assert_eq!(clamp.r#type(), pb::CartAdjustmentType::QuantityClamped);
        assert_eq!((clamp.requested_quantity, clamp.quantity), (5, 3));

        // Saved again while the cart holds all three: nothing can move.
        app.cart
            .add_list_item(save(&app, who.clone(), "", "var-classic-tee-l", 1))
            .await
            .expect("saved");
        let item = saved_item(&app, who.clone()).await;
        let (error, _) = expect_code(
            app.cart
                .move_list_item_to_cart(to_cart(who.clone(), &item.id))
                .await,
            Code::FailedPrecondition,
        );
        assert_eq!(error.reason(), ErrorReason::OutOfStock);
        assert_eq!(error.metadata("available_quantity"), Some("3"));
        assert_eq!(
            saved_item(&app, who.clone()).await.id,
            item.id,
            "still saved"
        );
        assert_eq!(app.get(who).await.version, cart.version, "cart unchanged");
    }
);

db_test!(
    two_concurrent_moves_of_one_line_leave_it_in_exactly_one_place,
    |app| {
        let who = customer("phone", "ada");
        let cart = app.add(who.clone(), "var-hoodie-grey-m", 2).await.unwrap();
        let wish = app
            .cart
            .create_wish_list(pb::CreateWishListRequest {
                shopper: who.clone(),
                name: "Birthday".into(),
                ..Default::default()
            })
            .await
            .expect("wish list")
            .list
            .expect("list");
        let line = cart.items[0].id.clone();
        let (a, b) = tokio::join!(
            app.cart.move_item_to_list(to_list(who.clone(), &line, "")),
            app.cart
                .move_item_to_list(to_list(who.clone(), &line, &wish.id)),
        );
        let (won, lost) = match (a, b) {
            (Ok(_), Err(lost)) => ("", lost),
            (Err(lost), Ok(_)) => (wish.id.as_str(), lost),
            other => panic!("exactly one move succeeds: {other:?}"),
        };
        let (error, _) = expect_code(Err::<(), _>(lost), Code::NotFound);
        assert_eq!(error.reason(), ErrorReason::ItemNotFound);
        assert!(app.get(who.clone()).await.items.is_empty());
        let all = lists(&app, who).await;
        let holding: Vec<&pb::ShoppingList> = all.iter().filter(|l| !l.items.is_empty()).collect();
        assert_eq!(holding.len(), 1, "{all:?}");
        assert_eq!(holding[0].items[0].item.as_ref().unwrap().quantity, 2);
        if !won.is_empty() {
            assert_eq!(holding[0].id, won);
        }
    }
);

db_test!(a_variant_saved_twice_is_one_item, |app| {
    let who = shopper("s1");
    app.cart
        .add_list_item(save(&app, who.clone(), "", "var-hoodie-navy-m", 60))
        .await
        .expect("an out-of-stock variant can be saved");
    let mut again = save(&app, who.clone(), "", "var-hoodie-navy-m", 60);
    again.note = "size up".into();
    let answer = app.cart.add_list_item(again).await.expect("saved");
    let list = answer.list.expect("list");
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].note, "size up");
    let item = list.items[0].item.as_ref().unwrap();
    assert_eq!(item.quantity, 100);
    assert_eq!(item.availability(), pb::Availability::OutOfStock);
    let clamp = &answer.adjustments[0];
    assert_eq!((clamp.requested_quantity, clamp.quantity), (120, 100));
});

db_test!(guest_lists_join_the_customers_at_sign_in, |app| {
    let mine = customer("laptop", "ada");
    app.cart
        .add_list_item(save(&app, mine.clone(), "", "var-socks-3pack", 1))
        .await
        .expect("customer saved");
    let guest = shopper("phone");
    for (variant, quantity) in [("var-socks-3pack", 2), ("var-yoga-mat-std", 1)] {
        app.cart
            .add_list_item(save(&app, guest.clone(), "", variant, quantity))
            .await
            .expect("guest saved");
    }
    let guest_list = lists(&app, guest.clone()).await.remove(0);
    // Signed in on the phone, without a guest cart.
    app.merge(customer("phone", "ada"), "", pb::MergeStrategy::Merge)
        .await
        .expect("merged");
    let saved = lists(&app, mine).await.remove(0);
    let mut got: Vec<(String, i32)> = saved
        .items
        .iter()
        .map(|i| {
            let item = i.item.as_ref().unwrap();
            (item.variant_id.clone(), item.quantity)
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("var-socks-3pack".to_owned(), 3),
            ("var-yoga-mat-std".to_owned(), 1)
        ]
    );
    let left = lists(&app, guest).await;
    assert!(
        left[0].id.is_empty() && left[0].items.is_empty(),
        "{left:?}"
    );
    assert_eq!(
        list_events(&app, &guest_list.id).await.last().unwrap(),
        "list_merged"
    );
});

db_test!(wish_lists_are_a_customers_and_named_once, |app| {
    let create = |who: Option<pb::Shopper>, name: &str| pb::CreateWishListRequest {
        shopper: who,
        name: name.into(),
        ..Default::default()
    };
    let (error, _) = expect_code(
        app.cart
            .create_wish_list(create(shopper("s1"), "Gifts"))
            .await,
        Code::FailedPrecondition,
    );
    assert_eq!(error.reason(), ErrorReason::SignInRequired);
    let ada = customer("laptop", "ada");
    let gifts = app
        .cart
        .create_wish_list(create(ada.clone(), "  Gifts "))
        .await
        .expect("made")
        .list
        .expect("list");
    assert_eq!(
        (gifts.name.as_str(), gifts.r#type()),
        ("Gifts", pb::ShoppingListType::WishList)
    );
    let (error, _) = expect_code(
        app.cart
            .create_wish_list(create(ada.clone(), "Gifts"))
            .await,
        Code::AlreadyExists,
    );
    assert_eq!(error.reason(), ErrorReason::ListNameTaken);
    let (_, details) = expect_code(
        app.cart.create_wish_list(create(ada.clone(), " ")).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["name"]);
    // Another shopper cannot use it: NOT_FOUND, as if it did not exist.
    let (error, _) = expect_code(
        app.cart
            .add_list_item(save(
                &app,
                customer("x", "bob"),
                &gifts.id,
                "var-socks-3pack",
                1,
            ))
            .await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ListNotFound);
    app.cart
        .add_list_item(save(&app, ada.clone(), &gifts.id, "var-socks-3pack", 1))
        .await
        .expect("saved");
    app.cart
        .delete_list(pb::DeleteListRequest {
            shopper: ada.clone(),
            list_id: gifts.id.clone(),
            ..Default::default()
        })
        .await
        .expect("deleted");
    let left = lists(&app, ada).await;
    assert_eq!(left.len(), 1, "only saved for later: {left:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM list_items").await,
        0,
        "its items went with it"
    );
});

db_test!(bad_list_requests_change_nothing, |app| {
    let who = shopper("s1");
    let cart = app.add(who.clone(), "var-classic-tee-m", 1).await.unwrap();
    let (_, details) = expect_code(
        app.cart
            .move_item_to_list(to_list(who.clone(), "nope", "also-nope"))
            .await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["item_id", "list_id"]);
    let mut bad = save(&app, who.clone(), "", "var-socks-3pack", 0);
    bad.note = "x".repeat(501);
    let (_, details) = expect_code(app.cart.add_list_item(bad).await, Code::InvalidArgument);
    assert_eq!(bad_fields(&details), ["note", "quantity"]);
    let unknown = uuid::Uuid::now_v7().to_string();
    let (error, _) = expect_code(
        app.cart
            .move_item_to_list(to_list(who.clone(), &unknown, ""))
            .await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ItemNotFound);
    let (error, _) = expect_code(
        app.cart
            .move_list_item_to_cart(to_cart(who.clone(), &unknown))
            .await,
        Code::NotFound,
    );
    assert_eq!(error.reason(), ErrorReason::ListItemNotFound);
    let (error, _) = expect_code(
        app.cart
            .add_list_item(save(&app, who.clone(), "", "var-desk-lamp-std", 1))
            .await,
        Code::FailedPrecondition,
    );
    assert_eq!(error.reason(), ErrorReason::VariantInactive);
    let mut stale = to_list(who.clone(), &cart.items[0].id, "");
    stale.expected_version = Some(cart.version - 1);
    let (error, _) = expect_code(app.cart.move_item_to_list(stale).await, Code::Aborted);
    assert_eq!(error.reason(), ErrorReason::ConcurrentModification);
    assert_eq!(app.get(who.clone()).await.version, cart.version);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM list_items").await, 0);
    // A guest names no wish list of a customer's.
    let lists_now = lists(&app, who).await;
    assert!(lists_now[0].id.is_empty(), "nothing made: {lists_now:?}");
});

db_test!(a_retried_move_is_answered_once, |app| {
    let who = shopper("s1");
    let cart = app.add(who.clone(), "var-classic-tee-m", 1).await.unwrap();
    let mut request = to_list(who.clone(), &cart.items[0].id, "");
    request.request_id = "move-1".into();
    let first = app
        .cart
        .move_item_to_list(request.clone())
        .await
        .expect("moved");
    let again = app.cart.move_item_to_list(request).await.expect("replayed");
    assert_eq!(first, again);
    assert_eq!(saved_item(&app, who).await.quantity, 1);
});

db_test!(a_guest_list_is_purged_after_a_cart_would_be, |app| {
    app.cart
        .add_list_item(save(&app, shopper("s1"), "", "var-socks-3pack", 1))
        .await
        .expect("guest saved");
    app.cart
        .add_list_item(save(&app, customer("s2", "ada"), "", "var-socks-3pack", 1))
        .await
        .expect("customer saved");
    // TTL 30 days + abandoned retention 30 days.
    app.clock.advance(chrono::Duration::days(59));
    assert_eq!(
        app.maintenance
            .run_once()
            .await
            .expect("run")
            .purged_guest_lists,
        0
    );
    app.clock.advance(chrono::Duration::days(2));
    let report = app.maintenance.run_once().await.expect("run");
    assert_eq!(report.purged_guest_lists, 1);
    assert!(lists(&app, shopper("s1")).await[0].items.is_empty());
    assert_eq!(lists(&app, customer("s2", "ada")).await[0].items.len(), 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM list_items").await, 1);
});

db_test!(
    a_customer_has_at_most_twenty_wish_lists_even_made_at_once,
    |app| {
        let ada = customer("laptop", "ada");
        let creates = (0..25).map(|n| {
            app.cart.create_wish_list(pb::CreateWishListRequest {
                shopper: ada.clone(),
                name: format!("List {n}"),
                ..Default::default()
            })
        });
        let results = futures::future::join_all(creates).await;
        let made = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(made, 20);
        for refused in results.into_iter().filter_map(Result::err) {
            let (error, _) = expect_code(Err::<(), _>(refused), Code::FailedPrecondition);
            assert_eq!(error.reason(), ErrorReason::ListLimit);
        }
        assert_eq!(lists(&app, ada).await.len(), 21, "saved for later and 20");
    }
);

db_test!(
    a_line_that_would_pass_100_in_the_list_stays_in_the_cart,
    |app| {
        let who = shopper("s1");
        app.cart
            .add_list_item(save(&app, who.clone(), "", "var-socks-3pack", 99))
            .await
            .expect("saved");
        let cart = app.add(who.clone(), "var-socks-3pack", 2).await.unwrap();
        let (error, _) = expect_code(
            app.cart
                .move_item_to_list(to_list(who.clone(), &cart.items[0].id, ""))
                .await,
            Code::FailedPrecondition,
        );
        assert_eq!(error.reason(), ErrorReason::LineQuantityLimit);
        assert_eq!(
            app.get(who.clone()).await.items[0].quantity,
            2,
            "still in the cart"
        );
        assert_eq!(saved_item(&app, who.clone()).await.quantity, 99);
        // Deleting the saved-for-later list by its empty id.
        app.cart
            .delete_list(pb::DeleteListRequest {
                shopper: who.clone(),
                ..Default::default()
            })
            .await
            .expect("deleted");
        assert!(lists(&app, who).await[0].items.is_empty());
    }
);

db_test!(a_list_item_is_changed_in_place, |app| {
    let who = customer("laptop", "ada");
    let mut first = save(&app, who.clone(), "", "var-socks-3pack", 2);
    first.note = "for Bo".into();
    app.cart.add_list_item(first).await.expect("saved");
    let item = saved_item(&app, who.clone()).await;
    let update = |quantity: Option<i32>, note: Option<&str>| pb::UpdateListItemRequest {
        shopper: who.clone(),
        list_item_id: item.id.clone(),
        quantity,
        note: note.map(str::to_owned),
        ..Default::default()
    };
    let list = app
        .cart
        .update_list_item(update(Some(5), None))
        .await
        .expect("updated")
        .list
        .unwrap();
    assert_eq!(list.items[0].item.as_ref().unwrap().quantity, 5);
    assert_eq!(list.items[0].note, "for Bo", "the note stays");
    let list = app
        .cart
        .update_list_item(update(None, Some("")))
        .await
        .expect("note cleared")
        .list
        .unwrap();
    assert_eq!(
        (
            list.items[0].note.as_str(),
            list.items[0].item.as_ref().unwrap().quantity
        ),
        ("", 5)
    );
    let (_, details) = expect_code(
        app.cart.update_list_item(update(None, None)).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["quantity"]);
    let (_, details) = expect_code(
        app.cart.update_list_item(update(Some(101), None)).await,
        Code::InvalidArgument,
    );
    assert_eq!(bad_fields(&details), ["quantity"]);
    let mut theirs = update(Some(1), None);
    theirs.shopper = customer("x", "bob");
    let (error, _) = expect_code(app.cart.update_list_item(theirs).await, Code::NotFound);
    assert_eq!(error.reason(), ErrorReason::ListItemNotFound);
    assert_eq!(
        saved_item(&app, who).await.quantity,
        5,
        "refusals changed nothing"
    );
    let logged = list_events(&app, &list.id).await;
    assert_eq!(
        logged.iter().filter(|k| *k == "list_item_updated").count(),
        2
    );
});
