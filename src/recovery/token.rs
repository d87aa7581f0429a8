//! Signed tokens of recovery links and unsubscribe links.
//!
//! A token is `<key id>.<payload>.<signature>`: the payload is base64url
//! JSON, the signature base64url HMAC-SHA256 over `<key id>.<payload>` with
//! that key. The first configured key signs; every configured key verifies,
//! so keys rotate without breaking links already sent. A recovery token names
//! its cart and expires; an unsubscribe token names the keyed hash of its
//! address and does not expire (RFC 8058 links must keep working).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::ids::CartId;

type HmacSha256 = Hmac<Sha256>;

/// Longest token accepted (a real one is about 150 characters).
pub const MAX_TOKEN_LEN: usize = 512;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Recover this cart, until `expires_at`.
    Recover {
        /// The cart.
        cart_id: CartId,
        /// When the link stops working.
        expires_at: DateTime<Utc>,
    },
    /// Stop recovery e-mail to the address with this keyed hash.
    Unsubscribe {
        /// The address's keyed hash.
        address_hash: String,
    },
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token, signed by no configured key, or altered.
    #[error("the token is not valid")]
    Invalid,
    /// A recovery token past its expiry.
    #[error("the token has expired")]
    Expired,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// "r": recover, "u": unsubscribe.
    p: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    c: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    x: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    a: Option<String>,
}

/// Signs and verifies tokens with the configured keys.
#[derive(Clone)]
pub struct Signer {
    /// `(key id, secret)`, the signing key first; never empty.
    keys: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Signer").field("key_ids", &ids).finish()
    }
}

fn mac(secret: &[u8], signed: &str) -> HmacSha256 {
    // HMAC takes a key of any length: `new_from_slice` cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(signed.as_bytes());
    mac
}

impl Signer {
    /// A signer over `keys` (`(id, secret)`, the signing one first); `None`
    /// without keys.
    pub fn new(keys: Vec<(String, String)>) -> Option<Self> {
        let keys: Vec<_> = keys
            .into_iter()
            .map(|(id, secret)| (id, secret.into_bytes()))
            .collect();
        (!keys.is_empty()).then_some(Self { keys })
    }

    /// A token for `claim`, signed with the first key.
    pub fn sign(&self, claim: &Claim) -> String {
        let payload = match claim {
            Claim::Recover {
                cart_id,
                expires_at,
            } => Payload {
                p: "r".into(),
                c: Some(cart_id.uuid()),
                x: Some(expires_at.timestamp()),
                a: None,
            },
            Claim::Unsubscribe { address_hash } => Payload {
                p: "u".into(),
                c: None,
                x: None,
                a: Some(address_hash.clone()),
            },
        };
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let (id, secret) = &self.keys[0];
        let signed = format!("{id}.{}", B64.encode(json));
        let signature = B64.encode(mac(secret, &signed).finalize().into_bytes());
        format!("{signed}.{signature}")
    }

    /// What `token` says, if a configured key signed it and, for a recovery
    /// token, it has not expired at `now`.
    ///
    /// # Errors
    /// [`TokenError::Invalid`] for anything not signed by a configured key;
    /// [`TokenError::Expired`] for a genuine recovery token past its expiry.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claim, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Invalid);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
        let (id, payload) = signed.split_once('.').ok_or(TokenError::Invalid)?;
        let (_, secret) = self
            .keys
            .iter()
            .find(|(key_id, _)| key_id == id)
            .ok_or(TokenError::Invalid)?;
        let signature = B64.decode(signature).map_err(|_| TokenError::Invalid)?;
        // Constant time.
        mac(secret, signed)
            .verify_slice(&signature)
            .map_err(|_| TokenError::Invalid)?;
        let json = B64.decode(payload).map_err(|_| TokenError::Invalid)?;
        let payload: Payload = serde_json::from_slice(&json).map_err(|_| TokenError::Invalid)?;
        match (payload.p.as_str(), payload.c, payload.x, payload.a) {
            ("r", Some(cart), Some(expiry), None) => {
                let expires_at = DateTime::from_timestamp(expiry, 0).ok_or(TokenError::Invalid)?;
                if now >= expires_at {
                    return Err(TokenError::Expired);
                }
                Ok(Claim::Recover {
                    cart_id: CartId::from_uuid(cart),
                    expires_at,
                })
            }
            ("u", None, None, Some(address_hash)) => Ok(Claim::Unsubscribe { address_hash }),
            _ => Err(TokenError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn signer(keys: &[(&str, &str)]) -> Signer {
        Signer::new(
            keys.iter()
                .map(|(id, s)| ((*id).to_owned(), (*s).to_owned()))
                .collect(),
        )
        .expect("keys")
    }

    const OLD: (&str, &str) = ("k1", "an old secret of thirty-two characters!");
    const NEW: (&str, &str) = ("k2", "a new secret, also of thirty-two or more");

    #[test]
    fn tokens_verify_until_they_expire_and_survive_rotation() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let claim = Claim::Recover {
            cart_id: CartId::from_uuid(uuid::Uuid::now_v7()),
            expires_at: now + chrono::Duration::days(7),
        };
        let token = signer(&[OLD]).sign(&claim);
        assert_eq!(signer(&[OLD]).verify(&token, now), Ok(claim.clone()));
        // Rotated: the new key signs, the old one still verifies.
        let rotated = signer(&[NEW, OLD]);
        assert_eq!(rotated.verify(&token, now), Ok(claim.clone()));
        assert!(rotated.sign(&claim).starts_with("k2."));
        // The old key dropped: its tokens stop working.
        assert_eq!(signer(&[NEW]).verify(&token, now), Err(TokenError::Invalid));
        assert_eq!(
            signer(&[OLD]).verify(&token, now + chrono::Duration::days(7)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn forged_or_altered_tokens_are_invalid() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let old = signer(&[OLD]);
        let token = old.sign(&Claim::Unsubscribe {
            address_hash: "abc".into(),
        });
        // Another key with the same id.
        let forger = signer(&[("k1", "a forger's secret of thirty-two chars..")]);
        assert_eq!(forger.verify(&token, now), Err(TokenError::Invalid));
        // The payload swapped.
        let other = old.sign(&Claim::Unsubscribe {
            address_hash: "xyz".into(),
        });
        let parts: Vec<&str> = token.split('.').collect();
        let swapped = format!(
            "{}.{}.{}",
            parts[0],
            other.split('.').nth(1).unwrap(),
            parts[2]
        );
        for bad in [
            &swapped,
            "",
            "k1..",
            "k1.e30.",
            "nonsense",
            &"a".repeat(600),
        ] {
            assert_eq!(old.verify(bad, now), Err(TokenError::Invalid), "{bad}");
        }
    }
}
