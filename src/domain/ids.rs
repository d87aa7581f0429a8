//! Identifiers. Carts and lines are ours (UUIDs, v7 so they sort by creation);
//! sessions, customers, products and variants are other systems' opaque strings.

use std::fmt;

use uuid::Uuid;

use super::ParseError;

/// Longest accepted external identifier, in bytes.
pub const MAX_ID_LEN: usize = 128;

fn parse_external(kind: &str, raw: &str) -> Result<String, ParseError> {
    if raw.is_empty() {
        return Err(ParseError::new(format!("{kind} is required")));
    }
    if raw.len() > MAX_ID_LEN {
        return Err(ParseError::new(format!(
            "{kind} must be at most {MAX_ID_LEN} characters"
        )));
    }
    if !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ParseError::new(format!(
            "{kind} must be printable ASCII without spaces"
        )));
    }
    Ok(raw.to_owned())
}

macro_rules! external_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Accepts 1 to 128 printable ASCII characters without spaces.
            ///
            /// # Errors
            /// A [`ParseError`] naming the rule that was broken.
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                parse_external($kind, raw).map(Self)
            }

            /// The identifier as given.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

external_id!(
    /// The storefront BFF's session identifier.
    SessionId,
    "session id"
);
external_id!(
    /// A signed-in customer's identifier.
    CustomerId,
    "customer id"
);
external_id!(
    /// A catalog product identifier.
    ProductId,
    "product id"
);
external_id!(
    /// A catalog variant identifier.
    VariantId,
    "variant id"
);
external_id!(
    /// An idempotency key chosen by the caller (AIP-155).
    RequestId,
    "request id"
);
external_id!(
    /// The order a completed cart became (the checkout service's id).
    OrderId,
    "order id"
);

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered (v7) identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps a stored identifier.
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// Accepts a UUID in its hyphenated text form.
            ///
            /// # Errors
            /// A [`ParseError`] when the text is empty or not a UUID.
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                if raw.is_empty() {
                    return Err(ParseError::new(concat!($kind, " is required")));
                }
                Uuid::try_parse(raw)
                    .map(Self)
                    .map_err(|_| ParseError::new(concat!($kind, " must be a UUID")))
            }

            /// The UUID.
            pub fn uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A cart.
    CartId,
    "cart id"
);
uuid_id!(
    /// A cart line.
    ItemId,
    "item id"
);
uuid_id!(
    /// A shopping list (saved for later, or a wish list).
    ListId,
    "list id"
);
uuid_id!(
    /// An item of a shopping list.
    ListItemId,
    "list item id"
);
uuid_id!(
    /// A share link of a cart.
    ShareId,
    "share id"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_empty_session_id_is_refused() {
        assert!(SessionId::parse("").is_err());
    }

    #[test]
    fn a_session_id_with_a_space_or_control_character_is_refused() {
        assert!(SessionId::parse("a b").is_err());
        assert!(SessionId::parse("a\nb").is_err());
        assert!(SessionId::parse("caf\u{e9}").is_err());
    }

    #[test]
    fn an_item_id_must_be_a_uuid() {
        assert!(ItemId::parse("42").is_err());
        let id = ItemId::new();
        assert_eq!(ItemId::parse(&id.to_string()), Ok(id));
    }

    proptest! {
        #[test]
        fn any_printable_id_up_to_the_limit_round_trips(raw in "[!-~]{1,128}") {
            let id = VariantId::parse(&raw).expect("valid id");
            prop_assert_eq!(id.as_str(), raw.as_str());
        }

        #[test]
        fn ids_over_the_limit_are_refused(raw in "[a-z]{129,300}") {
            prop_assert!(ProductId::parse(&raw).is_err());
        }
    }
}
