//! One call of a scenario, checked: what every run, timed or counted, sends.

use crate::client::*;
use crate::options::*;
use cart_client::proto as pb;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// One call of the scenario; `worker` and its `seq`-th call pick the data.
pub(crate) async fn one_call(
    shared: &Shared,
    worker: usize,
    seq: u64,
    cart: &Cart,
    health: &mut HealthClient<Channel>,
) -> Outcome {
    let n = shared.next();
    let keyed = shared.options.keyed;
    match shared.options.scenario {
        Scenario::Health => check_health(health).await,
        Scenario::GetCart => {
            let filled = &shared.carts[n as usize % shared.carts.len()];
            get_cart(cart, filled).await
        }
        Scenario::AddItem => {
            // Each worker its own sessions, a fresh one every `lines` adds, each
            // add another variant: no two calls in flight share a cart.
            let session = format!(
                "lg-{}-add-{worker}-{}",
                shared.run,
                seq / shared.options.lines as u64
            );
            let product = &shared.products[(seq as usize + worker) % shared.products.len()];
            add_item(cart, &session, product, keyed).await
        }
        Scenario::Mixed => {
            let filled = &shared.carts[n as usize % shared.carts.len()];
            match fastrand::u32(0..100) {
                0..70 => get_cart(cart, filled).await,
                70..90 => {
                    let product = &shared.products[fastrand::usize(0..shared.products.len())];
                    add_item(cart, &filled.session, product, keyed).await
                }
                90..95 => update_item(cart, filled, keyed).await,
                _ => validate(cart, filled).await,
            }
        }
        Scenario::UpdateItem => {
            let filled = &shared.carts[n as usize % shared.carts.len()];
            update_item(cart, filled, keyed).await
        }
        Scenario::Validate => {
            let filled = &shared.carts[n as usize % shared.carts.len()];
            validate(cart, filled).await
        }
    }
}

/// Validate of `filled`: the answer must hold its lines.
async fn validate(cart: &Cart, filled: &Filled) -> Outcome {
    let response = cart
        .validate(pb::ValidateRequest {
            shopper: shopper(&filled.session),
        })
        .await
        .map_err(|e| failed(&e))?;
    match response.cart {
        Some(c) if !c.items.is_empty() => Ok(()),
        _ => Err(Failure::WrongAnswer),
    }
}

/// Health/Check on `""`: must be SERVING.
async fn check_health(health: &mut HealthClient<Channel>) -> Outcome {
    let response = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .map_err(|s| failed(&s.into()))?;
    if response.into_inner().status == ServingStatus::Serving as i32 {
        Ok(())
    } else {
        Err(Failure::WrongAnswer)
    }
}

/// UpdateItem of a random line of `filled` to 1–5 units: the answer must
/// show the new quantity.
async fn update_item(cart: &Cart, filled: &Filled, keyed: bool) -> Outcome {
    let item_id = filled.items[fastrand::usize(0..filled.items.len())].clone();
    let quantity = fastrand::i32(1..=5);
    let response = cart
        .update_item(pb::UpdateItemRequest {
            shopper: shopper(&filled.session),
            item_id: item_id.clone(),
            quantity,
            request_id: request_id(keyed),
            ..Default::default()
        })
        .await
        .map_err(|e| failed(&e))?;
    let updated = response.cart.is_some_and(|c| {
        c.items
            .iter()
            .any(|i| i.id == item_id && i.quantity == quantity)
    });
    if updated {
        Ok(())
    } else {
        Err(Failure::WrongAnswer)
    }
}
