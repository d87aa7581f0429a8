//! Device signals a BFF may send with a guest shopper, and how alike two
//! devices are.
//!
//! Signals are compared only as keyed hashes (the service never stores a raw
//! value): two devices are alike by the weights of the signals whose hashes
//! are equal, over the weights of every signal either of them has. A signal
//! only one side has counts against the match, so a device that sends less
//! is not matched more easily.

use std::collections::BTreeMap;

/// A device signal the service knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signal {
    /// The `User-Agent` header.
    UserAgent,
    /// The `Accept-Language` header.
    AcceptLanguage,
    /// The browser's IANA time zone, e.g. `Europe/Paris`.
    TimeZone,
    /// Screen size and pixel ratio, e.g. `1920x1080@2`.
    Screen,
    /// The client address truncated by the BFF (/24 for IPv4, /48 for IPv6).
    IpPrefix,
}

impl Signal {
    /// Every signal.
    pub const ALL: [Signal; 5] = [
        Self::UserAgent,
        Self::AcceptLanguage,
        Self::TimeZone,
        Self::Screen,
        Self::IpPrefix,
    ];

    /// The name in `Shopper.device` and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserAgent => "user_agent",
            Self::AcceptLanguage => "accept_language",
            Self::TimeZone => "time_zone",
            Self::Screen => "screen",
            Self::IpPrefix => "ip_prefix",
        }
    }

    /// Reads a name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// How much an equal value says about being the same device: the user
    /// agent and the network most, the rest (shared by many devices) less.
    pub fn weight(self) -> f64 {
        match self {
            Self::UserAgent => 0.3,
            Self::IpPrefix => 0.25,
            Self::AcceptLanguage | Self::TimeZone | Self::Screen => 0.15,
        }
    }
}

/// Longest signal value accepted.
pub const MAX_SIGNAL_LEN: usize = 512;

/// A device's signals as sent: raw values, trimmed, none empty. Hashed
/// before they go anywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceSignals(pub BTreeMap<Signal, String>);

impl DeviceSignals {
    /// Whether no signal was sent.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A device as stored: each signal's keyed hash.
pub type DeviceHashes = BTreeMap<Signal, String>;

/// The signals of a device with these `signals` that a stored device must
/// match to possibly reach `threshold`: without an equal `s`, similarity is
/// at most (W − w(s)) / W, W the weight of `signals` (the union's weight is
/// at least W). A lookup drives from these, not from signals many devices
/// share.
pub fn required(signals: impl Iterator<Item = Signal> + Clone, threshold: f64) -> Vec<Signal> {
    let total: f64 = signals.clone().map(Signal::weight).sum();
    signals
        .filter(|s| total > 0.0 && (total - s.weight()) / total < threshold)
        .collect()
}

/// How alike two devices are, 0 to 1 (see the module documentation).
pub fn similarity(a: &DeviceHashes, b: &DeviceHashes) -> f64 {
    let mut matched = 0.0;
    let mut total = 0.0;
    for signal in Signal::ALL {
        match (a.get(&signal), b.get(&signal)) {
            (Some(x), Some(y)) => {
                total += signal.weight();
                if x == y {
                    matched += signal.weight();
                }
            }
            (Some(_), None) | (None, Some(_)) => total += signal.weight(),
            (None, None) => {}
        }
    }
    if total == 0.0 { 0.0 } else { matched / total }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(pairs: &[(Signal, &str)]) -> DeviceHashes {
        pairs.iter().map(|(s, v)| (*s, (*v).to_owned())).collect()
    }

    #[test]
    fn equal_devices_are_alike_and_missing_signals_count_against() {
        use Signal::*;
        let full = device(&[
            (UserAgent, "a"),
            (AcceptLanguage, "b"),
            (TimeZone, "c"),
            (Screen, "d"),
            (IpPrefix, "e"),
        ]);
        assert!((similarity(&full, &full) - 1.0).abs() < 1e-9);
        // Another network: 0.75.
        let moved = device(&[
            (UserAgent, "a"),
            (AcceptLanguage, "b"),
            (TimeZone, "c"),
            (Screen, "d"),
            (IpPrefix, "x"),
        ]);
        assert!((similarity(&full, &moved) - 0.75).abs() < 1e-9);
        // Another screen only: 0.85.
        let resized = device(&[
            (UserAgent, "a"),
            (AcceptLanguage, "b"),
            (TimeZone, "c"),
            (Screen, "x"),
            (IpPrefix, "e"),
        ]);
        assert!((similarity(&full, &resized) - 0.85).abs() < 1e-9);
        // Sending only the user agent does not make a match.
        let sparse = device(&[(UserAgent, "a")]);
        assert!((similarity(&full, &sparse) - 0.3).abs() < 1e-9);
        assert_eq!(similarity(&DeviceHashes::new(), &DeviceHashes::new()), 0.0);
    }

    #[test]
    fn at_0_8_a_full_device_must_match_its_user_agent_and_network() {
        use Signal::*;
        assert_eq!(
            required(Signal::ALL.into_iter(), 0.8),
            [UserAgent, IpPrefix]
        );
        // Two signals of 0.15: each one alone is half: both are required.
        assert_eq!(
            required([TimeZone, Screen].into_iter(), 0.8),
            [TimeZone, Screen]
        );
        assert!(required(Signal::ALL.into_iter(), 0.1).is_empty());
    }
}
