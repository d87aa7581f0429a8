//! Properties of the parsers: every field checked, every violation of a
//! request reported together, nothing accepted out of range.

use super::admin::list_cart_events;
use super::cart::{add_item, merge_guest_cart, set_email, update_item};
use super::page_token;
use super::parse::{shopper_only, write_options};
use super::status::ApiError;
use crate::domain::ids::{CartId, ItemId};
use crate::domain::quantity::Quantity;
use crate::proto::shop::cart::v1 as pb;
use crate::service::Encoder;
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
