//! The typed client: one method per RPC of the `shop.cart.v1` services
//! (over one channel), each retried by the policy, every write with one
//! `request_id` for all its attempts.

use std::future::Future;

use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Channel, Endpoint};

use crate::proto::*;
use crate::{CartError, RetryPolicy};

/// A request whose retries must be recognised as the same call.
trait Keyed {
    fn request_id(&mut self) -> &mut String;
}

macro_rules! keyed {
    ($($request:ty),*) => {
        $(impl Keyed for $request {
            fn request_id(&mut self) -> &mut String {
                &mut self.request_id
            }
        })*
    };
}

keyed!(
    AddItemRequest,
    UpdateItemRequest,
    RemoveItemRequest,
    ClearCartRequest,
    SetEmailRequest,
    MergeGuestCartRequest,
    RefreshCartRequest,
    CompleteCartRequest,
    RecoverCartRequest,
    AddItemsRequest,
    UpdateItemsRequest,
    ReorderRequest,
    CreateWishListRequest,
    DeleteListRequest,
    AddListItemRequest,
    RemoveListItemRequest,
    MoveItemToListRequest,
    MoveListItemToCartRequest,
    SetBackInStockAlertRequest,
    UpdateListItemRequest,
    CopySharedCartRequest
);

/// A client of the cart service. Cheap to clone; clones share the channel.
#[derive(Debug, Clone)]
pub struct CartClient {
    channel: Channel,
    token: Option<MetadataValue<Ascii>>,
    retry: RetryPolicy,
}

/// A write's request with its `request_id` set: the caller's, or a new one
/// when `retried` (a policy that never retries sends the request as given).
fn keyed<R: Keyed>(mut request: R, retried: bool) -> R {
    let id = request.request_id();
    if id.is_empty() && retried {
        *id = uuid::Uuid::new_v4().to_string();
    }
    request
}

/// A read's request: sent as it is.
fn as_given<R>(request: R, _retried: bool) -> R {
    request
}

