//! `shop.cart.v1.CartService` on the transport side: its handlers, which
//! requests are writes (and so take a request id), and the responses their
//! results become, then its parsers. One file past the usual size: the
//! thirteen RPCs of the cart are kept side by side, as every service's are.

use tonic::{Request, Response, Status};

use super::parse::{Adding, Violations, shopper, shopper_only};
use super::status::ApiError;
use super::write::{WriteResponse, cart_responses, write_requests};
use super::{fail, parse, service_api, watch, wire};
use crate::domain::adjustment::{Adjustment, AdjustmentKind};
use crate::domain::cart::{Shopper, SignedIn};
use crate::domain::email::Email;
use crate::domain::ids::{CartId, ItemId, SessionId};
use crate::domain::quantity::Quantity;
use crate::domain::rules::{AddItem, MergeStrategy};
use crate::proto::shop::cart::v1 as pb;
use crate::service::{CartWritten, Merged};

service_api!(
    /// The `CartService` gRPC service: the shopper's cart.
    CartApi
);

#[tonic::async_trait]
impl pb::cart_service_server::CartService for CartApi {
    type WatchCartStream = watch::WatchStream;

    async fn get_cart(
        &self,
        request: Request<pb::GetCartRequest>,
    ) -> Result<Response<pb::GetCartResponse>, Status> {
        let (shopper, min_version) = get_cart(request.into_inner())?;
        let view = (self.service)
            .read_cart(&shopper, min_version)
            .await
            .map_err(fail)?;
        Ok(Response::new(pb::GetCartResponse {
            cart: Some(wire::cart(&view)),
        }))
    }

    async fn add_item(
        &self,
        request: Request<pb::AddItemRequest>,
    ) -> Result<Response<pb::AddItemResponse>, Status> {
        let device = parse::device(request.get_ref().shopper.as_ref());
        let (call, shopper, add) = self.shopper_write(request, add_item).await?;
        let written = (self.service)
            .add_item(&shopper, add, device.as_ref(), &call.options)
            .await;
        call.reply(written)
    }

    async fn add_items(
        &self,
        request: Request<pb::AddItemsRequest>,
    ) -> Result<Response<pb::AddItemsResponse>, Status> {
        let device = parse::device(request.get_ref().shopper.as_ref());
        let (call, shopper, adds) = self.shopper_write(request, add_items).await?;
        let written = (self.service)
            .add_items(&shopper, adds, device.as_ref(), &call.options)
            .await;
        call.reply(written)
    }

    async fn update_item(
        &self,
        request: Request<pb::UpdateItemRequest>,
    ) -> Result<Response<pb::UpdateItemResponse>, Status> {
        let (call, shopper, (item_id, quantity)) = self.shopper_write(request, update_item).await?;
        let written = (self.service)
            .update_item(&shopper, item_id, quantity, &call.options)
            .await;
        call.reply(written)
    }

    async fn update_items(
        &self,
        request: Request<pb::UpdateItemsRequest>,
    ) -> Result<Response<pb::UpdateItemsResponse>, Status> {
        let (call, shopper, updates) = self.shopper_write(request, update_items).await?;
        let written = (self.service)
            .update_items(&shopper, updates, &call.options)
            .await;
        call.reply(written)
    }

    async fn remove_item(
        &self,
        request: Request<pb::RemoveItemRequest>,
    ) -> Result<Response<pb::RemoveItemResponse>, Status> {
        let (call, shopper, item_id) = self.shopper_write(request, remove_item).await?;
        let written = (self.service)
            .remove_item(&shopper, item_id, &call.options)
            .await;
        call.reply(written)
    }

    async fn clear_cart(
        &self,
        request: Request<pb::ClearCartRequest>,
    ) -> Result<Response<pb::ClearCartResponse>, Status> {
        let (call, shopper, ()) = self.shopper_write(request, clear_cart).await?;
        let written = self.service.clear(&shopper, &call.options).await;
        call.reply(written)
    }

