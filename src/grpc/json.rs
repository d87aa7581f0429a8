//! `google.protobuf.Struct` ⇄ JSON: line metadata in, metadata and event data
//! out.

use prost_types::value::Kind;
use serde_json::{Map, Number, Value};

use crate::domain::ParseError;

/// A `Struct` as a JSON object.
///
/// # Errors
/// [`ParseError`] for a number that is not finite (JSON has no NaN or
/// infinity).
pub fn struct_to_json(s: prost_types::Struct) -> Result<Map<String, Value>, ParseError> {
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

/// A JSON object as a `Struct`.
pub fn json_to_struct(map: &Map<String, Value>) -> prost_types::Struct {
    prost_types::Struct {
        fields: map
            .iter()
            .map(|(k, v)| (k.clone(), json_to_value(v)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
