//! ListCartEvents page tokens: opaque to callers, bound to the cart they page
//! through.

use crate::domain::ParseError;
use crate::domain::ids::CartId;

/// The page token continuing after `seq` in `cart`: opaque to callers, bound
/// to the cart so a token cannot be replayed against another one.
pub fn encode(cart: CartId, seq: i64) -> String {
    format!("{cart}:{seq}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The sequence number `token` continues after, if it is a token of `cart`.
///
/// # Errors
/// [`ParseError`] for any other string.
pub fn decode(cart: CartId, token: &str) -> Result<i64, ParseError> {
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
