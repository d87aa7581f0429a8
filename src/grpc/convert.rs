//! Proto ⇄ domain. Every incoming field is parsed here, once, into a domain
//! type; every violation of a request is reported together, with its field
//! path, as INVALID_ARGUMENT.

use chrono::{DateTime, Utc};
use prost_types::value::Kind;
use serde_json::{Map, Number, Value};

use super::status::{ApiError, FieldViolation};
use crate::domain::ParseError;
use crate::domain::cart::{Adjustment, AdjustmentKind, Cart, CartStatus, RecordedEvent, Shopper};
use crate::domain::email::Email;
use crate::domain::ids::{
    CartId, CustomerId, ItemId, OrderId, ProductId, RequestId, SessionId, VariantId,
};
use crate::domain::metadata::Metadata;
use crate::domain::money::Money;
use crate::domain::quantity::Quantity;
use crate::domain::rules::{AddItem, MergeStrategy};
use crate::domain::view::{Availability, CartView, Issue, IssueKind, ItemView, WarningKind};
use crate::proto::shop::cart::v1 as pb;
use crate::proto::shop::common::v1 as common;
use crate::service::{Encoder, Idempotency, WriteOptions};

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
        v.check::<()>("shopper", Err(ParseError("shopper is required".into())));
        return None;
    };
    let session_id = v.check("shopper.session_id", SessionId::parse(&shopper.session_id));
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

/// Parses a request that names only the shopper.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn shopper_only(raw: Option<pb::Shopper>) -> Result<Shopper, ApiError> {
    let mut v = Violations::default();
    let parsed = shopper(&mut v, raw);
    v.finish(parsed)
}

/// Parses AddItem.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn add_item(req: pb::AddItemRequest) -> Result<(Shopper, AddItem), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let product_id = v.check("product_id", ProductId::parse(&req.product_id));
    let variant_id = v.check("variant_id", VariantId::parse(&req.variant_id));
    let quantity = v.check("quantity", Quantity::parse(i64::from(req.quantity)));
    let metadata = match req.metadata {
        None => Some(None),
        Some(s) => v
            .check("metadata", struct_to_json(s).and_then(Metadata::parse))
            .map(Some),
    };
    let parsed = (|| {
        Some((
            shopper?,
            AddItem {
                product_id: product_id?,
                variant_id: variant_id?,
                quantity: quantity?,
                metadata: metadata?,
            },
        ))
    })();
    v.finish(parsed)
}

/// Parses UpdateItem: quantity 0 means remove (`None`).
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn update_item(
    req: pb::UpdateItemRequest,
) -> Result<(Shopper, ItemId, Option<Quantity>), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    let item_id = v.check("item_id", ItemId::parse(&req.item_id));
    let quantity = v.check("quantity", Quantity::parse_or_zero(i64::from(req.quantity)));
    let parsed = (|| Some((shopper?, item_id?, quantity?)))();
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
) -> Result<(Shopper, SessionId, MergeStrategy), ApiError> {
    let mut v = Violations::default();
    let shopper = shopper(&mut v, req.shopper);
    if shopper.as_ref().is_some_and(|s| s.customer_id.is_none()) {
        v.check::<()>(
            "shopper.customer_id",
            Err(ParseError(
                "customer id is required to merge a guest cart".into(),
            )),
        );
    }
    let guest_session = match req.guest_session_id.as_str() {
        "" => shopper.as_ref().map(|s| s.session_id.clone()),
        raw => v.check("guest_session_id", SessionId::parse(raw)),
    };
    let strategy = match pb::MergeStrategy::try_from(req.strategy) {
        Ok(pb::MergeStrategy::Unspecified | pb::MergeStrategy::Merge) => Some(MergeStrategy::Merge),
        Ok(pb::MergeStrategy::KeepCustomer) => Some(MergeStrategy::KeepCustomer),
        Ok(pb::MergeStrategy::KeepGuest) => Some(MergeStrategy::KeepGuest),
        Err(_) => v.check(
            "strategy",
            Err(ParseError(format!("unknown strategy {}", req.strategy))),
        ),
    };
    let parsed = (|| Some((shopper?, guest_session?, strategy?)))();
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
pub fn complete_cart(req: &pb::CompleteCartRequest) -> Result<(CartId, OrderId), ApiError> {
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
        n => v.check(
            "page_size",
            Err(ParseError(format!(
                "page size must be between 0 and {MAX_PAGE_SIZE}, got {n}"
            ))),
        ),
    };
    let after = match (&id, req.page_token.as_str()) {
        (_, "") => Some(0),
        (Some(id), token) => v.check("page_token", decode_page_token(*id, token)),
        (None, _) => None,
    };
    let parsed = (|| Some((id?, after?, size?)))();
    v.finish(parsed)
}

