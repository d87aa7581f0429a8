//! Calling the cart API through the `cart-client` crate, as a Rust BFF does.
//! Who calls ([`shopper`], [`customer`]); one request builder per write RPC,
//! shared by every test file so each request is spelled in one place
//! (struct-update syntax sets the fields a test is about); and one helper per
//! RPC on [`TestApp`] that sends a request and unwraps the answer.

use cart_client::CartError;
use cart_client::proto as pb;
use cart_service::domain::ids::VariantId;
use cart_service::grpc::json::json_to_struct;

use super::harness::TestApp;

/// A guest: a session without a customer.
pub fn shopper(session: &str) -> Option<pb::Shopper> {
    Some(pb::Shopper {
        session_id: session.into(),
        customer_id: String::new(),
        ..Default::default()
    })
}

/// A signed-in shopper: a session and its customer.
pub fn customer(session: &str, customer: &str) -> Option<pb::Shopper> {
    Some(pb::Shopper {
        session_id: session.into(),
        customer_id: customer.into(),
        ..Default::default()
    })
}

/// An AddItem request without metadata, request id or expected version.
pub fn add_item_request(
    shopper: Option<pb::Shopper>,
    product_id: &str,
    variant_id: &str,
    quantity: i32,
) -> pb::AddItemRequest {
    pb::AddItemRequest {
        shopper,
        product_id: product_id.into(),
        variant_id: variant_id.into(),
        quantity,
        ..Default::default()
    }
}

/// An AddItem request for the demo catalog's Classic Tee in size M: what a
/// test sends when any valid add will do.
pub fn add_tee_request(session: &str, quantity: i32) -> pb::AddItemRequest {
    add_item_request(
        shopper(session),
        "prod-classic-tee",
        "var-classic-tee-m",
        quantity,
    )
}

/// An UpdateItem request without request id or expected version.
pub fn update_item_request(
    shopper: Option<pb::Shopper>,
    item_id: &str,
    quantity: i32,
) -> pb::UpdateItemRequest {
    pb::UpdateItemRequest {
        shopper,
        item_id: item_id.into(),
        quantity,
        ..Default::default()
    }
}

/// A RemoveItem request without request id or expected version.
pub fn remove_item_request(shopper: Option<pb::Shopper>, item_id: &str) -> pb::RemoveItemRequest {
    pb::RemoveItemRequest {
        shopper,
        item_id: item_id.into(),
        ..Default::default()
    }
}

/// A ClearCart request without request id or expected version.
pub fn clear_cart_request(shopper: Option<pb::Shopper>) -> pb::ClearCartRequest {
    pb::ClearCartRequest {
        shopper,
        ..Default::default()
    }
}

/// A SetEmail request without request id or expected version.
pub fn set_email_request(shopper: Option<pb::Shopper>, email: &str) -> pb::SetEmailRequest {
    pb::SetEmailRequest {
        shopper,
        email: email.into(),
        ..Default::default()
    }
}

/// A MergeGuestCart request without request id or expected version; an
/// empty `guest_session_id` names the shopper's own session.
pub fn merge_guest_cart_request(
    shopper: Option<pb::Shopper>,
    guest_session_id: &str,
    strategy: pb::MergeStrategy,
) -> pb::MergeGuestCartRequest {
    pb::MergeGuestCartRequest {
        shopper,
        guest_session_id: guest_session_id.into(),
        strategy: strategy.into(),
        ..Default::default()
    }
}

/// A RefreshCart request without request id or expected version.
pub fn refresh_cart_request(shopper: Option<pb::Shopper>) -> pb::RefreshCartRequest {
    pb::RefreshCartRequest {
        shopper,
        ..Default::default()
    }
}

/// A CompleteCart request without request id or expected version.
pub fn complete_cart_request(cart_id: &str, order_id: &str) -> pb::CompleteCartRequest {
    pb::CompleteCartRequest {
        cart_id: cart_id.into(),
        order_id: order_id.into(),
        ..Default::default()
    }
}

/// JSON as a protobuf Struct (line metadata), converted as the service
/// converts it.
///
/// # Panics
/// When `json` is not an object.
pub fn metadata(json: serde_json::Value) -> prost_types::Struct {
    let serde_json::Value::Object(map) = json else {
        panic!("object expected");
    };
    json_to_struct(&map)
}

/// Metadata nested `levels` objects deep: `{"a": {"a": … 1}}`.
pub fn deep_metadata(levels: usize) -> prost_types::Struct {
    let mut json = serde_json::json!(1);
    for _ in 0..levels {
        json = serde_json::json!({ "a": json });
    }
    metadata(json)
}

