//! Wire → domain: every incoming field is parsed here, once, into a domain
//! type; every violation of a request is reported together, with its field
//! path, as INVALID_ARGUMENT.

use super::json::struct_to_json;
use super::page_token;
use super::status::{ApiError, FieldViolation};
use crate::domain::ParseError;
use crate::domain::cart::{Shopper, SignedIn};
use crate::domain::device::{DeviceSignals, MAX_SIGNAL_LEN, Signal};
use crate::domain::email::Email;
use crate::domain::ids::{
    CartId, CustomerId, ItemId, OrderId, ProductId, RequestId, SessionId, VariantId,
};
use crate::domain::metadata::Metadata;
use crate::domain::quantity::Quantity;
use crate::domain::rules::{AddItem, MergeStrategy};
use crate::proto::shop::cart::v1 as pb;
use crate::recovery::token::MAX_TOKEN_LEN;
use crate::service::{Encoder, RecoverySource, RequestKey, WriteOptions};

pub mod lists;
pub mod shares;

/// Collects the violations of one request.
#[derive(Debug, Default)]
struct Violations(Vec<FieldViolation>);

impl Violations {
    fn check<T>(&mut self, field: &str, parsed: Result<T, ParseError>) -> Option<T> {
        parsed
            .map_err(|e| {
                self.0.push(FieldViolation {
                    field: field.to_owned(),
                    description: e.0,
                })
            })
            .ok()
    }

    /// Records a violation of `field`.
    fn refuse(&mut self, field: &str, description: String) {
        self.0.push(FieldViolation {
            field: field.to_owned(),
            description,
        });
    }

    /// The parsed request when every field was valid.
    fn finish<T>(self, parsed: Option<T>) -> Result<T, ApiError> {
        match parsed {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ApiError::InvalidArgument(self.0)),
        }
    }
}

fn shopper(v: &mut Violations, shopper: Option<pb::Shopper>) -> Option<Shopper> {
    let Some(shopper) = shopper else {
        v.refuse("shopper", "shopper is required".into());
        return None;
    };
    let session_id = v.check("shopper.session_id", SessionId::parse(&shopper.session_id));
    check_device(v, &shopper.device);
    let customer_id = match shopper.customer_id.as_str() {
        "" => Some(None),
        raw => v
            .check("shopper.customer_id", CustomerId::parse(raw))
            .map(Some),
    };
    Some(Shopper {
        session_id: session_id?,
        customer_id: customer_id?,
    })
}

/// Refuses unknown device signals and empty or overlong values.
fn check_device(v: &mut Violations, device: &std::collections::BTreeMap<String, String>) {
    for (key, value) in device {
        let field = format!("shopper.device[{key}]");
        if Signal::parse(key).is_none() {
            let known: Vec<&str> = Signal::ALL.iter().map(|s| s.as_str()).collect();
            v.refuse(
                &field,
                format!("unknown device signal; known: {}", known.join(", ")),
            );
        } else if value.trim().is_empty() || value.chars().count() > MAX_SIGNAL_LEN {
            v.refuse(&field, format!("must be 1 to {MAX_SIGNAL_LEN} characters"));
        }
    }
}

/// The device signals of a shopper already parsed (so valid); `None` when
/// there are none.
pub fn device(shopper: Option<&pb::Shopper>) -> Option<DeviceSignals> {
    let signals: std::collections::BTreeMap<_, _> = shopper?
        .device
        .iter()
        .filter_map(|(k, v)| Some((Signal::parse(k)?, v.trim().to_owned())))
        .collect();
    (!signals.is_empty()).then_some(DeviceSignals(signals))
}

/// Parses RecoverCart: a token, or `by_device` with device signals.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn recover_cart(req: pb::RecoverCartRequest) -> Result<(Shopper, RecoverySource), ApiError> {
    use pb::recover_cart_request::Source;
    let mut v = Violations::default();
    let signals = device(req.shopper.as_ref());
    let shopper = shopper(&mut v, req.shopper);
    let source = match req.source {
        Some(Source::Token(token)) if !token.is_empty() && token.len() <= MAX_TOKEN_LEN => {
            Some(RecoverySource::Token(token))
        }
        Some(Source::Token(_)) => {
            v.refuse("token", format!("must be 1 to {MAX_TOKEN_LEN} characters"));
            None
        }
        Some(Source::ByDevice(true)) => match signals {
            Some(signals) => Some(RecoverySource::Device(signals)),
            None => {
                v.refuse("shopper.device", "by_device needs device signals".into());
                None
            }
        },
        Some(Source::ByDevice(false)) | None => {
            v.refuse("source", "a token or by_device=true is required".into());
            None
        }
    };
    let parsed = (|| Some((shopper?, source?)))();
    v.finish(parsed)
}

