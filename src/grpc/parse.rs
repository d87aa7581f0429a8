//! Wire → domain, what every service's parsers share: the shopper, an add's
//! fields, the request id and expected version, and the collection of a
//! request's violations (every one reported together, with its field path,
//! as INVALID_ARGUMENT). Each RPC's own parser sits beside its handler, in
//! its service's file.

use super::json::struct_to_json;
use super::status::{ApiError, FieldViolation};
use crate::domain::ParseError;
use crate::domain::cart::Shopper;
use crate::domain::device::{DeviceSignals, MAX_SIGNAL_LEN, Signal};
use crate::domain::ids::{CustomerId, ProductId, RequestId, SessionId, VariantId};
use crate::domain::metadata::Metadata;
use crate::domain::quantity::Quantity;
use crate::domain::rules::AddItem;
use crate::proto::shop::cart::v1 as pb;
use crate::service::{Encoder, RequestKey, WriteOptions};

/// Collects the violations of one request.
#[derive(Debug, Default)]
pub(super) struct Violations(Vec<FieldViolation>);

impl Violations {
    pub(super) fn check<T>(&mut self, field: &str, parsed: Result<T, ParseError>) -> Option<T> {
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
    pub(super) fn refuse(&mut self, field: &str, description: String) {
        self.0.push(FieldViolation {
            field: field.to_owned(),
            description,
        });
    }

    /// The parsed request when every field was valid.
    pub(super) fn finish<T>(self, parsed: Option<T>) -> Result<T, ApiError> {
        match parsed {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ApiError::InvalidArgument(self.0)),
        }
    }
}

pub(super) fn shopper(v: &mut Violations, shopper: Option<pb::Shopper>) -> Option<Shopper> {
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

/// Parses a request that names only the shopper.
///
/// # Errors
/// INVALID_ARGUMENT naming the malformed fields.
pub fn shopper_only(raw: Option<pb::Shopper>) -> Result<Shopper, ApiError> {
    let mut v = Violations::default();
    let parsed = shopper(&mut v, raw);
    v.finish(parsed)
}

/// The fields of an add (AddItem, a line of AddItems, AddListItem).
pub(super) struct Adding<'a> {
    pub product_id: &'a str,
    pub variant_id: &'a str,
    pub quantity: i32,
    pub metadata: Option<prost_types::Struct>,
}

impl Adding<'_> {
    /// Parses the add, naming its fields after `prefix` (`items[3].`).
    pub(super) fn parse(self, v: &mut Violations, prefix: &str) -> Option<AddItem> {
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