impl TestApp {
    /// The product a fixture variant belongs to.
    pub fn product_of(&self, variant: &str) -> String {
        let id = VariantId::parse(variant).expect("variant id");
        self.catalog.lookup(std::slice::from_ref(&id))[&id]
            .product_id
            .to_string()
    }

    /// Adds `quantity` of a fixture `variant`, naming its product.
    pub async fn add(
        &self,
        who: Option<pb::Shopper>,
        variant: &str,
        quantity: i32,
    ) -> Result<pb::Cart, CartError> {
        let request = add_item_request(who, &self.product_of(variant), variant, quantity);
        self.add_request(request).await
    }

    /// Sends an AddItem request as it is.
    pub async fn add_request(&self, request: pb::AddItemRequest) -> Result<pb::Cart, CartError> {
        let response = self.cart.add_item(request).await?;
        Ok(response.cart.expect("cart in response"))
    }

    /// The shopper's active cart (an empty view when there is none).
    pub async fn get(&self, who: Option<pb::Shopper>) -> pb::Cart {
        self.cart
            .get_cart(pb::GetCartRequest {
                shopper: who,
                ..Default::default()
            })
            .await
            .expect("GetCart succeeds")
            .cart
            .expect("cart in response")
    }

    /// Sets the quantity of a line (0 removes it).
    pub async fn update(
        &self,
        who: Option<pb::Shopper>,
        item_id: &str,
        quantity: i32,
    ) -> Result<pb::Cart, CartError> {
        let request = update_item_request(who, item_id, quantity);
        let response = self.cart.update_item(request).await?;
        Ok(response.cart.expect("cart in response"))
    }

    /// Removes a line.
    pub async fn remove(
        &self,
        who: Option<pb::Shopper>,
        item_id: &str,
    ) -> Result<pb::Cart, CartError> {
        let request = remove_item_request(who, item_id);
        let response = self.cart.remove_item(request).await?;
        Ok(response.cart.expect("cart in response"))
    }

    /// Empties the shopper's cart.
    pub async fn clear(&self, who: Option<pb::Shopper>) -> Result<pb::Cart, CartError> {
        let request = clear_cart_request(who);
        let response = self.cart.clear_cart(request).await?;
        Ok(response.cart.expect("cart in response"))
    }

    /// Sets the cart's e-mail address.
    pub async fn set_email(
        &self,
        who: Option<pb::Shopper>,
        email: &str,
    ) -> Result<pb::Cart, CartError> {
        let request = set_email_request(who, email);
        let response = self.cart.set_email(request).await?;
        Ok(response.cart.expect("cart in response"))
    }

    /// Checks the cart is ready for checkout.
    pub async fn validate(
        &self,
        who: Option<pb::Shopper>,
    ) -> Result<pb::ValidateResponse, CartError> {
        self.cart
            .validate(pb::ValidateRequest { shopper: who })
            .await
    }

    /// Merges a guest cart into the customer's.
    pub async fn merge(
        &self,
        who: Option<pb::Shopper>,
        guest_session: &str,
        strategy: pb::MergeStrategy,
    ) -> Result<pb::MergeGuestCartResponse, CartError> {
        let request = merge_guest_cart_request(who, guest_session, strategy);
        let response = self.cart.merge_guest_cart(request).await?;
        Ok(response)
    }

    /// Re-prices the cart and fits it to stock.
    pub async fn refresh(
        &self,
        who: Option<pb::Shopper>,
    ) -> Result<pb::RefreshCartResponse, CartError> {
        let request = refresh_cart_request(who);
        let response = self.cart.refresh_cart(request).await?;
        Ok(response)
    }

    /// Any cart, by id (a service call: no shopper).
    pub async fn get_by_id(&self, cart_id: &str) -> Result<pb::Cart, CartError> {
        let response = self
            .cart
            .get_cart_by_id(pb::GetCartByIdRequest {
                cart_id: cart_id.into(),
            })
            .await?;
        Ok(response.cart.expect("cart in response"))
    }

    /// Marks a cart as ordered.
    pub async fn complete(&self, cart_id: &str, order_id: &str) -> Result<pb::Cart, CartError> {
        let request = complete_cart_request(cart_id, order_id);
        let response = self.cart.complete_cart(request).await?;
        Ok(response.cart.expect("cart in response"))
    }

    /// One page of a cart's events.
    pub async fn list_events(
        &self,
        cart_id: &str,
        page_size: i32,
        page_token: &str,
    ) -> Result<pb::ListCartEventsResponse, CartError> {
        self.cart
            .list_cart_events(pb::ListCartEventsRequest {
                cart_id: cart_id.into(),
                page_size,
                page_token: page_token.into(),
            })
            .await
    }
}
