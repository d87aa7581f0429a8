//! Keyed hashes (HMAC-SHA256, hex) of what the service must recognise but
//! need not keep: addresses that unsubscribed and guest carts' device
//! signals. Without the key a hash cannot be tested against a guessed value.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::device::{DeviceHashes, DeviceSignals};

/// Hashes with the configured `recovery.hash_key`.
#[derive(Clone)]
pub struct Hasher {
    key: Vec<u8>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher([redacted])")
    }
}

impl Hasher {
    /// A hasher with `key`; `None` when the key is empty (not configured).
    pub fn new(key: &str) -> Option<Self> {
        (!key.is_empty()).then(|| Self {
            key: key.as_bytes().to_vec(),
        })
    }

    fn hash(&self, domain: &str, value: &str) -> String {
        // HMAC takes a key of any length: `new_from_slice` cannot fail.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(domain.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// An address's hash: case and surrounding space do not matter.
    pub fn address(&self, email: &str) -> String {
        self.hash("address", &email.trim().to_lowercase())
    }

    /// Each signal's hash.
    pub fn device(&self, signals: &DeviceSignals) -> DeviceHashes {
        signals
            .0
            .iter()
            .map(|(signal, value)| (*signal, self.hash(signal.as_str(), value)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::device::Signal;

    #[test]
    fn hashes_are_keyed_and_never_the_value() {
        let a = Hasher::new("a key of thirty-two characters or more").expect("key");
        let b = Hasher::new("another key of thirty-two characters..").expect("key");
        assert_eq!(a.address(" Ada@Example.com "), a.address("ada@example.com"));
        assert_ne!(a.address("ada@example.com"), b.address("ada@example.com"));
        let signals = DeviceSignals([(Signal::TimeZone, "Europe/Paris".to_owned())].into());
        let hashed = a.device(&signals);
        assert_eq!(hashed[&Signal::TimeZone].len(), 64);
        assert!(!hashed[&Signal::TimeZone].contains("Paris"));
        // The signal's name is part of what is hashed.
        assert_ne!(hashed[&Signal::TimeZone], a.address("Europe/Paris"));
        assert!(Hasher::new("").is_none());
    }
}
