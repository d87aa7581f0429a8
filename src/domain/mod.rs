//! Pure types and rules of carts: identifiers, quantities, money, e-mail
//! addresses, metadata, the cart and its lines, pricing, warnings and
//! validation. No I/O and no framework types: the gRPC layer parses into these
//! types once, and storage and the catalog client translate to and from them.

pub mod cart;
pub mod catalog;
pub mod email;
pub mod ids;
pub mod metadata;
pub mod money;
pub mod quantity;
pub mod rules;
pub mod view;

use std::fmt;

/// Why a value given by a caller was refused by a `parse` constructor.
///
/// The description is written for the caller; the gRPC layer pairs it with the
/// request field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl ParseError {
    pub(crate) fn new(description: impl Into<String>) -> Self {
        Self(description.into())
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}
