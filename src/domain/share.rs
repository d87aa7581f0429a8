//! Shared carts: a share link names a cart by an unguessable token. The
//! token is the bytes of two v4 UUIDs from the operating system's random
//! source (244 random bits; the version and variant bits are fixed), sent
//! once, as unpadded base64url (43 characters); only its SHA-256 is
//! stored, so the database cannot give a link away.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::ParseError;
use super::ids::{CartId, ShareId};

/// Length of a token's text.
pub const TOKEN_CHARS: usize = 43;
/// Shortest expiry a share may be given.
pub const MIN_SHARE_TTL: Duration = Duration::minutes(1);
/// Longest expiry a share may be given.
pub const MAX_SHARE_TTL: Duration = Duration::days(365);

/// A share link's secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ShareToken(String);

impl std::fmt::Debug for ShareToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShareToken(…)")
    }
}

impl ShareToken {
    /// A new token: two v4 UUIDs (getrandom), 244 random bits.
    pub fn new() -> Self {
        let mut bytes = [0u8; 32];
        bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts a token as [`ShareToken::new`] writes it.
    ///
    /// # Errors
    /// A [`ParseError`] for anything else.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.is_empty() {
            return Err(ParseError::new("token is required"));
        }
        if raw.len() != TOKEN_CHARS || URL_SAFE_NO_PAD.decode(raw).is_err() {
            return Err(ParseError::new(
                "token must be a share token (43 base64url characters)",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The token's text, for the response that creates it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: the SHA-256 of the token, as hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

impl Default for ShareToken {
    fn default() -> Self {
        Self::new()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A share of a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// Identifier (for RevokeCartShare).
    pub id: ShareId,
    /// The shared cart.
    pub cart_id: CartId,
    /// When the link stops working; `None`: never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl Share {
    /// A new share of `cart_id` made at `now`, expiring after `ttl` if given.
    pub fn new(cart_id: CartId, ttl: Option<Duration>, now: DateTime<Utc>) -> Self {
        Self {
            id: ShareId::new(),
            cart_id,
            expires_at: ttl.map(|ttl| now + ttl),
            revoked_at: None,
            created_at: now,
        }
    }

    /// Whether the link works at `now`: not revoked, not expired.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }
}

/// Accepts a share's time to live: 1 minute to 365 days.
///
/// # Errors
/// A [`ParseError`] naming the range.
pub fn parse_ttl(ttl: Duration) -> Result<Duration, ParseError> {
    if ttl < MIN_SHARE_TTL || ttl > MAX_SHARE_TTL {
        return Err(ParseError::new("ttl must be between 60s and 365 days"));
    }
    Ok(ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_characters_that_parse_back_and_differ() {
        let a = ShareToken::new();
        assert_eq!(a.expose().len(), TOKEN_CHARS);
        assert_eq!(ShareToken::parse(a.expose()), Ok(a.clone()));
        assert_ne!(a, ShareToken::new());
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.expose());
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for raw in ["", "short", &"a".repeat(44), &"!".repeat(43)] {
            assert!(ShareToken::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn a_share_works_until_it_expires_or_is_revoked() {
        let now = Utc::now();
        let mut share = Share::new(CartId::new(), Some(Duration::hours(1)), now);
        assert!(share.is_live(now));
        assert!(!share.is_live(now + Duration::hours(1)));
        share.revoked_at = Some(now);
        assert!(!share.is_live(now));
        assert!(Share::new(CartId::new(), None, now).is_live(now + Duration::days(3650)));
    }
}