    async fn set_email(
        &self,
        request: Request<pb::SetEmailRequest>,
    ) -> Result<Response<pb::SetEmailResponse>, Status> {
        let (call, shopper, email) = self.shopper_write(request, set_email).await?;
        let written = (self.service)
            .set_email(&shopper, email, &call.options)
            .await;
        call.reply(written)
    }

    async fn validate(
        &self,
        request: Request<pb::ValidateRequest>,
    ) -> Result<Response<pb::ValidateResponse>, Status> {
        let shopper = shopper_only(request.into_inner().shopper)?;
        let (view, issues) = self.service.validate(&shopper).await.map_err(fail)?;
        Ok(Response::new(pb::ValidateResponse {
            valid: issues.is_empty(),
            issues: issues.iter().map(wire::issue).collect(),
            cart: Some(wire::cart(&view)),
        }))
    }

    async fn refresh_cart(
        &self,
        request: Request<pb::RefreshCartRequest>,
    ) -> Result<Response<pb::RefreshCartResponse>, Status> {
        let (call, shopper, ()) = self.shopper_write(request, refresh_cart).await?;
        let written = self.service.refresh(&shopper, &call.options).await;
        call.reply(written)
    }

    async fn merge_guest_cart(
        &self,
        request: Request<pb::MergeGuestCartRequest>,
    ) -> Result<Response<pb::MergeGuestCartResponse>, Status> {
        let (call, customer, (guest_session, strategy)) =
            self.shopper_write(request, merge_guest_cart).await?;
        let written = (self.service)
            .merge_guest_cart(&customer, guest_session, strategy, &call.options)
            .await;
        call.reply(written)
    }

    async fn reorder(
        &self,
        request: Request<pb::ReorderRequest>,
    ) -> Result<Response<pb::ReorderResponse>, Status> {
        let (call, shopper, order) = self.shopper_write(request, reorder).await?;
        let written = self.service.reorder(&shopper, order, &call.options).await;
        call.reply(written)
    }

    async fn watch_cart(
        &self,
        request: Request<pb::WatchCartRequest>,
    ) -> Result<Response<Self::WatchCartStream>, Status> {
        let (shopper, cart, version) = watch_cart(request.into_inner())?;
        let resume = watch::Resume { cart, version };
        let stream = watch::start(self.service.clone(), &self.live, shopper, resume)?;
        Ok(Response::new(stream))
    }
}

write_requests!(pb::cart_service_server::CartServiceServer<CartApi> {
    pb::AddItemRequest => "AddItem" versioned,
    pb::UpdateItemRequest => "UpdateItem" versioned,
    pb::RemoveItemRequest => "RemoveItem" versioned,
    pb::ClearCartRequest => "ClearCart" versioned,
    pb::SetEmailRequest => "SetEmail" versioned,
    pb::MergeGuestCartRequest => "MergeGuestCart" versioned,
    pb::RefreshCartRequest => "RefreshCart" versioned,
    pb::AddItemsRequest => "AddItems" versioned,
    pb::UpdateItemsRequest => "UpdateItems" versioned,
    pb::ReorderRequest => "Reorder" versioned,
});

cart_responses!(
    pb::AddItemResponse,
    pb::UpdateItemResponse,
    pb::RemoveItemResponse,
    pb::ClearCartResponse,
    pb::SetEmailResponse,
    pb::AddItemsResponse,
    pb::UpdateItemsResponse,
);

/// The adjustments on the wire.
pub(super) fn adjustments(adjustments: &[Adjustment]) -> Vec<pb::CartAdjustment> {
    adjustments.iter().map(wire::adjustment).collect()
}

impl WriteResponse for pb::MergeGuestCartResponse {
    type From = Merged;
    fn build((result, merged): &Merged) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
            merged: *merged,
        }
    }
}