/// Parses UnsubscribeRecovery: its token.
///
/// # Errors
/// INVALID_ARGUMENT when the token is empty or overlong.
pub fn unsubscribe_recovery(req: &pb::UnsubscribeRecoveryRequest) -> Result<String, ApiError> {
    let mut v = Violations::default();
    if req.token.is_empty() || req.token.len() > MAX_TOKEN_LEN {
        v.refuse("token", format!("must be 1 to {MAX_TOKEN_LEN} characters"));
    }
    v.finish(Some(req.token.clone()))
}

/// Parses WatchCart: the shopper, and the cart and version the client has.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn watch_cart(req: pb::WatchCartRequest) -> Result<(Shopper, Option<CartId>, i64), ApiError> {
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

/// Parses a request that names only the shopper.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn shopper_only(raw: Option<pb::Shopper>) -> Result<Shopper, ApiError> {
    let mut v = Violations::default();
    let parsed = shopper(&mut v, raw);
    v.finish(parsed)
}

/// Parses ClearCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn clear_cart(req: pb::ClearCartRequest) -> Result<(Shopper, ()), ApiError> {
    Ok((shopper_only(req.shopper)?, ()))
}

/// Parses RefreshCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn refresh_cart(req: pb::RefreshCartRequest) -> Result<(Shopper, ()), ApiError> {
    Ok((shopper_only(req.shopper)?, ()))
}

/// Parses AddItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn add_item(req: pb::AddItemRequest) -> Result<(Shopper, AddItem), ApiError> {
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

/// The fields of an add (AddItem, a line of AddItems, AddListItem).
struct Adding<'a> {
    product_id: &'a str,
    variant_id: &'a str,
    quantity: i32,
    metadata: Option<prost_types::Struct>,
}

impl Adding<'_> {
    /// Parses the add, naming its fields after `prefix` (`items[3].`).
    fn parse(self, v: &mut Violations, prefix: &str) -> Option<AddItem> {
        let field = |name: &str| format!("{prefix}{name}");
        let product_id = v.check(&field("product_id"), ProductId::parse(self.product_id));
        let variant_id = v.check(&field("variant_id"), VariantId::parse(self.variant_id));
        let quantity = v.check(
            &field("quantity"),
            Quantity::parse(i64::from(self.quantity)),
        );
        let metadata = match self.metadata {
            None => Some(None),
            Some(m) => v
                .check(
                    &field("metadata"),
                    struct_to_json(m).and_then(Metadata::parse),
                )
                .map(Some),
        };
        Some(AddItem {
            product_id: product_id?,
            variant_id: variant_id?,
            quantity: quantity?,
            metadata: metadata?,
        })
    }
}