macro_rules! calls {
    ($($(#[$doc:meta])* $service:ident::$name:ident($request:ty) -> $response:ty, $prepare:expr;)*) => {
        $($(#[$doc])*
        ///
        /// # Errors
        /// [`CartError`] once the retry policy gives up.
        pub async fn $name(&self, request: $request) -> Result<$response, CartError> {
            let request = $prepare(request, self.retry.retries());
            self.call(request, |channel, request| async move {
                $service::new(channel).$name(request).await
            })
            .await
        })*
    };
}

impl CartClient {
    /// A client of the service at `url` (e.g. `http://cart:50051`),
    /// connecting lazily.
    ///
    /// # Errors
    /// When `url` is not a valid URI.
    pub fn connect_lazy(url: &str) -> Result<Self, tonic::transport::Error> {
        Ok(Self::new(
            Endpoint::from_shared(url.to_owned())?.connect_lazy(),
        ))
    }

    /// A client over `channel`, with the default retry policy.
    pub fn new(channel: Channel) -> Self {
        Self {
            channel,
            token: None,
            retry: RetryPolicy::default(),
        }
    }

    /// Sends `Authorization: Bearer <token>` on every call.
    ///
    /// # Errors
    /// When the token is not a valid header value.
    pub fn with_token(
        mut self,
        token: &str,
    ) -> Result<Self, tonic::metadata::errors::InvalidMetadataValue> {
        self.token = Some(MetadataValue::try_from(format!("Bearer {token}"))?);
        Ok(self)
    }

    /// Retries by `policy`.
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Follows the shopper's cart live (WatchCart): the stream of views and
    /// the final `ended`. Not retried: on UNAVAILABLE (REPLICA_STOPPING) or
    /// when the stream ends after its lifetime, watch again with
    /// `after_cart_id` and `after_version` = the last cart and version seen.
    ///
    /// # Errors
    /// [`CartError`] when the stream cannot be opened (TOO_MANY_WATCHERS,
    /// INVALID_FIELD…).
    pub async fn watch_cart(
        &self,
        request: WatchCartRequest,
    ) -> Result<tonic::Streaming<WatchCartResponse>, CartError> {
        let mut message = tonic::Request::new(request);
        if let Some(token) = &self.token {
            message
                .metadata_mut()
                .insert("authorization", token.clone());
        }
        let mut client = CartServiceClient::new(self.channel.clone());
        let response = client.watch_cart(message).await?;
        Ok(response.into_inner())
    }

    /// The generated CartService client, for calls this type does not wrap.
    pub fn raw(&self) -> CartServiceClient<Channel> {
        CartServiceClient::new(self.channel.clone())
    }

    /// The channel, for the generated clients of the other services.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// Runs `send` until it succeeds or the policy gives up, the same
    /// request each time.
    async fn call<Req, Resp, F, Fut>(&self, request: Req, send: F) -> Result<Resp, CartError>
    where
        Req: Clone,
        F: Fn(Channel, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<Resp>, tonic::Status>>,
    {
        let mut attempt = 1;
        loop {
            let mut message = tonic::Request::new(request.clone());
            if let Some(token) = &self.token {
                message
                    .metadata_mut()
                    .insert("authorization", token.clone());
            }
            match send(self.channel.clone(), message).await {
                Ok(response) => return Ok(response.into_inner()),
                Err(status) => {
                    let error = CartError::from(status);
                    match self.retry.delay(&error, attempt) {
                        Some(delay) => tokio::time::sleep(delay).await,
                        None => return Err(error),
                    }
                    attempt += 1;
                }
            }
        }
    }

    calls! {
        /// The shopper's cart.
        CartServiceClient::get_cart(GetCartRequest) -> GetCartResponse, as_given;
        /// Checks the cart for checkout.
        CartServiceClient::validate(ValidateRequest) -> ValidateResponse, as_given;
        /// Adds a variant (a `request_id` is made when none is set).
        CartServiceClient::add_item(AddItemRequest) -> AddItemResponse, keyed;
        /// Adds up to 50 lines at once, all or nothing.
        CartServiceClient::add_items(AddItemsRequest) -> AddItemsResponse, keyed;
        /// Sets up to 50 lines' quantities at once, all or nothing.
        CartServiceClient::update_items(UpdateItemsRequest) -> UpdateItemsResponse, keyed;
        /// Copies a completed cart's lines into the cart, at today's prices.
        CartServiceClient::reorder(ReorderRequest) -> ReorderResponse, keyed;
        /// The shopper's lists: saved for later, then wish lists.
        ShoppingListServiceClient::get_lists(GetListsRequest) -> GetListsResponse, as_given;
        /// Makes a named wish list (customers).
        ShoppingListServiceClient::create_wish_list(CreateWishListRequest) -> CreateWishListResponse, keyed;
        /// Deletes a list with its items.
        ShoppingListServiceClient::delete_list(DeleteListRequest) -> DeleteListResponse, keyed;
        /// Saves a variant into a list (saved for later by default).
        ShoppingListServiceClient::add_list_item(AddListItemRequest) -> AddListItemResponse, keyed;
        /// Changes a list item's quantity or note in place.
        ShoppingListServiceClient::update_list_item(UpdateListItemRequest) -> UpdateListItemResponse, keyed;
        /// Removes a list item.
        ShoppingListServiceClient::remove_list_item(RemoveListItemRequest) -> RemoveListItemResponse, keyed;
        /// Sets or clears a list item's back-in-stock e-mail alert.
        ShoppingListServiceClient::set_back_in_stock_alert(SetBackInStockAlertRequest) -> SetBackInStockAlertResponse, keyed;
        /// Moves a cart line into a list.
        ShoppingListServiceClient::move_item_to_list(MoveItemToListRequest) -> MoveItemToListResponse, keyed;
        /// Moves a list item into the cart, at today's price.
        ShoppingListServiceClient::move_list_item_to_cart(MoveListItemToCartRequest) -> MoveListItemToCartResponse, keyed;
        /// Makes a share link of the cart (the token is shown once; a retry
        /// after a lost answer makes a second, harmless share).
        CartShareServiceClient::create_cart_share(CreateCartShareRequest) -> CreateCartShareResponse, as_given;
        /// The cart's share links (without their tokens).
        CartShareServiceClient::list_cart_shares(ListCartSharesRequest) -> ListCartSharesResponse, as_given;
        /// Revokes a share link.
        CartShareServiceClient::revoke_cart_share(RevokeCartShareRequest) -> RevokeCartShareResponse, as_given;
        /// The cart a share link names, without personal data.
        CartShareServiceClient::get_shared_cart(GetSharedCartRequest) -> GetSharedCartResponse, as_given;
        /// Copies a shared cart's lines into the cart, at today's prices.
        CartShareServiceClient::copy_shared_cart(CopySharedCartRequest) -> CopySharedCartResponse, keyed;
        /// Sets a line's quantity.
        CartServiceClient::update_item(UpdateItemRequest) -> UpdateItemResponse, keyed;
        /// Removes a line.
        CartServiceClient::remove_item(RemoveItemRequest) -> RemoveItemResponse, keyed;
        /// Removes every line.
        CartServiceClient::clear_cart(ClearCartRequest) -> ClearCartResponse, keyed;
        /// Sets the checkout e-mail address.
        CartServiceClient::set_email(SetEmailRequest) -> SetEmailResponse, keyed;
        /// Merges the session's guest cart into the signed-in customer's.
        CartServiceClient::merge_guest_cart(MergeGuestCartRequest) -> MergeGuestCartResponse, keyed;
        /// Re-prices the cart from the catalog.
        CartServiceClient::refresh_cart(RefreshCartRequest) -> RefreshCartResponse, keyed;
        /// Any cart by its id (service callers).
        CartAdminServiceClient::get_cart_by_id(GetCartByIdRequest) -> GetCartByIdResponse, as_given;
        /// Marks the cart completed by an order (service callers).
        CartAdminServiceClient::complete_cart(CompleteCartRequest) -> CompleteCartResponse, keyed;
        /// Recovers a cart from a recovery link's token or by device.
        CartRecoveryServiceClient::recover_cart(RecoverCartRequest) -> RecoverCartResponse, keyed;
        /// One-click unsubscribe from recovery e-mail.
        CartRecoveryServiceClient::unsubscribe_recovery(UnsubscribeRecoveryRequest) -> UnsubscribeRecoveryResponse, as_given;
        /// One page of a cart's history (service callers).
        CartAdminServiceClient::list_cart_events(ListCartEventsRequest) -> ListCartEventsResponse, as_given;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_gets_a_request_id_once_and_keeps_the_callers() {
        let made = keyed(AddItemRequest::default(), true);
        assert!(uuid::Uuid::parse_str(&made.request_id).is_ok());
        // The same request goes out on every attempt: the id is made once.
        assert_eq!(keyed(made.clone(), true).request_id, made.request_id);
        let mine = AddItemRequest {
            request_id: "bff-call-42".into(),
            ..Default::default()
        };
        assert_eq!(keyed(mine.clone(), true).request_id, "bff-call-42");
        // Never retried: sent as given.
        assert_eq!(keyed(AddItemRequest::default(), false).request_id, "");
        assert_eq!(keyed(mine, false).request_id, "bff-call-42");
    }
}