/// What a copy at today's prices tells the shopper: that prices are
/// today's, and how many changed `since`.
pub(super) fn price_notice(result: &CartWritten, since: &str) -> String {
    let repriced = result
        .adjustments
        .iter()
        .filter(|a| a.kind == AdjustmentKind::PriceUpdated)
        .count();
    match repriced {
        0 => format!("Prices are today's prices; none changed {since}."),
        n => format!("Prices are today's prices; {n} changed {since}."),
    }
}

impl WriteResponse for pb::ReorderResponse {
    type From = CartWritten;
    fn build(result: &CartWritten) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
            notice: price_notice(result, "since the order"),
        }
    }
}

impl WriteResponse for pb::RefreshCartResponse {
    type From = CartWritten;
    fn build(result: &CartWritten) -> Self {
        Self {
            cart: Some(wire::cart(&result.view)),
            adjustments: adjustments(&result.adjustments),
        }
    }
}

// Parsing: wire → domain, every field once.

/// Parses GetCart: the shopper and `min_version` (not negative).
///
/// # Errors
/// INVALID_ARGUMENT naming each bad field.
pub(super) fn get_cart(request: pb::GetCartRequest) -> Result<(Shopper, i64), ApiError> {
    let mut v = Violations::default();
    let parsed = shopper(&mut v, request.shopper);
    if request.min_version < 0 {
        v.refuse(
            "min_version",
            format!(
                "min_version must not be negative, got {}",
                request.min_version
            ),
        );
    }
    v.finish(parsed.map(|shopper| (shopper, request.min_version)))
}

/// Parses ClearCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn clear_cart(req: pb::ClearCartRequest) -> Result<(Shopper, ()), ApiError> {
    Ok((shopper_only(req.shopper)?, ()))
}

/// Parses RefreshCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn refresh_cart(req: pb::RefreshCartRequest) -> Result<(Shopper, ()), ApiError> {
    Ok((shopper_only(req.shopper)?, ()))
}

/// Parses AddItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn add_item(req: pb::AddItemRequest) -> Result<(Shopper, AddItem), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let fields = Adding {
        product_id: &req.product_id,
        variant_id: &req.variant_id,
        quantity: req.quantity,
        metadata: req.metadata,
    };
    let add = fields.parse(&mut v, "");
    let parsed = (|| Some((shopper?, add?)))();
    v.finish(parsed)
}

/// Parses UpdateItem: quantity 0 means remove (`None`).
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn update_item(
    req: pb::UpdateItemRequest,
) -> Result<(Shopper, (ItemId, Option<Quantity>)), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item_id = v.check("item_id", ItemId::parse(&req.item_id));
    let quantity = v.check("quantity", Quantity::parse_or_zero(i64::from(req.quantity)));
    let parsed = (|| Some((shopper?, (item_id?, quantity?))))();
    v.finish(parsed)
}

/// Most lines one bulk edit may carry.
pub(super) const MAX_BATCH: usize = 50;

/// Checks a bulk edit's line count.
fn batch_size(v: &mut Violations, count: usize) {
    if count == 0 || count > MAX_BATCH {
        v.refuse("items", format!("1 to {MAX_BATCH} lines, got {count}"));
    }
}

/// Parses AddItems: each line as AddItem's fields, named `items[k].field`.
///
/// # Errors
/// INVALID_ARGUMENT naming every malformed field.
pub(super) fn add_items(req: pb::AddItemsRequest) -> Result<(Shopper, Vec<AddItem>), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    batch_size(&mut v, req.items.len());
    let lines: Vec<Option<AddItem>> = req
        .items
        .into_iter()
        .enumerate()
        .map(|(k, line)| {
            let fields = Adding {
                product_id: &line.product_id,
                variant_id: &line.variant_id,
                quantity: line.quantity,
                metadata: line.metadata,
            };
            fields.parse(&mut v, &format!("items[{k}]."))
        })
        .collect();
    let parsed = (|| Some((shopper?, lines.into_iter().collect::<Option<Vec<_>>>()?)))();
    v.finish(parsed)
}

/// A line's new quantity (`None`: remove it).
pub(super) type SetQuantity = (ItemId, Option<Quantity>);

