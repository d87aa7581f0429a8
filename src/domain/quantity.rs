//! Quantities of a line: 1 to 100 units.

use super::ParseError;

/// Most units one line may hold (and one AddItem may add).
pub const MAX_LINE_QUANTITY: u32 = 100;

/// Units of a variant in a line or a request: always 1 to [`MAX_LINE_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(u32);

impl Quantity {
    /// Accepts 1 to 100.
    ///
    /// # Errors
    /// A [`ParseError`] for zero, negative or larger values.
    pub fn parse(raw: i64) -> Result<Self, ParseError> {
        if (1..=i64::from(MAX_LINE_QUANTITY)).contains(&raw) {
            Ok(Self(raw as u32))
        } else {
            Err(ParseError::new(format!(
                "quantity must be between 1 and {MAX_LINE_QUANTITY}, got {raw}"
            )))
        }
    }

    /// Accepts 0 to 100, where 0 means "remove the line" (`None`).
    ///
    /// # Errors
    /// A [`ParseError`] for negative or larger values.
    pub fn parse_or_zero(raw: i64) -> Result<Option<Self>, ParseError> {
        match raw {
            0 => Ok(None),
            1.. => Self::parse(raw).map(Some),
            _ => Err(ParseError::new(format!(
                "quantity must be between 0 and {MAX_LINE_QUANTITY}, got {raw}"
            ))),
        }
    }

    /// The most one line may hold.
    pub const MAX: Self = Self(MAX_LINE_QUANTITY);

    /// `units` when a line may hold them (1 to the cap).
    pub fn new(units: u32) -> Option<Self> {
        (1..=MAX_LINE_QUANTITY)
            .contains(&units)
            .then_some(Self(units))
    }

    /// A stored quantity (a column), held to the same rule.
    ///
    /// # Errors
    /// A [`ParseError`] for a value no line may hold.
    pub fn stored(raw: i32) -> Result<Self, ParseError> {
        Self::parse(i64::from(raw))
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }

    /// The number of units, as stored and sent (`int32` columns and fields).
    pub fn column(self) -> i32 {
        // At most MAX_LINE_QUANTITY, so it always fits.
        self.0 as i32
    }

    /// `self + more`, when one line may hold the sum.
    ///
    /// # Errors
    /// The units the sum asks for, when past the cap.
    pub fn plus(self, more: Self) -> Result<Self, u32> {
        let total = self.0 + more.0;
        Self::new(total).ok_or(total)
    }

    /// `self + more` clamped to `cap` units (and to the line cap), but never
    /// below `self`: what a merge of carts, or a save into a list, keeps.
    /// Returns the kept quantity and the units the sum asked for.
    pub fn plus_at_most(self, more: Self, cap: u32) -> (Self, u32) {
        let total = self.0 + more.0;
        // Between self (1 to the cap) and the cap: a quantity by
        // construction.
        let kept = total.min(cap).min(MAX_LINE_QUANTITY).max(self.0);
        debug_assert!((1..=MAX_LINE_QUANTITY).contains(&kept));
        (Self(kept), total)
    }

    /// This quantity, or `cap` when lower (`None` when `cap` is zero).
    pub fn at_most(self, cap: u32) -> Option<Self> {
        Self::new(self.0.min(cap))
    }
}

impl PartialEq<u32> for Quantity {
    fn eq(&self, units: &u32) -> bool {
        self.0 == *units
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zero_and_101_are_refused_when_adding() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(101).is_err());
        assert!(Quantity::parse(-1).is_err());
        assert_eq!(Quantity::parse(100).map(Quantity::get), Ok(100));
    }

    #[test]
    fn zero_means_remove_when_updating() {
        assert_eq!(Quantity::parse_or_zero(0), Ok(None));
        assert!(Quantity::parse_or_zero(-5).is_err());
    }

    #[test]
    fn sums_past_the_cap_are_refused_with_what_they_asked() {
        let q = |n| Quantity::new(n).unwrap();
        assert_eq!(q(60).plus(q(40)), Ok(q(100)));
        assert_eq!(q(60).plus(q(41)), Err(101));
        assert_eq!(Quantity::MAX.plus(Quantity::MAX), Err(200));
    }

    #[test]
    fn clamped_sums_keep_at_least_what_was_held() {
        let q = |n| Quantity::new(n).unwrap();
        assert_eq!(q(3).plus_at_most(q(4), 5), (q(5), 7));
        assert_eq!(q(8).plus_at_most(q(4), 5), (q(8), 12));
        assert_eq!(q(90).plus_at_most(q(20), 500), (q(100), 110));
        assert_eq!(q(7).at_most(3), Some(q(3)));
        assert_eq!(q(7).at_most(0), None);
    }

    #[test]
    fn stored_values_obey_the_same_rule() {
        assert_eq!(Quantity::stored(100).map(Quantity::column), Ok(100));
        assert!(Quantity::stored(0).is_err());
        assert!(Quantity::stored(101).is_err());
    }

    proptest! {
        #[test]
        fn parse_accepts_exactly_one_to_one_hundred(raw in any::<i64>()) {
            prop_assert_eq!(Quantity::parse(raw).is_ok(), (1..=100).contains(&raw));
        }

        #[test]
        fn plus_is_ok_exactly_up_to_the_cap(a in 1u32..=100, b in 1u32..=100) {
            let sum = Quantity::new(a).unwrap().plus(Quantity::new(b).unwrap());
            prop_assert_eq!(sum.is_ok(), a + b <= 100);
            prop_assert_eq!(sum.map_or_else(|t| t, Quantity::get), a + b);
        }
    }
}
