//! Free-form line metadata (gift message, customisation): a JSON object kept
//! with the line, bounded in size and depth so one caller cannot bloat a cart.

use serde_json::{Map, Value};

use super::ParseError;

/// Largest accepted metadata, as compact JSON, in bytes.
pub const MAX_METADATA_BYTES: usize = 4096;
/// Deepest accepted nesting of objects and arrays (the top object is level 1).
pub const MAX_METADATA_DEPTH: usize = 8;

/// A bounded JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata(Map<String, Value>);

impl Metadata {
    /// Accepts an object of at most 4 KiB (as compact JSON) and 8 levels.
    ///
    /// # Errors
    /// A [`ParseError`] when it is too large or too deep.
    pub fn parse(object: Map<String, Value>) -> Result<Self, ParseError> {
        let depth = 1 + object.values().map(depth_of).max().unwrap_or(0);
        if depth > MAX_METADATA_DEPTH {
            return Err(ParseError::new(format!(
                "metadata must be at most {MAX_METADATA_DEPTH} levels deep"
            )));
        }
        let size = Value::Object(object.clone()).to_string().len();
        if size > MAX_METADATA_BYTES {
            return Err(ParseError::new(format!(
                "metadata must be at most {MAX_METADATA_BYTES} bytes as JSON, got {size}"
            )));
        }
        Ok(Self(object))
    }

    /// Wraps metadata read back from storage, where it was checked on the way in.
    pub fn from_stored(object: Map<String, Value>) -> Self {
        Self(object)
    }

    /// The JSON object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The JSON value.
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }
}

fn depth_of(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
        Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_small_object_is_accepted() {
        assert!(Metadata::parse(object(json!({"gift": "Happy birthday"}))).is_ok());
    }

    #[test]
    fn an_object_over_four_kib_is_refused() {
        let big = "x".repeat(MAX_METADATA_BYTES);
        assert!(Metadata::parse(object(json!({ "note": big }))).is_err());
    }

    #[test]
    fn nesting_past_eight_levels_is_refused() {
        let mut v = json!(1);
        for _ in 0..9 {
            v = json!({ "a": v });
        }
        assert!(Metadata::parse(object(v.clone())).is_err());
        let ok = object(json!({"a": {"b": {"c": [1, 2]}}}));
        assert!(Metadata::parse(ok).is_ok());
    }
}