/// Parses UpdateItems: each line's id and quantity (0 removes), named
/// `items[k].field`; a line named twice is refused.
///
/// # Errors
/// INVALID_ARGUMENT naming every malformed field.
pub(super) fn update_items(
    req: pb::UpdateItemsRequest,
) -> Result<(Shopper, Vec<SetQuantity>), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    batch_size(&mut v, req.items.len());
    let mut seen = std::collections::HashSet::new();
    let lines: Vec<Option<SetQuantity>> = req
        .items
        .iter()
        .enumerate()
        .map(|(k, line)| {
            let item_id = v.check(&format!("items[{k}].item_id"), ItemId::parse(&line.item_id));
            if item_id.is_some() && !seen.insert(line.item_id.clone()) {
                v.refuse(
                    &format!("items[{k}].item_id"),
                    "names a line already in the batch".into(),
                );
            }
            let quantity = v.check(
                &format!("items[{k}].quantity"),
                Quantity::parse_or_zero(i64::from(line.quantity)),
            );
            Some((item_id?, quantity?))
        })
        .collect();
    let parsed = (|| Some((shopper?, lines.into_iter().collect::<Option<Vec<_>>>()?)))();
    v.finish(parsed)
}

/// Parses Reorder: the shopper and the completed cart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn reorder(req: pb::ReorderRequest) -> Result<(Shopper, CartId), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let order = v.check("order_cart_id", CartId::parse(&req.order_cart_id));
    let parsed = (|| Some((shopper?, order?)))();
    v.finish(parsed)
}

/// Parses RemoveItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn remove_item(req: pb::RemoveItemRequest) -> Result<(Shopper, ItemId), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item_id = v.check("item_id", ItemId::parse(&req.item_id));
    let parsed = (|| Some((shopper?, item_id?)))();
    v.finish(parsed)
}

/// Parses SetEmail.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn set_email(req: pb::SetEmailRequest) -> Result<(Shopper, Email), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let email = v.check("email", Email::parse(&req.email));
    let parsed = (|| Some((shopper?, email?)))();
    v.finish(parsed)
}

/// Parses MergeGuestCart: the shopper must be signed in.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn merge_guest_cart(
    req: pb::MergeGuestCartRequest,
) -> Result<(SignedIn, (SessionId, MergeStrategy)), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let signed_in = shopper.clone().and_then(|s| {
        let signed_in = SignedIn::new(s);
        if signed_in.is_none() {
            v.refuse(
                "shopper.customer_id",
                "customer id is required to merge a guest cart".into(),
            );
        }
        signed_in
    });
    let guest_session = match req.guest_session_id.as_str() {
        "" => shopper.map(|s| s.session_id),
        raw => v.check("guest_session_id", SessionId::parse(raw)),
    };
    let strategy = match pb::MergeStrategy::try_from(req.strategy) {
        Ok(pb::MergeStrategy::Unspecified | pb::MergeStrategy::Merge) => Some(MergeStrategy::Merge),
        Ok(pb::MergeStrategy::KeepCustomer) => Some(MergeStrategy::KeepCustomer),
        Ok(pb::MergeStrategy::KeepGuest) => Some(MergeStrategy::KeepGuest),
        Err(_) => {
            v.refuse("strategy", format!("unknown strategy {}", req.strategy));
            None
        }
    };
    let parsed = (|| Some((signed_in?, (guest_session?, strategy?))))();
    v.finish(parsed)
}

/// Parses WatchCart: the shopper, and the cart and version the client has.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub(super) fn watch_cart(
    req: pb::WatchCartRequest,
) -> Result<(Shopper, Option<CartId>, i64), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    if req.after_version < 0 {
        v.refuse("after_version", "must not be negative".into());
    }
    let cart = match req.after_cart_id.as_str() {
        "" => Some(None),
        raw => v.check("after_cart_id", CartId::parse(raw)).map(Some),
    };
    let parsed = (|| Some((shopper?, cart?, req.after_version)))();
    v.finish(parsed)
}