/// Parses UpdateItem: quantity 0 means remove (`None`).
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn update_item(
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
pub const MAX_BATCH: usize = 50;

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
pub fn add_items(req: pb::AddItemsRequest) -> Result<(Shopper, Vec<AddItem>), ApiError> {
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
pub type SetQuantity = (ItemId, Option<Quantity>);

/// Parses UpdateItems: each line's id and quantity (0 removes), named
/// `items[k].field`; a line named twice is refused.
///
/// # Errors
/// INVALID_ARGUMENT naming every malformed field.
pub fn update_items(req: pb::UpdateItemsRequest) -> Result<(Shopper, Vec<SetQuantity>), ApiError> {
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
pub fn reorder(req: pb::ReorderRequest) -> Result<(Shopper, CartId), ApiError> {
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
pub fn remove_item(req: pb::RemoveItemRequest) -> Result<(Shopper, ItemId), ApiError> {
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
pub fn set_email(req: pb::SetEmailRequest) -> Result<(Shopper, Email), ApiError> {
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
pub fn merge_guest_cart(
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

/// Parses a cart id.
///
/// # Errors
/// INVALID_ARGUMENT naming the field.
pub fn cart_id(raw: &str) -> Result<CartId, ApiError> {
    let mut v = Violations::default();
    let id = v.check("cart_id", CartId::parse(raw));
    v.finish(id)
}

/// Parses CompleteCart.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn complete_cart(req: pb::CompleteCartRequest) -> Result<(CartId, OrderId), ApiError> {
    let mut v = Violations::default();
    let id = v.check("cart_id", CartId::parse(&req.cart_id));
    let order = v.check("order_id", OrderId::parse(&req.order_id));
    let parsed = (|| Some((id?, order?)))();
    v.finish(parsed)
}

/// Default and largest page of ListCartEvents.
const DEFAULT_PAGE_SIZE: u64 = 50;
const MAX_PAGE_SIZE: i32 = 500;

/// Parses ListCartEvents: the cart, the sequence number to continue after
/// (from the page token) and the page size.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn list_cart_events(req: &pb::ListCartEventsRequest) -> Result<(CartId, i64, u64), ApiError> {
    let mut v = Violations::default();
    let id = v.check("cart_id", CartId::parse(&req.cart_id));
    let size = match req.page_size {
        0 => Some(DEFAULT_PAGE_SIZE),
        n @ 1..=MAX_PAGE_SIZE => Some(u64::from(n.unsigned_abs())),
        n => {
            v.refuse(
                "page_size",
                format!("page size must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
            );
            None
        }
    };
    let after = match (&id, req.page_token.as_str()) {
        (_, "") => Some(0),
        (Some(id), token) => v.check("page_token", page_token::decode(*id, token)),
        (None, _) => None,
    };
    let parsed = (|| Some((id?, after?, size?)))();
    v.finish(parsed)
}

/// Parses the `request_id` and `expected_version` of a write of RPC
/// `method`. `request` is the request encoded with its `request_id` cleared
/// (read only when a request id is given); `encode` encodes the response, to
/// be remembered with the request id.
///
/// # Errors
/// INVALID_ARGUMENT for a malformed request id or a negative version.
pub fn write_options<T>(
    method: &str,
    request_id: &str,
    expected_version: Option<i64>,
    request: &[u8],
    encode: Encoder<T>,
) -> Result<WriteOptions<T>, ApiError> {
    let mut v = Violations::default();
    let key = match request_id {
        "" => Some(None),
        raw => v
            .check("request_id", RequestId::parse(raw))
            .map(|id| Some(RequestKey::new(id, method, request))),
    };
    let expected_version = match expected_version {
        Some(n) if n < 0 => {
            v.refuse(
                "expected_version",
                format!("expected_version must not be negative, got {n}"),
            );
            None
        }
        other => Some(other),
    };
    let parsed = (|| {
        Some(WriteOptions {
            request: key?,
            expected_version: expected_version?,
            encode,
        })
    })();
    v.finish(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shopper_pb(session: &str) -> Option<pb::Shopper> {
        Some(pb::Shopper {
            session_id: session.into(),
            customer_id: String::new(),
            ..Default::default()
        })
    }

    #[test]
    fn every_bad_field_of_a_request_is_reported_together() {
        let err = add_item(pb::AddItemRequest {
            shopper: shopper_pb(""),
            product_id: String::new(),
            variant_id: "v".into(),
            quantity: 0,
            metadata: None,
            ..Default::default()
        })
        .expect_err("invalid");
        let ApiError::InvalidArgument(violations) = err else {
            panic!("not INVALID_ARGUMENT: {err:?}");
        };
        let fields: Vec<_> = violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["shopper.session_id", "product_id", "quantity"]);
    }

    #[test]
    fn a_missing_shopper_is_reported() {
        let err = shopper_only(None).expect_err("invalid");
        assert!(matches!(err, ApiError::InvalidArgument(v) if v[0].field == "shopper"));
    }

    /// Properties of the parsers over arbitrary input: they never panic, a
    /// parse succeeds only with every field in range, and a failure is
    /// INVALID_ARGUMENT naming only fields of the request (the field that is
    /// out of range among them).
    mod properties {
        use super::*;
        use proptest::prelude::*;
        use prost_types::value::Kind;

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                "[a-z0-9-]{1,20}",
                "[ -~]{0,160}",
                "\\PC{0,200}",
                ".{0,300}",
            ]
        }

        fn shopper_pb() -> impl Strategy<Value = Option<pb::Shopper>> {
            proptest::option::weighted(
                0.9,
                (text(), text()).prop_map(|(session_id, customer_id)| pb::Shopper {
                    session_id,
                    customer_id,
                    ..Default::default()
                }),
            )
        }

        fn value() -> impl Strategy<Value = prost_types::Value> {
            let leaf = prop_oneof![
                Just(None),
                Just(Some(Kind::NullValue(0))),
                any::<bool>().prop_map(|b| Some(Kind::BoolValue(b))),
                any::<f64>().prop_map(|n| Some(Kind::NumberValue(n))),
                ".{0,80}".prop_map(|s| Some(Kind::StringValue(s))),
            ]
            .prop_map(|kind| prost_types::Value { kind });
            leaf.prop_recursive(12, 200, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(|values| {
                        prost_types::Value {
                            kind: Some(Kind::ListValue(prost_types::ListValue { values })),
                        }
                    }),
                    proptest::collection::btree_map(".{0,12}", inner, 0..6).prop_map(|fields| {
                        prost_types::Value {
                            kind: Some(Kind::StructValue(prost_types::Struct { fields })),
                        }
                    }),
                ]
            })
        }

        fn metadata() -> impl Strategy<Value = Option<prost_types::Struct>> {
            proptest::option::of(
                proptest::collection::btree_map(".{0,12}", value(), 0..6)
                    .prop_map(|fields| prost_types::Struct { fields }),
            )
        }

        fn quantity() -> impl Strategy<Value = i32> {
            prop_oneof![any::<i32>(), -2..=102i32]
        }

        fn fields(err: ApiError) -> Vec<String> {
            match err {
                ApiError::InvalidArgument(v) => {
                    assert!(!v.is_empty(), "INVALID_ARGUMENT without a violation");
                    v.into_iter().map(|v| v.field).collect()
                }
                other => panic!("not INVALID_ARGUMENT: {other:?}"),
            }
        }

        const SHOPPER_FIELDS: [&str; 3] = ["shopper", "shopper.session_id", "shopper.customer_id"];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn add_item_accepts_only_valid_requests(
                shopper in shopper_pb(),
                product_id in text(),
                variant_id in text(),
                quantity in quantity(),
                metadata in metadata(),
            ) {
                let req = pb::AddItemRequest {
                    shopper: shopper.clone(),
                    product_id: product_id.clone(),
                    variant_id: variant_id.clone(),
                    quantity,
                    metadata,
                    ..Default::default()
                };
                match add_item(req) {
                    Ok((parsed, add)) => {
                        prop_assert!((1..=100).contains(&quantity));
                        prop_assert_eq!(add.product_id.as_str(), product_id.as_str());
                        prop_assert_eq!(add.variant_id.as_str(), variant_id.as_str());
                        prop_assert_eq!(add.quantity.get(), quantity.unsigned_abs());
                        let sent = shopper.unwrap_or_default();
                        prop_assert_eq!(parsed.session_id.as_str(), sent.session_id.as_str());
                        if let Some(m) = &add.metadata {
                            let json = serde_json::to_string(m.as_map()).unwrap_or_default();
                            prop_assert!(json.len() <= crate::domain::metadata::MAX_METADATA_BYTES);
                        }
                    }
                    Err(err) => {
                        let fields = fields(err);
                        for f in &fields {
                            prop_assert!(
                                SHOPPER_FIELDS.contains(&f.as_str())
                                    || ["product_id", "variant_id", "quantity", "metadata"]
                                        .contains(&f.as_str()),
                                "unexpected field {}", f
                            );
                        }
                        if !(1..=100).contains(&quantity) {
                            prop_assert!(fields.iter().any(|f| f == "quantity"));
                        }
                    }
                }
            }

            #[test]
            fn update_item_accepts_only_quantities_0_to_100(
                shopper in shopper_pb(),
                item_id in prop_oneof![text(), Just(ItemId::new().to_string())],
                quantity in quantity(),
            ) {
                let req = pb::UpdateItemRequest {
                    shopper,
                    item_id,
                    quantity,
                    ..Default::default()
                };
                match update_item(req) {
                    Ok((_, (_, q))) => {
                        prop_assert!((0..=100).contains(&quantity));
                        prop_assert_eq!(q.map_or(0, Quantity::get), quantity.unsigned_abs());
                    }
                    Err(err) => {
                        let fields = fields(err);
                        if !(0..=100).contains(&quantity) {
                            prop_assert!(fields.iter().any(|f| f == "quantity"));
                        }
                    }
                }
            }

            #[test]
            fn email_and_merge_parsers_never_accept_out_of_range_input(
                shopper in shopper_pb(),
                email in prop_oneof![text(), "[a-z]{1,70}@[a-z]{1,200}\\.[a-z]{2,3}"],
                guest in text(),
                strategy in any::<i32>(),
            ) {
                match set_email(pb::SetEmailRequest {
                    shopper: shopper.clone(),
                    email: email.clone(),
                    ..Default::default()
                }) {
                    Ok((_, parsed)) => {
                        prop_assert!(email.chars().count() <= 254);
                        prop_assert!(parsed.as_str().contains('@'));
                    }
                    Err(err) => {
                        let _ = fields(err);
                    }
                }
                match merge_guest_cart(pb::MergeGuestCartRequest {
                    shopper,
                    guest_session_id: guest,
                    strategy,
                    ..Default::default()
                }) {
                    Ok((parsed, _)) => {
                        prop_assert!(parsed.shopper().customer_id.is_some());
                        prop_assert!((0..=3).contains(&strategy));
                    }
                    Err(err) => {
                        let _ = fields(err);
                    }
                }
            }

            #[test]
            fn event_paging_parses_or_refuses(
                cart in prop_oneof![text(), Just(CartId::new().to_string())],
                token in prop_oneof![text(), "[0-9a-f]{0,120}"],
                page_size in any::<i32>(),
            ) {
                let req = pb::ListCartEventsRequest {
                    cart_id: cart,
                    page_token: token,
                    page_size,
                };
                match list_cart_events(&req) {
                    Ok((_, after, size)) => {
                        prop_assert!((0..=500).contains(&page_size));
                        prop_assert!((1..=500).contains(&size));
                        prop_assert!(after >= 0);
                    }
                    Err(err) => {
                        let _ = fields(err);
                    }
                }
            }

            #[test]
            fn page_tokens_round_trip_and_stay_bound_to_their_cart(seq in 0..i64::MAX) {
                let cart = CartId::new();
                let req = |cart: CartId| pb::ListCartEventsRequest {
                    cart_id: cart.to_string(),
                    page_token: page_token::encode(cart, seq),
                    page_size: 0,
                };
                let parsed = list_cart_events(&req(cart));
                prop_assert_eq!(parsed.ok().map(|(_, after, _)| after), Some(seq));
                let mut foreign = req(cart);
                foreign.cart_id = CartId::new().to_string();
                prop_assert!(list_cart_events(&foreign).is_err());
            }

            #[test]
            fn write_meta_parses_keys_and_versions(
                request_id in text(),
                expected_version in proptest::option::of(any::<i64>()),
                quantity in any::<i32>(),
            ) {
                use prost::Message;
                let request = pb::AddItemRequest { quantity, ..Default::default() }.encode_to_vec();
                let encode: Encoder<()> = |_| Vec::new();
                let meta = write_options("AddItem", &request_id, expected_version, &request, encode);
                match meta {
                    Ok(meta) => {
                        prop_assert!(expected_version.is_none_or(|v| v >= 0));
                        prop_assert_eq!(meta.request.is_some(), !request_id.is_empty());
                        let again = write_options("AddItem", &request_id, expected_version, &request, encode)
                            .map(|m| m.request.map(|k| k.fingerprint().to_owned()));
                        prop_assert_eq!(
                            again.ok().flatten(),
                            meta.request.map(|k| k.fingerprint().to_owned())
                        );
                    }
                    Err(err) => {
                        let fields = fields(err);
                        for f in &fields {
                            prop_assert!(f == "request_id" || f == "expected_version");
                        }
                    }
                }
            }
        }
    }
}