/// The page token continuing after `seq` in `cart`: opaque to callers, bound
/// to the cart so a token cannot be replayed against another one.
pub fn page_token(cart: CartId, seq: i64) -> String {
    format!("{cart}:{seq}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_page_token(cart: CartId, token: &str) -> Result<i64, ParseError> {
    let invalid = || ParseError("page token is not from a previous call for this cart".into());
    if !token.len().is_multiple_of(2) || !token.is_ascii() {
        return Err(invalid());
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (id, seq) = text.split_once(':').ok_or_else(invalid)?;
    if id != cart.to_string() {
        return Err(invalid());
    }
    seq.parse::<i64>()
        .ok()
        .filter(|s| *s >= 0)
        .ok_or_else(invalid)
}

/// The idempotency key and expected version of a write, parsed.
#[derive(Debug)]
pub struct WriteMeta {
    idempotency: Option<Idempotency>,
    expected_version: Option<i64>,
}

impl WriteMeta {
    /// The service's write options, with `encode` for the response.
    pub fn options<'a>(self, encode: &'a Encoder<'a>) -> WriteOptions<'a> {
        WriteOptions {
            idempotency: self.idempotency,
            expected_version: self.expected_version,
            encode,
        }
    }
}

/// Parses the `request_id` and `expected_version` of a write. `request` is the
/// request with its `request_id` cleared: its encoding, with `method`, is the
/// fingerprint a retry must match.
///
/// # Errors
/// INVALID_ARGUMENT for a malformed request id or a negative version.
pub fn write_meta(
    method: &str,
    scope: String,
    request_id: &str,
    expected_version: Option<i64>,
    request: &impl prost::Message,
) -> Result<WriteMeta, ApiError> {
    use sha2::{Digest, Sha256};
    let mut v = Violations::default();
    let idempotency = match request_id {
        "" => Some(None),
        raw => v
            .check("request_id", RequestId::parse(raw))
            .map(|request_id| {
                let mut digest = Sha256::new();
                digest.update(method.as_bytes());
                digest.update([0]);
                digest.update(request.encode_to_vec());
                let fingerprint = digest
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                Some(Idempotency {
                    scope,
                    request_id,
                    fingerprint,
                })
            }),
    };
    let expected_version = match expected_version {
        Some(n) if n < 0 => v.check(
            "expected_version",
            Err(ParseError(format!(
                "expected_version must not be negative, got {n}"
            ))),
        ),
        other => Some(other),
    };
    let parsed = (|| {
        Some(WriteMeta {
            idempotency: idempotency?,
            expected_version: expected_version?,
        })
    })();
    v.finish(parsed)
}

/// The idempotency scope of a shopper's writes: their session and customer.
pub fn shopper_scope(shopper: &Shopper) -> String {
    format!(
        "shopper:{}:{}",
        shopper.session_id,
        shopper
            .customer_id
            .as_ref()
            .map(CustomerId::as_str)
            .unwrap_or_default()
    )
}

fn struct_to_json(s: prost_types::Struct) -> Result<Map<String, Value>, ParseError> {
    s.fields
        .into_iter()
        .map(|(k, v)| value_to_json(v).map(|v| (k, v)))
        .collect()
}

fn value_to_json(value: prost_types::Value) -> Result<Value, ParseError> {
    Ok(match value.kind {
        None | Some(Kind::NullValue(_)) => Value::Null,
        Some(Kind::BoolValue(b)) => Value::Bool(b),
        Some(Kind::StringValue(s)) => Value::String(s),
        Some(Kind::NumberValue(n)) => Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| ParseError("metadata numbers must be finite".into()))?,
        Some(Kind::StructValue(s)) => Value::Object(struct_to_json(s)?),
        Some(Kind::ListValue(l)) => Value::Array(
            l.values
                .into_iter()
                .map(value_to_json)
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn json_to_value(value: &Value) -> prost_types::Value {
    let kind = match value {
        Value::Null => Kind::NullValue(0),
        Value::Bool(b) => Kind::BoolValue(*b),
        Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        Value::String(s) => Kind::StringValue(s.clone()),
        Value::Array(items) => Kind::ListValue(prost_types::ListValue {
            values: items.iter().map(json_to_value).collect(),
        }),
        Value::Object(map) => Kind::StructValue(json_to_struct(map)),
    };
    prost_types::Value { kind: Some(kind) }
}

fn json_to_struct(map: &Map<String, Value>) -> prost_types::Struct {
    prost_types::Struct {
        fields: map
            .iter()
            .map(|(k, v)| (k.clone(), json_to_value(v)))
            .collect(),
    }
}

fn adjustment_type(k: AdjustmentKind) -> pb::CartAdjustmentType {
    match k {
        AdjustmentKind::QuantityClamped => pb::CartAdjustmentType::QuantityClamped,
        AdjustmentKind::DroppedOutOfStock => pb::CartAdjustmentType::DroppedOutOfStock,
        AdjustmentKind::DroppedUnavailable => pb::CartAdjustmentType::DroppedUnavailable,
        AdjustmentKind::DroppedLineLimit => pb::CartAdjustmentType::DroppedLineLimit,
        AdjustmentKind::DroppedByStrategy => pb::CartAdjustmentType::DroppedByStrategy,
        AdjustmentKind::PriceUpdated => pb::CartAdjustmentType::PriceUpdated,
    }
}

/// An adjustment on the wire.
pub fn adjustment(a: &Adjustment) -> pb::CartAdjustment {
    pb::CartAdjustment {
        r#type: adjustment_type(a.kind).into(),
        message: a.message.clone(),
        item_id: a.item_id.map(|id| id.to_string()).unwrap_or_default(),
        variant_id: a.variant_id.to_string(),
        requested_quantity: i32::try_from(a.requested).unwrap_or(i32::MAX),
        quantity: i32::try_from(a.quantity).unwrap_or(i32::MAX),
        old_price: a.old_price.as_ref().map(money),
        new_price: a.new_price.as_ref().map(money),
    }
}

/// A stored event on the wire.
pub fn event(e: &RecordedEvent) -> pb::CartEvent {
    pb::CartEvent {
        sequence: e.seq,
        r#type: e.kind.clone(),
        data: match &e.data {
            Value::Object(map) => Some(json_to_struct(map)),
            _ => None,
        },
        create_time: Some(timestamp(e.created_at)),
    }
}

/// Money on the wire.
pub fn money(m: &Money) -> common::Money {
    let (units, nanos) = m.to_units_nanos();
    common::Money {
        currency_code: m.currency.to_string(),
        units,
        nanos,
    }
}

fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

fn status(s: CartStatus) -> pb::CartStatus {
    match s {
        CartStatus::Active => pb::CartStatus::Active,
        CartStatus::Merged => pb::CartStatus::Merged,
        CartStatus::Abandoned => pb::CartStatus::Abandoned,
        CartStatus::Completed => pb::CartStatus::Completed,
    }
}

fn availability(a: Availability) -> pb::Availability {
    match a {
        Availability::InStock => pb::Availability::InStock,
        Availability::LowStock => pb::Availability::LowStock,
        Availability::OutOfStock => pb::Availability::OutOfStock,
        Availability::Unavailable => pb::Availability::Unavailable,
        Availability::Unknown => pb::Availability::Unknown,
    }
}

fn warning_type(k: WarningKind) -> pb::CartWarningType {
    match k {
        WarningKind::PriceChanged => pb::CartWarningType::PriceChanged,
        WarningKind::OutOfStock => pb::CartWarningType::OutOfStock,
        WarningKind::LowStock => pb::CartWarningType::LowStock,
        WarningKind::Unavailable => pb::CartWarningType::Unavailable,
        WarningKind::CatalogUnavailable => pb::CartWarningType::CatalogUnavailable,
    }
}

fn issue_type(k: IssueKind) -> pb::ValidationIssueType {
    match k {
        IssueKind::EmptyCart => pb::ValidationIssueType::EmptyCart,
        IssueKind::ItemUnavailable => pb::ValidationIssueType::ItemUnavailable,
        IssueKind::InsufficientStock => pb::ValidationIssueType::InsufficientStock,
        IssueKind::PriceChanged => pb::ValidationIssueType::PriceChanged,
        IssueKind::EmailMissing => pb::ValidationIssueType::EmailMissing,
        IssueKind::CatalogUnavailable => pb::ValidationIssueType::CatalogUnavailable,
    }
}

fn item(i: &ItemView) -> pb::CartItem {
    let line = &i.line;
    // Display data from the catalog when it answered, else the snapshot.
    let (product, variant) = match &i.catalog {
        Some(c) => (
            pb::ProductInfo {
                name: c.product_name.clone(),
                slug: c.product_slug.clone(),
                images: c
                    .images
                    .iter()
                    .map(|img| pb::Image {
                        url: img.url.clone(),
                        alt_text: img.alt_text.clone(),
                    })
                    .collect(),
            },
            pb::VariantInfo {
                sku: c.sku.clone(),
                name: c.name.clone(),
                attributes: c.attributes.clone().into_iter().collect(),
            },
        ),
        None => (
            pb::ProductInfo {
                name: line.product_name.clone(),
                ..Default::default()
            },
            pb::VariantInfo {
                sku: line.sku.clone(),
                name: line.variant_name.clone(),
                ..Default::default()
            },
        ),
    };
    pb::CartItem {
        id: line.id.to_string(),
        product_id: line.product_id.to_string(),
        variant_id: line.variant_id.to_string(),
        quantity: i32::try_from(line.quantity).unwrap_or(i32::MAX),
        product: Some(product),
        variant: Some(variant),
        unit_price: Some(money(&line.unit_price)),
        current_price: i.current_price.as_ref().map(money),
        price_changed: i.price_changed,
        subtotal: Some(money(&i.subtotal)),
        availability: availability(i.availability).into(),
        available_quantity: i.available_quantity.unwrap_or_default(),
        metadata: line.metadata.as_ref().map(|m| json_to_struct(m.as_map())),
        add_time: Some(timestamp(line.added_at)),
        update_time: Some(timestamp(line.updated_at)),
    }
}

/// The cart view on the wire.
pub fn cart(view: &CartView) -> pb::Cart {
    let header = view.cart.as_ref();
    let s = &view.summary;
    pb::Cart {
        id: header.map(|c| c.id.to_string()).unwrap_or_default(),
        session_id: header.map(|c| c.session_id.to_string()).unwrap_or_default(),
        customer_id: header
            .and_then(|c| c.customer_id.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default(),
        email: header
            .and_then(|c| c.email.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default(),
        currency_code: view.currency.to_string(),
        status: header
            .map_or(pb::CartStatus::Unspecified, |c: &Cart| status(c.status))
            .into(),
        version: header.map_or(0, |c| c.version),
        items: view.items.iter().map(item).collect(),
        summary: Some(pb::CartSummary {
            item_count: i32::try_from(s.item_count).unwrap_or(i32::MAX),
            unique_items: i32::try_from(s.unique_items).unwrap_or(i32::MAX),
            subtotal: Some(money(&s.subtotal)),
            tax: Some(money(&s.tax)),
            shipping: Some(money(&s.shipping)),
            discount: Some(money(&s.discount)),
            total: Some(money(&s.total)),
            currency_code: view.currency.to_string(),
        }),
        warnings: view
            .warnings
            .iter()
            .map(|w| pb::CartWarning {
                r#type: warning_type(w.kind).into(),
                message: w.message.clone(),
                item_id: w.item_id.map(|id| id.to_string()).unwrap_or_default(),
            })
            .collect(),
        create_time: header.map(|c| timestamp(c.created_at)),
        update_time: header.map(|c| timestamp(c.updated_at)),
        expire_time: header.map(|c| timestamp(c.expires_at)),
        order_id: header
            .and_then(|c| c.order_id.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default(),
        merged_into_cart_id: header
            .and_then(|c| c.merged_into)
            .map(|id| id.to_string())
            .unwrap_or_default(),
    }
}

/// A validation issue on the wire.
pub fn issue(i: &Issue) -> pb::ValidationIssue {
    pb::ValidationIssue {
        r#type: issue_type(i.kind).into(),
        message: i.message.clone(),
        item_id: i.item_id.map(|id| id.to_string()).unwrap_or_default(),
        variant_id: i
            .variant_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        requested_quantity: i
            .requested
            .map_or(0, |q| i32::try_from(q).unwrap_or(i32::MAX)),
        available_quantity: i.available.unwrap_or_default(),
        old_price: i.old_price.as_ref().map(money),
        new_price: i.new_price.as_ref().map(money),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shopper_pb(session: &str) -> Option<pb::Shopper> {
        Some(pb::Shopper {
            session_id: session.into(),
            customer_id: String::new(),
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

    #[test]
    fn metadata_survives_the_round_trip() {
        let json =
            serde_json::json!({"gift": {"to": "Ada", "wrap": true, "n": 2.5, "tags": ["a", null]}});
        let Value::Object(map) = json else {
            panic!("object")
        };
        let back = struct_to_json(json_to_struct(&map)).expect("valid");
        assert_eq!(back, map);
    }

    #[test]
    fn non_finite_metadata_numbers_are_refused() {
        let s = prost_types::Struct {
            fields: [(
                "n".to_owned(),
                prost_types::Value {
                    kind: Some(Kind::NumberValue(f64::NAN)),
                },
            )]
            .into(),
        };
        assert!(struct_to_json(s).is_err());
    }

    /// Properties of the parsers over arbitrary input: they never panic, a
    /// parse succeeds only with every field in range, and a failure is
    /// INVALID_ARGUMENT naming only fields of the request (the field that is
    /// out of range among them).
    mod properties {
        use super::*;
        use proptest::prelude::*;

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
                    Ok((_, _, q)) => {
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
                    Ok((parsed, _, _)) => {
                        prop_assert!(parsed.customer_id.is_some());
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
                    page_token: page_token(cart, seq),
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
                let request = pb::AddItemRequest { quantity, ..Default::default() };
                let meta = write_meta("AddItem", "scope".into(), &request_id, expected_version, &request);
                match meta {
                    Ok(meta) => {
                        prop_assert!(expected_version.is_none_or(|v| v >= 0));
                        prop_assert_eq!(meta.idempotency.is_some(), !request_id.is_empty());
                        let again = write_meta("AddItem", "scope".into(), &request_id, expected_version, &request)
                            .map(|m| m.idempotency.map(|i| i.fingerprint));
                        prop_assert_eq!(
                            again.ok().flatten(),
                            meta.idempotency.map(|i| i.fingerprint)
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
